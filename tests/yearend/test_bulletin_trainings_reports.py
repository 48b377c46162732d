"""Training classes and confirmed task reports in the progress bulletins (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
import weasyprint
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provinces.models import Province, TaskReport, TaskReportDefinition, TaskReportField
from provinces.plans import rollover_plan
from reporting.models import Bulletin
from tests.conftest import client_for
from tests.network.conftest import training

pytestmark = pytest.mark.django_db


def bulletin_of(plan) -> Bulletin:
    return Bulletin.objects.create(
        plan=plan,
        title="第三季度工作进展",
        period_start=date(2018, 7, 1),
        period_end=date(2018, 9, 30),
    )


def task_report(plan, short_name: str = "江西", state: str = "confirmed", title="企业应用成果报告"):
    definition, _ = TaskReportDefinition.objects.get_or_create(
        task=plan.tasks.get(number=6), title=title, defaults={"due_date": date(plan.year, 11, 30)}
    )
    field, _ = TaskReportField.objects.get_or_create(definition=definition, label="应用成果")
    return TaskReport.objects.create(
        definition=definition,
        province=Province.objects.get(short_name=short_name),
        values={field.key: f"{short_name}企业运用专利信息开发新产品"},
        state=state,
    )


def form_data(bulletin, **items) -> dict:
    return {
        "title": bulletin.title,
        "period_start": "2018-07-01",
        "period_end": "2018-09-30",
        "introduction": "",
        **items,
    }


def test_hq_selects_classes_and_confirmed_reports_on_the_page(plan_2018, hq_reviewer, monkeypatch):
    unit_class = training(plan_2018, "江西", 2, title="江西专利信息利用培训班")
    hq_class = training(plan_2018, None, 8, title="专利信息人才培训班")
    confirmed = task_report(plan_2018)
    draft = task_report(plan_2018, "河南", state="draft")
    bulletin = bulletin_of(plan_2018)
    hq = client_for(hq_reviewer)
    form = hq.get(f"/reporting/bulletins/{bulletin.pk}/edit/").content.decode()
    assert "江西专利信息利用培训班" in form and "专利信息人才培训班" in form
    assert f'name="task_reports" value="{confirmed.pk}"' in form
    assert f'name="task_reports" value="{draft.pk}"' not in form  # only confirmed ones
    response = hq.post(
        f"/reporting/bulletins/{bulletin.pk}/edit/",
        form_data(bulletin, trainings=[unit_class.pk, hq_class.pk], task_reports=[confirmed.pk]),
    )
    assert response.status_code == 302
    assert set(bulletin.trainings.all()) == {unit_class, hq_class}
    assert list(bulletin.task_reports.all()) == [confirmed]

    page = hq.get(bulletin.get_absolute_url()).content.decode()
    for text in ("江西专利信息利用培训班", "专利信息人才培训班", "专利文献部", "企业应用成果报告"):
        assert text in page
    assert "江西企业运用专利信息开发新产品" in page

    rendered = []

    class Capture:
        def __init__(self, string):
            rendered.append(string)

        def write_pdf(self):
            return b"%PDF-1.4"

    monkeypatch.setattr(weasyprint, "HTML", Capture)
    assert hq.get(f"/reporting/bulletins/{bulletin.pk}/pdf/").content.startswith(b"%PDF")
    assert "专利信息人才培训班" in rendered[0]
    assert "江西企业运用专利信息开发新产品" in rendered[0]


def test_the_page_refuses_a_class_or_report_of_another_year(plan_2018, hq_reviewer, administrator):
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    other_class = training(plan_2019, "江西", 2, title="2019年的培训班")
    other_report = task_report(plan_2019)
    draft = task_report(plan_2018, "河南", state="draft")
    bulletin = bulletin_of(plan_2018)
    hq = client_for(hq_reviewer)
    response = hq.post(
        f"/reporting/bulletins/{bulletin.pk}/edit/", form_data(bulletin, trainings=[other_class.pk])
    )
    assert response.status_code == 200
    assert (
        "培训班“2019年的培训班”属于2019年度，只能收录2018年度计划的培训班。"
        in response.content.decode()
    )
    for report in (other_report, draft):
        response = hq.post(
            f"/reporting/bulletins/{bulletin.pk}/edit/",
            form_data(bulletin, task_reports=[report.pk]),
        )
        assert f"专项报送“{report}”不是2018年度已确认的报送，不能收录。" in (
            response.content.decode()
        )
    assert not bulletin.trainings.exists() and not bulletin.task_reports.exists()


def test_the_api_selects_them_and_refuses_another_year(plan_2018, hq_reviewer, administrator):
    hq_class = training(plan_2018, None, 8, title="专利信息人才培训班")
    confirmed = task_report(plan_2018)
    body = {
        "year": 2018,
        "title": "第三季度工作进展",
        "period_start": "2018-07-01",
        "period_end": "2018-09-30",
        "trainings": [hq_class.pk],
        "task_reports": [confirmed.pk],
    }
    hq = client_for(hq_reviewer)
    created = hq.post("/api/v1/bulletins/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["trainings"] == [hq_class.pk]
    assert created.json()["task_reports"] == [confirmed.pk]
    bulletin = Bulletin.objects.get(pk=created.json()["id"])
    assert list(bulletin.trainings.all()) == [hq_class]

    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    other_class = training(plan_2019, "江西", 2, title="2019年的培训班")
    other_report = task_report(plan_2019)
    refused = hq.patch(
        f"/api/v1/bulletins/{bulletin.pk}/",
        {"trainings": [other_class.pk], "task_reports": [other_report.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["trainings"] == [
        "培训班“2019年的培训班”属于2019年度，只能收录2018年度计划的培训班。"
    ]
    assert refused.json()["task_reports"] == [
        f"专项报送“{other_report}”不是2018年度已确认的报送，不能收录。"
    ]
    assert list(bulletin.trainings.all()) == [hq_class]


def _grow(plan, bulletin, n):
    for _ in range(n):
        bulletin.trainings.add(
            training(plan, "江西", 2, title=f"培训班{bulletin.trainings.count()}")
        )
        short = Province.objects.exclude(task_reports__isnull=False).order_by("sort_order")[0]
        bulletin.task_reports.add(task_report(plan, short.short_name))


def test_the_bulletin_page_reads_a_fixed_number_of_queries(plan_2018, hq_reviewer):
    bulletin = bulletin_of(plan_2018)
    hq = client_for(hq_reviewer)
    counts = []
    for n in (1, 6):
        _grow(plan_2018, bulletin, n - (len(counts) and 1))
        read = []
        for path in (bulletin.get_absolute_url(), f"/reporting/bulletins/{bulletin.pk}/edit/"):
            with CaptureQueriesContext(connection) as queries:
                assert hq.get(path).status_code == 200
            read.append(len(queries))
        counts.append(read)
    assert bulletin.trainings.count() == 6 and bulletin.task_reports.count() == 6
    assert counts[0] == counts[1], counts  # the page and the form, whatever they carry
    assert counts[0][0] == 11, counts  # the bulletin page, pinned


def test_the_demo_bulletin_carries_the_quarters_classes(db):
    call_command("seed_demo", verbosity=0)
    bulletin = Bulletin.objects.get(plan__year=2018)
    assert bulletin.trainings.exists()
    assert not bulletin.trainings.exclude(start_date__range=(date(2018, 7, 1), date(2018, 9, 30)))


@pytest.mark.parametrize("bad", ["99999999999999999999", "abc", "-1"])
def test_ticked_ids_that_name_no_row_are_left_out_not_a_500(plan_2018, hq_reviewer, bad):
    bulletin = bulletin_of(plan_2018)
    data = form_data(bulletin, trainings=[], task_reports=[])
    data.update({name: [bad] for name in ("entries", "cases", "project_reports", "trainings")})
    response = client_for(hq_reviewer).post(f"/reporting/bulletins/{bulletin.pk}/edit/", data)
    assert response.status_code == 302
    assert not bulletin.entries.exists() and not bulletin.trainings.exists()
