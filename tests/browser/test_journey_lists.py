"""Lists and forms that work in place: a sortable ledger and a schedule that grows before saving."""

from __future__ import annotations

import pytest

from provinces.models import Assignment, LedgerEntry, Registration
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRAINEES = """() => Array.from(document.querySelectorAll("#ledger tbody tr td:nth-child(8)"))
  .map(td => +td.textContent)"""


def test_staff_sorts_the_ledger_and_adds_schedule_rows_in_place(journey, plan_2018):
    make_user("jx_lists", "province_staff", "江西")
    a = Assignment.objects.get(task__number=2, province__short_name="江西")
    for day, trainees in [(1, 30), (2, 120), (3, 5), (4, 60)]:
        LedgerEntry.objects.create(
            assignment=a,
            date=f"2018-07-0{day}",
            kind="training",
            description="培训",
            responsible_person="李",
            classes_held=1,
            trainees=trainees,
        )
    Registration.objects.create(assignment=a, state="returned")
    page = journey.login("jx_lists")

    journey.go("/provinces/ledger/")
    assert page.evaluate(TRAINEES) == [60, 5, 120, 30]  # newest first, as the server sends them
    header = page.locator("#ledger thead th", has_text="人次")
    header.locator("button.sort").click()
    assert page.evaluate(TRAINEES) == [5, 30, 60, 120]
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button.sort").click()
    assert page.evaluate(TRAINEES) == [120, 60, 30, 5]
    assert header.get_attribute("aria-sort") == "descending"
    journey.shot("ledger-sorted")

    journey.go(f"/provinces/assignments/{a.pk}/")
    assert page.inner_text("#state") == "已退回"
    page.evaluate("window.notReloaded = true")
    rows = page.locator("#schedule-rows tr")
    before = rows.count()
    page.click("button[data-formset-add=ms]")
    assert rows.count() == before + 1  # the row is there before anything is saved
    assert page.input_value("#id_ms-TOTAL_FORMS") == str(before + 1)
    assert page.locator(f"#id_ms-{before}-due_date").is_visible()
    assert page.evaluate("window.notReloaded === true")
    journey.shot("schedule-row-added")
