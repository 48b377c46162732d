"""Each unit's role belongs to the plan: its base level and whether it is western that year.

Changing 2019's roles never changes 2018's; eligibility for a year's western support follows
that year's flag, not the province's current default.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from projects import services
from provinces.models import PlanUnit, Province
from provinces.plans import import_plan, rollover_plan
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
