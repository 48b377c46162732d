"""The kept per-assignment ledger summary (台账汇总) always equals a recount of the entries,
whichever way the entries are written: page, API, import, bulk writes, a rollback."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from provinces.ledger import FIGURES, ledger_totals
from provinces.models import Assignment, LedgerEntry, LedgerSummary, recount_ledger_summaries
from provinces.resources import import_ledger

from .test_ledger import GOOD, entry_data, xlsx

pytestmark = pytest.mark.django_db


def recount() -> dict[int, tuple]:
    """What the entries say, counted from scratch: {assignment id: (entries, *figures)}."""
    rows = (
        LedgerEntry.objects.order_by()
        .values("assignment_id")
        .annotate(n=Count("pk"), **{f"s_{f}": Sum(f) for f in FIGURES})
    )
    return {r["assignment_id"]: (r["n"], *(r[f"s_{f}"] for f in FIGURES)) for r in rows}


def kept() -> dict[int, tuple]:
    """What the summary keeps, leaving out assignments it counts as empty."""
    return {
        a: tuple(values)
        for a, *values in LedgerSummary.objects.values_list("assignment_id", "entries", *FIGURES)
        if any(values)
    }


def assert_summary_is_a_recount() -> None:
    assert kept() == recount()


@pytest.fixture
def jiangxi_two(plan_2018) -> tuple[Assignment, Assignment]:
    """Two of 江西's 2018 assignments (an entry can be moved from one to the other)."""
    first, second = Assignment.objects.filter(
        province__short_name="江西", task__plan=plan_2018
    ).order_by("task__number")[:2]
    return first, second


def test_page_create_edit_move_and_delete_keep_the_summary(as_user, jiangxi_two, jiangxi_staff):
    first, second = jiangxi_two
    client = as_user(jiangxi_staff)
    assert client.post("/provinces/ledger/new/", entry_data(first)).status_code == 302
    assert (
        client.post("/provinces/ledger/new/", entry_data(first, trainees="30")).status_code == 302
    )
    assert kept() == {first.pk: (2, 2, 150, 0)}
    assert_summary_is_a_recount()

    entry = LedgerEntry.objects.get(trainees=30)
    edited = client.post(
        f"/provinces/ledger/{entry.pk}/edit/", entry_data(first, trainees="40", classes_held="0")
    )
    assert edited.status_code == 302
    assert kept() == {first.pk: (2, 1, 160, 0)}

    moved = client.post(
        f"/provinces/ledger/{entry.pk}/edit/",
        entry_data(second, trainees="40", classes_held="0", enterprises_served="3"),
    )
    assert moved.status_code == 302
    assert kept() == {first.pk: (1, 1, 120, 0), second.pk: (1, 0, 40, 3)}
    assert_summary_is_a_recount()

    assert client.post(f"/provinces/ledger/{entry.pk}/delete/").status_code == 302
    assert kept() == {first.pk: (1, 1, 120, 0)}
    assert_summary_is_a_recount()


def test_a_refused_edit_changes_neither_entry_nor_summary(as_user, jiangxi_two, jiangxi_staff):
    first, _ = jiangxi_two
    client = as_user(jiangxi_staff)
    client.post("/provinces/ledger/new/", entry_data(first))
    entry = LedgerEntry.objects.get()
    refused = client.post(f"/provinces/ledger/{entry.pk}/edit/", entry_data(first, trainees="-5"))
    assert refused.status_code == 200  # the form again, with its message
    assert kept() == {first.pk: (1, 1, 120, 0)}
    assert_summary_is_a_recount()


def test_api_writes_keep_the_summary(as_user, jiangxi_two, jiangxi_staff):
    first, second = jiangxi_two
    client = as_user(jiangxi_staff)
    body = {
        "assignment": first.pk,
        "date": "2018-07-01",
        "kind": "training",
        "description": "培训",
        "responsible_person": "李",
        "classes_held": 1,
        "trainees": 10,
    }
    created = client.post("/api/v1/ledger-entries/", body, content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert kept() == {first.pk: (1, 1, 10, 0)}
    patched = client.patch(
        f"/api/v1/ledger-entries/{pk}/",
        {"assignment": second.pk, "trainees": 25},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert kept() == {second.pk: (1, 1, 25, 0)}
    assert_summary_is_a_recount()
    refused = client.patch(
        f"/api/v1/ledger-entries/{pk}/", {"trainees": "NaN"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert kept() == {second.pk: (1, 1, 25, 0)}
    assert client.delete(f"/api/v1/ledger-entries/{pk}/").status_code == 204
    assert kept() == {}
    assert_summary_is_a_recount()


def test_import_keeps_the_summary_and_a_bad_row_leaves_it_alone(plan_2018, jiangxi_staff):
    jiangxi_2 = Assignment.objects.get(task__number=2, province__short_name="江西")
    second = [2018, 2, "江西", "2018-08-01", "企业服务", "走访企业", "王", 0, 0, 5]
    assert import_ledger(xlsx([GOOD, second]), "l.xlsx", jiangxi_staff, dry_run=False).ok
    assert kept() == {jiangxi_2.pk: (2, 1, 100, 5)}
    bad = [2018, 2, "江西", "2018-13-45", "培训班", "x", "李", 1, 1, 0]
    third = [2018, 2, "江西", "2018-09-01", "培训班", "再培训", "李", 2, 30, 0]
    outcome = import_ledger(xlsx([third, bad]), "l.xlsx", jiangxi_staff, dry_run=False)
    assert not outcome.ok
    assert kept() == {jiangxi_2.pk: (2, 1, 100, 5)}
    assert_summary_is_a_recount()


def test_bulk_writes_keep_the_summary(jiangxi_two):
    first, second = jiangxi_two
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            assignment=a,
            date="2018-07-01",
            kind="training",
            description=f"批量 {i}",
            responsible_person="李",
            trainees=i,
        )
        for a in (first, second)
        for i in range(1, 6)
    )
    assert kept() == {first.pk: (5, 0, 15, 0), second.pk: (5, 0, 15, 0)}
    LedgerEntry.objects.filter(assignment=first, trainees__gt=3).update(assignment=second)
    assert kept() == {first.pk: (3, 0, 6, 0), second.pk: (7, 0, 24, 0)}
    entries = list(LedgerEntry.objects.filter(assignment=second))
    for e in entries:
        e.enterprises_served = 2
    LedgerEntry.objects.bulk_update(entries, ["enterprises_served"])
    assert kept() == {first.pk: (3, 0, 6, 0), second.pk: (7, 0, 24, 14)}
    LedgerEntry.objects.filter(trainees=1).delete()
    assert kept() == {first.pk: (2, 0, 5, 0), second.pk: (6, 0, 23, 12)}
    assert_summary_is_a_recount()
    LedgerEntry.objects.filter(trainees__lt=3).update(description="只改文字")  # no figure
    assert_summary_is_a_recount()


def test_a_rolled_back_write_leaves_the_summary_as_it_was(jiangxi_two):
    first, _ = jiangxi_two
    LedgerEntry.objects.create(
        assignment=first,
        date="2018-07-01",
        kind="training",
        description="留下",
        responsible_person="李",
        trainees=7,
    )

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        LedgerEntry.objects.create(
            assignment=first,
            date="2018-07-02",
            kind="training",
            description="撤销",
            responsible_person="李",
            trainees=9,
        )
        LedgerEntry.objects.filter(description="留下").delete()
        assert kept() == {first.pk: (1, 0, 9, 0)}
        raise Undo
    assert kept() == {first.pk: (1, 0, 7, 0)}
    assert_summary_is_a_recount()


def test_recount_mends_a_drifted_summary(jiangxi_two, capsys):
    first, second = jiangxi_two
    LedgerEntry.objects.create(
        assignment=first,
        date="2018-07-01",
        kind="training",
        description="x",
        responsible_person="李",
        trainees=7,
    )
    LedgerSummary.objects.filter(pk=first.pk).update(trainees=999)
    LedgerSummary.objects.create(assignment=second, entries=4, trainees=1)
    assert kept() != recount()
    call_command("recount_ledger")
    assert "2" in capsys.readouterr().out  # two summaries mended
    assert_summary_is_a_recount()
    assert recount_ledger_summaries() == 0  # nothing left to mend


def test_totals_come_from_the_summary_unless_a_filter_narrows_the_entries(
    as_user, jiangxi_two, jiangxi_staff, hq_reviewer
):
    first, second = jiangxi_two
    for a, kind, trainees in (
        (first, "training", 10),
        (first, "publicity", 5),
        (second, "training", 1),
    ):
        LedgerEntry.objects.create(
            assignment=a,
            date="2018-07-01",
            kind=kind,
            description="x",
            responsible_person="李",
            trainees=trainees,
        )
    assert ledger_totals([first])[first.pk] == {
        "entries": 2,
        "classes_held": 0,
        "trainees": 15,
        "enterprises_served": 0,
    }
    client = as_user(hq_reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/provinces/ledger/?year=2018")
    assert page.status_code == 200
    assert page.context["totals"]["trainees"] == 16 and page.context["totals"]["entries"] == 3
    counted = [
        q["sql"]
        for q in queries
        if 'FROM "provinces_ledgerentry"' in q["sql"] and "COUNT(" in q["sql"]
    ]
    assert counted == []  # no count over the entries: the summaries told it
    task = first.task.number
    narrowed = client.get(f"/provinces/ledger/?year=2018&task={task}&kind=training")
    assert narrowed.status_code == 200
    assert narrowed.context["totals"] == {
        "entries": 1,
        "classes_held": 0,
        "trainees": 10,
        "enterprises_served": 0,
    }
    by_task = client.get(f"/provinces/ledger/?year=2018&task={task}")
    assert by_task.context["totals"]["trainees"] == 15
    api = client.get("/api/v1/ledger-entries/?year=2018")
    assert api.status_code == 200 and api.json()["count"] == 3
    api = client.get("/api/v1/ledger-entries/?year=2018&kind=publicity")
    assert api.status_code == 200 and api.json()["count"] == 1
    # another unit's staff see their own unit's totals only
    assert (
        as_user(jiangxi_staff).get("/provinces/ledger/?year=2018").context["totals"]["entries"] == 3
    )


def test_page_and_api_queries_do_not_grow_with_the_ledger(
    as_user, plan_2018, hq_reviewer, jiangxi_staff
):
    """The same number of queries at two ledger sizes (HQ and a unit, page and API), and
    the page no more than ten: the totals and the count come from the summaries."""
    assignments = list(Assignment.objects.filter(task__plan=plan_2018, taken_up=True))

    def add(n):
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                assignment=a,
                date="2018-07-01",
                kind="training",
                description="x",
                responsible_person="y",
                trainees=2,
            )
            for a in assignments
            for _ in range(n)
        )

    def queries(user, url) -> int:
        client = as_user(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    views = [
        (user, url)
        for user in (hq_reviewer, jiangxi_staff)
        for url in ("/provinces/ledger/", "/api/v1/ledger-entries/")
    ]
    add(1)
    small = [queries(user, url) for user, url in views]
    add(30)
    large = [queries(user, url) for user, url in views]
    assert small == large
    assert small[0] <= 10 and small[2] <= 10
    page = as_user(hq_reviewer).get("/provinces/ledger/")
    assert page.context["totals"]["entries"] == 31 * len(assignments)
    assert page.context["page"].paginator.num_pages == -(-31 * len(assignments) // 50)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_summary(plan_2018):
    """Two units of work adding entries to the same assignments at once, and a third moving
    entries between them: every change lands (each writer adds to the row as it stands)."""
    first, second = Assignment.objects.filter(
        province__short_name="江西", task__plan=plan_2018
    ).order_by("task__number")[:2]
    moving = [
        LedgerEntry.objects.create(
            assignment=first,
            date="2018-07-01",
            kind="training",
            description=f"待移动 {i}",
            responsible_person="李",
            trainees=3,
        )
        for i in range(10)
    ]
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def run(work):
        try:
            start.wait()
            work()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            connection.close()

    def add():
        for i in range(15):
            with transaction.atomic():
                LedgerEntry.objects.create(
                    assignment=(first, second)[i % 2],
                    date="2018-07-02",
                    kind="training",
                    description="并发",
                    responsible_person="王",
                    trainees=1,
                    enterprises_served=1,
                )

    def move():
        for entry in moving:
            entry.assignment = second
            entry.trainees = 4
            entry.save()

    threads = [threading.Thread(target=run, args=(w,)) for w in (add, add, move)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert LedgerEntry.objects.count() == 40
    assert_summary_is_a_recount()
    assert kept()[second.pk][2] == 40 + 14  # ten moved entries of 4, and 14 added of 1
