"""Each unit's role belongs to the plan: its base level and whether it is western that year.

Changing 2019's roles never changes 2018's; eligibility for a year's western support follows
that year's flag, not the province's current default.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from planning.models import Plan
from projects import services
from provinces.models import Assignment, PlanUnit, Province
from provinces.plans import import_plan, rollover_plan, set_plan_units
from tests.conftest import SEED_NOTICE, bases, make_user
from workflow.machine import TransitionRefused

pytestmark = pytest.mark.django_db


def western_support_call(plan, hq):
    now = timezone.now()
    return services.open_call(
        plan,
        hq,
        task=plan.tasks.get(number=5),
        project_type="western_support",
        title="西部帮扶",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        criteria=[("方案可行", 100)],
    )


def western_of(plan, short_name: str) -> bool:
    return PlanUnit.objects.get(plan=plan, province__short_name=short_name).western


def test_every_plan_starts_from_the_provinces_western_flags(plan_2018):
    flags = dict(PlanUnit.objects.filter(plan=plan_2018).values_list("province_id", "western"))
    assert flags == dict(Province.objects.values_list("pk", "western"))
    assert flags and any(flags.values())


def test_changing_2019s_western_flag_never_changes_2018s(plan_2018):
    plan_2019 = rollover_plan(plan_2018, 2019, None)
    assert western_of(plan_2019, "贵州") and western_of(plan_2018, "贵州")
    PlanUnit.objects.filter(plan=plan_2019, province__short_name="贵州").update(western=False)
    assert not western_of(plan_2019, "贵州")
    assert western_of(plan_2018, "贵州")


def test_eligibility_for_a_2018_western_support_call_follows_2018s_flag(plan_2018, hq_reviewer):
    guizhou = make_user("staff_guizhou", Role.PROVINCE_STAFF, "贵州")
    call = western_support_call(plan_2018, hq_reviewer)
    plan_2019 = rollover_plan(plan_2018, 2019, None)

    # 2019 says 贵州 is no longer western; the province's default changes too: 2018 holds.
    PlanUnit.objects.filter(plan=plan_2019, province=guizhou.province).update(western=False)
    Province.objects.filter(pk=guizhou.province_id).update(western=False)
    assert services.ineligibility(call, guizhou.province) == ""

    # 2018's own flag decides.
    PlanUnit.objects.filter(plan=plan_2018, province=guizhou.province).update(western=False)
    with pytest.raises(TransitionRefused) as refused:
        services.start_application(call, guizhou, {"applicant": "某单位"})
    assert refused.value.message == "贵州不是2018年度的西部省区，不能申报“西部省区帮扶”。"


def test_a_western_support_call_opens_only_where_the_task_units_are_western_that_year(
    plan_2018, hq_reviewer
):
    plan_2019 = rollover_plan(plan_2018, 2019, None)
    PlanUnit.objects.filter(plan=plan_2019, province__short_name="贵州").update(western=False)
    with pytest.raises(TransitionRefused, match="不全是西部省区"):
        western_support_call(plan_2019, hq_reviewer)
    assert western_support_call(plan_2018, hq_reviewer).pk


def test_re_importing_a_notice_keeps_that_plans_western_flags(plan_2018):
    PlanUnit.objects.filter(plan=plan_2018, province__short_name="贵州").update(western=False)
    import_plan(SEED_NOTICE.read_text(encoding="utf-8"), bases=bases())
    assert not western_of(plan_2018, "贵州")
    assert western_of(plan_2018, "云南")


# --- HQ's page of a draft plan's units ---------------------------------------------------


def posted(plan, changes: dict[str, tuple[str, bool]]) -> dict[str, str]:
    """The page's whole form for ``plan``, with ``changes`` (short name → (level, western))."""
    data = {}
    for unit in PlanUnit.objects.filter(plan=plan).select_related("province"):
        level, western = changes.get(unit.province.short_name, (unit.base_level, unit.western))
        data[f"base_{unit.province.code}"] = level
        if western:
            data[f"western_{unit.province.code}"] = "on"
    return data


def base_track_units(plan) -> dict[str, set[str]]:
    """Base level → the units carrying a track of that level, over the plan's tasks."""
    found: dict[str, set[str]] = {}
    for a in Assignment.objects.filter(task__plan=plan, track__base_level__gt="").select_related(
        "province", "track"
    ):
        found.setdefault(a.track.base_level, set()).add(a.province.short_name)
    return found


def rows_of(plan) -> tuple[list, list]:
    return (
        list(PlanUnit.objects.filter(plan=plan).values().order_by("pk")),
        list(Assignment.objects.filter(task__plan=plan).values().order_by("pk")),
    )


def test_the_page_saves_the_units_and_the_base_tracks_follow(as_user, plan_2018, hq_reviewer):
    plan_2019 = rollover_plan(plan_2018, 2019, None)
    before_2018 = rows_of(plan_2018)
    assert base_track_units(plan_2019) == {
        "key": {"北京", "江苏"},
        "basic": {"天津", "浙江", "山东"},
    }

    client = as_user(hq_reviewer)
    assert 'id="plan-units-link"' in client.get("/plans/2019/").content.decode()
    page = client.get("/plans/2019/units/")
    assert page.status_code == 200 and 'id="plan-units-form"' in page.content.decode()

    response = client.post(
        "/plans/2019/units/",
        posted(plan_2019, {"海南": ("key", False), "北京": ("", False), "贵州": ("basic", False)}),
    )
    assert response.status_code == 302 and response.url == "/plans/2019/"

    levels = dict(
        PlanUnit.objects.filter(plan=plan_2019)
        .exclude(base_level="")
        .values_list("province__short_name", "base_level")
    )
    assert levels == {
        "海南": "key",
        "江苏": "key",
        "天津": "basic",
        "浙江": "basic",
        "山东": "basic",
        "贵州": "basic",
    }
    assert base_track_units(plan_2019) == {
        "key": {"海南", "江苏"},
        "basic": {"天津", "浙江", "山东", "贵州"},
    }
    assert not western_of(plan_2019, "贵州")
    # The base tracks' units carry them as mandatory, taken up.
    hainan = Assignment.objects.get(
        task__plan=plan_2019, province__short_name="海南", track__base_level="key"
    )
    assert hainan.kind == Assignment.Kind.MANDATORY and hainan.taken_up
    # 2018 untouched.
    assert rows_of(plan_2018) == before_2018
    assert western_of(plan_2018, "贵州")


def test_a_published_plan_refuses_with_a_clear_message(as_user, plan_2018, hq_reviewer):
    Plan.objects.filter(pk=plan_2018.pk).update(state=Plan.State.PUBLISHED)
    before = rows_of(plan_2018)
    client = as_user(hq_reviewer)
    assert 'id="plan-units-link"' not in client.get("/plans/2018/").content.decode()
    page = client.get("/plans/2018/units/").content.decode()
    form = page.split('id="plan-units-form"')[1].split("</form>")[0]
    assert "只能在计划发布前（草稿）修改" in page
    assert "<button" not in form and "<select" not in form

    response = client.post("/plans/2018/units/", posted(plan_2018, {"海南": ("key", True)}))
    assert response.status_code == 200
    assert "2018年度工作计划为“已发布”状态" in response.content.decode()
    assert rows_of(plan_2018) == before
    with pytest.raises(TransitionRefused):
        set_plan_units(plan_2018, {}, hq_reviewer)


def test_only_hq_may_set_a_plans_units(as_user, plan_2018, jiangxi_staff, expert, administrator):
    plan_2019 = rollover_plan(plan_2018, 2019, None)
    data = posted(plan_2019, {"海南": ("key", True)})
    before = rows_of(plan_2019)
    for user in (jiangxi_staff, expert):
        assert as_user(user).get("/plans/2019/units/").status_code == 404
        assert as_user(user).post("/plans/2019/units/", data).status_code == 404
    assert rows_of(plan_2019) == before
    assert as_user(administrator).post("/plans/2019/units/", data).status_code == 302
    assert western_of(plan_2019, "海南")


def test_the_plan_api_says_which_units_are_western_that_year(as_user, plan_2018, hq_reviewer):
    plan_2019 = rollover_plan(plan_2018, 2019, None)
    PlanUnit.objects.filter(plan=plan_2019, province__short_name="贵州").update(western=False)
    client = as_user(hq_reviewer)
    guizhou = Province.objects.get(short_name="贵州").code
    assert guizhou in client.get("/api/v1/plans/2018/").json()["western"]
    assert guizhou not in client.get("/api/v1/plans/2019/").json()["western"]
