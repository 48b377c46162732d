"""Journey 0: an administrator loads the plan from the notice text; staff find their tasks."""

from __future__ import annotations

import pytest

from tests.conftest import SEED_NOTICE, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_imports_the_plan_and_staff_see_it(journey):
    from provinces.data import ensure_units
    from provinces.models import Province

    ensure_units(Province)  # an earlier transactional test may have flushed them
    admin = make_user("b_admin", "administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    make_user("b_jiangxi", "province_staff", "江西")

    page = journey.login("b_admin")
    journey.go("/plans/import/")
    page.set_input_files("input[type=file]", str(SEED_NOTICE))
    page.click("main button[type=submit]")
    page.wait_for_selector("#preview")
    assert "国知办函办字〔2018〕384号" in page.inner_text("#preview")
    journey.shot("preview")
    page.click("button[name=confirm]")
    page.wait_for_url("**/plans/2018/")
    assert "（十）做好2018年全年工作总结与2019年工作计划编制" in page.content()
    assert "草稿" in page.inner_text("#plan-state")  # imported as a draft: units see nothing yet
    journey.shot("plan")
    page.click("text=发布计划")
    page.wait_for_selector("#plan-history")
    assert "已发布" in page.inner_text("#plan-state")

    page = journey.login("b_jiangxi")
    journey.go("/provinces/360000/")
    assert "继续开展省份传播利用能力培育" in page.inner_text("main")
    journey.shot("province")
    # Another province's page is not there for 江西.
    response = page.goto(journey.base + "/provinces/410000/")
    assert response.status == 404
