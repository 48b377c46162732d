from __future__ import annotations

import pytest

from provinces.models import Assignment, Contact, Milestone, Registration


def fill(registration: Registration) -> Registration:
    """A complete registration, ready to submit."""
    registration.work_content = "组织本省专利信息利用能力培训，建设服务站点。"
    registration.expected_results = "举办培训班 2 期，服务企业 30 家。"
    registration.save()
    Contact.objects.update_or_create(
        registration=registration,
        role="responsible",
        defaults=dict(name="李处长", title="处长", phone="0791-86000000", email="li@jxipo.gov.cn"),
    )
    Contact.objects.update_or_create(
        registration=registration,
        role="liaison",
        defaults=dict(name="王联络", title="科员", phone="13800138000", email="wang@jxipo.gov.cn"),
    )
    if not registration.milestones.exists():
        Milestone.objects.create(
            registration=registration, due_date="2018-09-30", description="完成站点建设"
        )
    return registration


@pytest.fixture
def jiangxi_task2(plan_2018) -> Assignment:
    return Assignment.objects.get(task__plan=plan_2018, task__number=2, province__short_name="江西")


@pytest.fixture
def henan_task2(plan_2018) -> Assignment:
    return Assignment.objects.get(task__plan=plan_2018, task__number=2, province__short_name="河南")


@pytest.fixture
def jiangxi_registration(jiangxi_task2) -> Registration:
    return fill(Registration.objects.create(assignment=jiangxi_task2))


@pytest.fixture
def submitted(jiangxi_registration, jiangxi_staff) -> Registration:
    from provinces.services import submit_registration

    return submit_registration(jiangxi_registration, jiangxi_staff)
