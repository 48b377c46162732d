"""The reviewed-submission lifecycle, once for registrations, annual summaries and cases."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import IntegrityError

from provinces.api import RegistrationViewSet
from provinces.models import Assignment, Case, Contact, Province, Registration
from reporting.demo import TEXT
from reporting.models import AnnualSummary
from tests.loop.conftest import fill
from workflow.machine import TransitionRefused, history
from workflow.models import TransitionLog
from workflow.review import ReviewState, save_draft

pytestmark = pytest.mark.django_db

MODELS = ["registration", "summary", "case"]
STATES = [value for value, _label in ReviewState.choices]
# transition → the states it may start from; every other state must refuse it.
SOURCES = {
    "submit": {"draft", "returned"},
    "return": {"submitted", "resubmitted"},
    "confirm": {"submitted", "resubmitted"},
    "reopen": {"confirmed"},
}


def make(kind: str, plan):
    jiangxi = Province.objects.get(short_name="江西")
    if kind == "registration":
        a = Assignment.objects.get(task__plan=plan, task__number=2, province=jiangxi)
        return fill(Registration.objects.create(assignment=a))
    if kind == "summary":
        return AnnualSummary.objects.create(plan=plan, province=jiangxi, **TEXT)
    return Case.objects.create(plan=plan, province=jiangxi, title="专利导航", summary="成效")


def put_in(obj, state: str):
    type(obj).objects.filter(pk=obj.pk).update(state=state)  # the table's starting point
    obj.refresh_from_db()
    return obj


def act(obj, transition: str, staff, hq) -> None:
    if transition == "submit":
        obj.submit(staff)
    elif transition == "return":
        obj.return_for_revision(hq, "请补充")
    elif transition == "confirm":
        obj.confirm(hq)
    else:
        obj.reopen(hq, "需要调整")


@pytest.mark.parametrize("kind", MODELS)
def test_each_transition_only_from_its_states(kind, plan_2018, jiangxi_staff, hq_reviewer):
    obj = make(kind, plan_2018)
    model = type(obj)
    for transition, sources in SOURCES.items():
        for state in STATES:
            put_in(obj, state)
            logs = TransitionLog.objects.count()
            if state in sources:
                act(obj, transition, jiangxi_staff, hq_reviewer)
                assert history(obj).last().transition == transition
                assert TransitionLog.objects.count() == logs + 1
                continue
            before = model.objects.values().get(pk=obj.pk)
            with pytest.raises(TransitionRefused, match="不能执行该操作"):
                act(obj, transition, jiangxi_staff, hq_reviewer)
            assert model.objects.values().get(pk=obj.pk) == before, (transition, state)
            assert TransitionLog.objects.count() == logs, (transition, state)


@pytest.mark.parametrize("kind", MODELS)
def test_return_requires_a_reason(kind, plan_2018, jiangxi_staff, hq_reviewer):
    obj = make(kind, plan_2018)
    obj.submit(jiangxi_staff)
    for blank in ("", "   "):
        with pytest.raises(TransitionRefused, match="必须填写理由"):
            obj.return_for_revision(hq_reviewer, blank)
    obj.refresh_from_db()
    assert obj.state == "submitted"
    obj.confirm(hq_reviewer)
    with pytest.raises(TransitionRefused, match="必须填写理由"):
        obj.reopen(hq_reviewer, " ")
    obj.refresh_from_db()
    assert obj.state == "confirmed"
    assert [h.transition for h in history(obj)] == ["submit", "confirm"]


@pytest.mark.parametrize("kind", MODELS)
def test_resubmission_after_a_return_is_marked(kind, plan_2018, jiangxi_staff, hq_reviewer):
    obj = make(kind, plan_2018)
    obj.submit(jiangxi_staff)
    obj.return_for_revision(hq_reviewer, "请补充")
    obj.submit(jiangxi_staff)
    obj.refresh_from_db()
    assert obj.state == "resubmitted" and obj.is_awaiting_review


@pytest.mark.parametrize("kind", MODELS)
def test_stale_instance_never_turns_a_submission_back_into_a_draft(kind, plan_2018, jiangxi_staff):
    stale = make(kind, plan_2018)
    fresh = type(stale).objects.get(pk=stale.pk)
    fresh.submit(jiangxi_staff)  # lands while the stale copy is still on someone's screen
    field = {"registration": "work_content", "summary": "talent", "case": "title"}[kind]
    before = type(stale).objects.values().get(pk=stale.pk)
    with pytest.raises(TransitionRefused, match="已锁定"):
        save_draft(stale, jiangxi_staff, {field: "覆盖"})
    assert type(stale).objects.values().get(pk=stale.pk) == before


@pytest.mark.parametrize("kind", MODELS)
def test_another_unit_cannot_write_or_submit(kind, plan_2018, henan_staff, expert):
    obj = make(kind, plan_2018)
    for outsider in (henan_staff, expert):
        with pytest.raises(TransitionRefused, match="本单位"):
            save_draft(obj, outsider, {})
        with pytest.raises(TransitionRefused, match="本单位"):
            obj.submit(outsider)
    obj.refresh_from_db()
    assert obj.state == "draft"


def test_save_draft_never_writes_what_transitions_own(plan_2018, jiangxi_staff):
    reg = make("registration", plan_2018)
    for field in ("state", "submitted_at", "is_late", "confirmed_at"):
        with pytest.raises(ValueError):
            save_draft(reg, jiangxi_staff, {field: None})


def test_save_draft_replaces_children_in_one_transaction(plan_2018, jiangxi_staff):
    reg = make("registration", plan_2018)
    bad = [Contact(role="liaison", name=n, phone="1", email="a@b.cn") for n in "甲乙"]
    with pytest.raises(IntegrityError):  # one contact per role
        save_draft(reg, jiangxi_staff, {"work_content": "新内容"}, {"contacts": bad})
    reg.refresh_from_db()
    assert reg.work_content != "新内容" and reg.contacts.count() == 2  # rolled back together


def test_concurrent_submit_refuses_the_page_save(as_user, plan_2018, jiangxi_staff):
    """The submit lands between the page's early check and its write: the write refuses."""
    from tests.loop.test_registration import form_data

    reg = make("registration", plan_2018)
    original = Registration.ensure_editable

    def submit_meanwhile(self):
        original(self)
        Registration.objects.get(pk=self.pk).submit(jiangxi_staff)

    url = f"/provinces/assignments/{reg.assignment_id}/"
    with mock.patch.object(Registration, "ensure_editable", submit_meanwhile):
        page = as_user(jiangxi_staff).post(url, form_data(work_content="覆盖"), follow=True)
    assert "“已报送”的任务分解报送已锁定，不能修改。" in page.content.decode()
    reg.refresh_from_db()
    assert reg.state == "submitted" and reg.work_content != "覆盖"
    assert reg.milestones.get().description == "完成站点建设"


def test_concurrent_submit_refuses_the_api_save(as_user, plan_2018, jiangxi_staff):
    """The submit lands after the API loaded the registration: 409, and nothing changes."""
    reg = make("registration", plan_2018)
    original = RegistrationViewSet.get_object

    def submit_meanwhile(self):
        loaded = original(self)
        Registration.objects.get(pk=loaded.pk).submit(jiangxi_staff)
        return loaded

    with mock.patch.object(RegistrationViewSet, "get_object", submit_meanwhile):
        response = as_user(jiangxi_staff).patch(
            f"/api/v1/registrations/{reg.pk}/",
            {"work_content": "覆盖", "milestones": []},
            content_type="application/json",
        )
    assert response.status_code == 409
    assert response.json()["state"] == "submitted" and "已锁定" in response.json()["detail"]
    reg.refresh_from_db()
    assert reg.state == "submitted" and reg.submitted_at and reg.work_content != "覆盖"
    assert reg.milestones.count() == 1


def test_reopening_a_case_withdraws_hq_selection(plan_2018, jiangxi_staff, hq_reviewer):
    case = make("case", plan_2018)
    case.submit(jiangxi_staff)
    case.confirm(hq_reviewer)
    case.select(hq_reviewer, digest=True, publication=True)
    case.reopen(hq_reviewer, "请更新数据")
    case.refresh_from_db()
    assert case.state == "returned"
    assert not case.selected_for_digest and not case.selected_for_publication


def _admin_form(client, url: str, **changes) -> dict:
    """The admin change form as the browser would send it back, with ``changes``."""
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
        for inline in formset.formset.forms:
            data[f"{inline.prefix}-id"] = inline.instance.pk
            data[f"{inline.prefix}-registration"] = inline.instance.registration_id
    return {**data, **changes}


def test_admin_saves_a_draft_through_the_lifecycle(
    as_user, plan_2018, administrator, jiangxi_staff
):
    reg = make("registration", plan_2018)
    client = as_user(administrator)
    url = f"/admin/provinces/registration/{reg.pk}/change/"
    client.post(url, _admin_form(client, url, work_content="管理员更正"))
    reg.refresh_from_db()
    assert reg.work_content == "管理员更正" and reg.state == "draft"
    assert reg.contacts.count() == 2  # the inlines are read-only and untouched

    reg.submit(jiangxi_staff)
    page = client.post(url, _admin_form(client, url, work_content="报送后修改"), follow=True)
    assert "已锁定" in page.content.decode()
    reg.refresh_from_db()
    assert reg.work_content == "管理员更正" and reg.state == "submitted"
