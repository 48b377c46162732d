"""Running projects go on across the year boundary: closing their year does not stop their
deliverables and acceptance being owed and reminded, under the next published year."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import obligations
from notifications.models import ReminderLog
from notifications.obligations import Span, carried_owed, everything_owed, owed_by
from notifications.services import sweep
from projects import services
from projects.models import Call
from projects.obligations import running_projects
from provinces.plans import rollover_plan
from tests.projects.test_pages_api import make_app

pytestmark = pytest.mark.django_db


def at(day: date):
    return time_machine.travel(
        timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 8, 30)), tick=False
    )


@pytest.fixture
def running_2018(plan_2018, jiangxi_staff, hq_reviewer):
    """A 2018 project of 江西, in progress, with a deliverable due in March 2019."""
    with at(date(2018, 7, 1)):
        call = Call.objects.create(
            plan=plan_2018,
            task=plan_2018.tasks.get(number=4),
            project_type="enterprise_pilot",
            title="试点",
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=1),
            reviews_required=0,
        )
        app = make_app(call, "江西", jiangxi_staff)
        services.approve(app, hq_reviewer, app.applicant, Decimal("10"))
        services.sign_agreement(
            app,
            hq_reviewer,
            number="N1",
            budget=Decimal("10"),
            starts_on=date(2018, 8, 1),
            ends_on=date(2019, 6, 30),
            deliverables=[services.DeliverableLine("企业专利信息利用流程", date(2019, 3, 31))],
        )
    return app


@pytest.fixture
def year_2019(plan_2018, running_2018, administrator):
    """2019 rolled over and published, 2018 closed."""
    with at(date(2019, 1, 10)):
        plan = rollover_plan(plan_2018, 2019, administrator)
        plan.publish(administrator)
        plan_2018.close(administrator)
    return plan


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def keys(owed, province) -> dict:
    return {o.key: o for o in owed if o.province.pk == province.pk}


def test_a_running_project_is_owed_under_the_next_year_once_its_year_is_closed(
    plan_2018, running_2018, year_2019, jiangxi_staff
):
    deliverable = running_2018.deliverables.get()
    owed = keys(everything_owed(year_2019), jiangxi_staff.province)
    assert owed[f"deliverable:{deliverable.pk}"].carried_from == 2018
    acceptance = owed[f"acceptance:{running_2018.pk}"]
    assert acceptance.carried_from == 2018
    assert acceptance.due == year_2019.deadlines.get(kind="acceptance").due_date  # 2019's
    assert acceptance.due.year == 2019
    # Exactly once: the closed year owes nothing itself, a later year does not carry it again.
    owed_all = owed_by(jiangxi_staff.province)
    assert [o.key for o in owed_all].count(f"deliverable:{deliverable.pk}") == 1


def test_while_both_years_are_published_the_project_stays_with_its_own_year(
    plan_2018, running_2018, administrator, jiangxi_staff
):
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    plan_2019.publish(administrator)
    assert list(running_projects(plan_2018)) == [running_2018]
    assert list(running_projects(plan_2019)) == []
    deliverable = running_2018.deliverables.get()
    owed = keys(everything_owed(plan_2018), jiangxi_staff.province)
    assert owed[f"deliverable:{deliverable.pk}"].carried_from is None
    assert not any(o.key.startswith("deliverable:") for o in everything_owed(plan_2019))


def test_a_later_published_year_takes_over_from_the_first_one_only_when_that_closes(
    plan_2018, running_2018, year_2019, administrator
):
    plan_2020 = rollover_plan(year_2019, 2020, administrator)
    plan_2020.publish(administrator)
    assert list(running_projects(year_2019)) == [running_2018]
    assert list(running_projects(plan_2020)) == []
    year_2019.close(administrator)
    assert list(running_projects(plan_2020)) == [running_2018]


def test_the_sweep_reminds_a_carried_deliverable_after_its_year_is_closed(
    running_2018, year_2019, jiangxi_staff, outbox
):
    deliverable = running_2018.deliverables.get()
    with at(date(2019, 3, 24)):  # 7 days before 2019-03-31
        sweep()
    logs = ReminderLog.objects.filter(deadline_key=f"deliverable:{deliverable.pk}")
    assert {(log.kind, log.offset) for log in logs} == {("reminder", 7)}
    assert any("企业专利信息利用流程" in m.body for m in outbox)


def test_a_finished_project_is_no_longer_carried(
    running_2018, year_2019, jiangxi_staff, hq_reviewer
):
    deliverable = running_2018.deliverables.get()
    with at(date(2019, 3, 20)):
        services.report_progress(
            deliverable, jiangxi_staff, percent=100, note="完成", done_on=date(2019, 3, 20)
        )
        services.request_acceptance(running_2018, jiangxi_staff, "完成")
    owed = keys(everything_owed(year_2019), jiangxi_staff.province)
    assert not any(
        k.endswith(f":{running_2018.pk}") or k == f"deliverable:{deliverable.pk}" for k in owed
    )


def test_the_new_years_todo_lists_last_years_running_projects(
    running_2018, year_2019, jiangxi_staff, henan_staff, as_user
):
    with at(date(2019, 3, 1)):
        page = as_user(jiangxi_staff).get("/provinces/todo/?year=2019")
        other = as_user(henan_staff).get("/provinces/todo/?year=2019")
    assert page.status_code == 200 and other.status_code == 200
    body = page.content.decode()
    assert "上一年度在研项目" in body and "企业专利信息利用流程" in body and "2018 年度" in body
    assert "上一年度在研项目" not in other.content.decode()


def test_the_carrying_sources_give_all_a_unit_carries_and_only_that(running_2018, year_2019):
    """The to-do asks only the carrying sources (carried_owed), never every unit's
    obligations: what they give is exactly the carried part of everything the unit owes."""
    jiangxi = running_2018.province
    with at(date(2019, 3, 1)):
        carried = carried_owed(jiangxi, year_2019)
        expected = [o for o in owed_by(jiangxi, [year_2019]) if o.carried_from]
    assert carried and [o.key for o in carried] == [o.key for o in expected]
    assert {o.province.pk for o in carried} == {jiangxi.pk}


def test_the_todo_asks_each_source_for_the_units_own_items_only(
    running_2018, year_2019, henan_staff
):
    """unit_todo asks every to-do and carrying source in ``Span(unit=…)``: it lists exactly
    what those sources give for every unit, cut to the unit (nothing lost, no other unit's)."""
    jiangxi, henan = running_2018.province, henan_staff.province
    sources = dict.fromkeys([*obligations._todo, *obligations._carrying])
    with at(date(2019, 3, 1)):
        for province in (jiangxi, henan):
            todo, carried = obligations.unit_todo(province, year_2019)
            everyone = {s: list(s([year_2019], Span(), {})) for s in sources}
            own = {
                s: [o.key for o in owed if o.province.pk == province.pk]
                for s, owed in everyone.items()
            }
            assert sorted(o.key for o in todo) == sorted(
                k for s in obligations._todo for k in own[s]
            )
            assert sorted(o.key for o in carried) == sorted(
                o.key
                for s in obligations._carrying
                for o in everyone[s]
                if o.province.pk == province.pk and o.carried_from
            )
            assert {o.province.pk for o in todo + carried} <= {province.pk}
            if province == jiangxi:
                assert carried  # the 2018 project's deliverable goes on under 2019
            else:
                assert not carried
