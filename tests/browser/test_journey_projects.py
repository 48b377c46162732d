"""Journey 3: an application goes from call to acceptance across staff, expert and HQ."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Application, Call, Criterion
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_application_from_call_to_acceptance(journey, plan_2018):
    make_user("p_jx", "province_staff", "江西")
    make_user("p_hq", "hq_reviewer")
    expert = make_user("p_expert", "expert", "北京")
    expert.last_name, expert.first_name = "刘", "专家"
    expert.save()
    now = timezone.now()
    call = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="企业专利信息利用能力建设试点",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
        reviews_required=1,  # one expert reviews in this journey
    )
    c1 = Criterion.objects.create(call=call, name="需求明确", weight=40)
    c2 = Criterion.objects.create(call=call, name="方案可行", weight=60)

    page = journey.login("p_jx")
    journey.go(f"/projects/calls/{call.pk}/apply/")
    page.fill("#id_applicant", "江西某机电有限公司")
    page.fill("#id_partner_agency", "江西省知识产权服务中心")
    page.fill("#id_contact_name", "刘经理")
    page.fill("#id_contact_phone", "13900139000")
    page.fill("#id_budget_requested", "20")
    page.fill("#id_plan_text", "围绕研发节点开展专利信息利用。")
    page.click("main button[type=submit]")
    page.click("button:text-is('申报')")
    assert page.inner_text("#state") == "已申报"
    app = Application.objects.get()

    page = journey.login("p_hq")
    journey.go(f"/projects/applications/{app.pk}/")
    page.select_option("#expert", str(expert.pk))
    page.click("button:text-is('分配')")
    assert page.inner_text("#state") == "评审中"

    page = journey.login("p_expert")
    journey.go("/projects/reviews/")
    page.click("text=江西某机电有限公司")
    page.fill(f"#score-{c1.pk}", "90")
    page.fill(f"#score-{c2.pk}", "80")
    page.click("button:text-is('提交评审')")
    assert "评审意见已提交" in page.content()

    page = journey.login("p_hq")
    journey.go(f"/projects/applications/{app.pk}/")
    assert "84.00" in page.inner_text("#scores")
    journey.shot("scores")
    page.fill("#budget", "15")
    page.click("button:text-is('立项')")
    assert page.inner_text("#state") == "已立项"
    assert journey.dialogs == ["确认立项？立项后不能撤销。"]  # asked before, said on the page after
    assert "项目“江西某机电有限公司”已立项，资助经费 15 万元。" in page.inner_text(".messages")
    page.fill("#number", "WX-2018-001")
    page.fill("#starts_on", "2018-08-01")
    page.fill("#ends_on", "2018-12-31")
    page.fill("#deliverables", "2018-11-30 研发节点专利信息利用流程")
    page.click("button:text-is('签订协议，开始实施')")
    assert page.inner_text("#state") == "实施中"
    assert "WX-2018-001" in page.inner_text("#agreement")

    page = journey.login("p_jx")
    journey.go(f"/projects/applications/{app.pk}/")
    deliverable = app.deliverables.get()
    page.fill(f"#percent-{deliverable.pk}", "100")
    page.fill(f"#note-{deliverable.pk}", "流程已在三家企业试用。")
    page.fill(f"#done-{deliverable.pk}", "2018-11-28")
    page.click("button:text-is('报告进展')")
    assert "进展已报告" in page.content()
    assert "流程已在三家企业试用" in page.inner_text("#deliverables")
    page.fill("#final_report", "完成研发节点专利信息利用流程。")
    page.click("button:text-is('申请验收')")
    assert page.inner_text("#state") == "已申请验收"

    page = journey.login("p_hq")
    journey.go(f"/projects/applications/{app.pk}/")
    page.click("text=查看项目报告和交付成果，验收通过")
    assert "研发节点专利信息利用流程" in page.inner_text("#history-deliverables")
    page.fill("#accept-reason", "成果齐全。")
    # The quarterly reports of 2018 are all past due on the live server's clock: HQ is
    # told how many are still owed and ticks that it knows before accepting.
    assert "份项目报告未报送" in page.inner_text("#owed")
    page.check("input[name=confirm_owed]")
    page.click("button:text-is('验收通过')")
    assert page.inner_text("#state") == "验收通过"
    assert journey.dialogs[-1] == "确认验收通过？此决定不能撤销。"
    journey.shot("accepted")
    app.refresh_from_db()
    assert app.state == "accepted" and str(app.budget_granted) == "15.00"
