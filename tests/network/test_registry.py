"""The registry itself: its rules, who sees what, rollover, and targets counted from classes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from provinces.ledger import target_progress
from provinces.models import Assignment, LedgerEntry, NetworkEntity, Province, TrainingClass
from provinces.plans import rollover_plan
from tests.network.conftest import entity, training


def test_a_base_needs_its_level_and_a_station_its_subkind(plan_2018):
    jiangxi = Province.objects.get(short_name="江西")
    base = NetworkEntity(plan=plan_2018, province=jiangxi, kind="base", name="基地")
    with pytest.raises(ValidationError) as exc:
        base.clean()
    assert "level" in exc.value.message_dict
    station = NetworkEntity(plan=plan_2018, province=jiangxi, kind="station", name="站点")
    with pytest.raises(ValidationError) as exc:
        station.clean()
    assert "subkind" in exc.value.message_dict
    outlet = NetworkEntity(
        plan=plan_2018, province=jiangxi, kind="outlet", name="网点", subkind="branch"
    )
    with pytest.raises(ValidationError) as exc:
        outlet.clean()
    assert "subkind" in exc.value.message_dict


def test_a_station_belongs_to_a_base_of_its_own_unit_and_year(plan_2018):
    henan_base = entity(plan_2018, "河南", "河南基地", kind="base", level="key")
    station = NetworkEntity(
        plan=plan_2018,
        province=Province.objects.get(short_name="江西"),
        kind="station",
        subkind="liaison",
        name="联络点",
        parent=henan_base,
    )
    with pytest.raises(ValidationError) as exc:
        station.clean()
    assert "parent" in exc.value.message_dict


def test_the_contact_phone_is_normalised_and_checked(plan_2018):
    jiangxi = Province.objects.get(short_name="江西")
    e = NetworkEntity(
        plan=plan_2018, province=jiangxi, kind="outlet", name="网点", contact_phone="0791 8600 0000"
    )
    e.clean()
    assert e.contact_phone == "07918600" + "0000"
    e.contact_phone = "12345"
    with pytest.raises(ValidationError):
        e.clean()


def test_units_see_their_own_entities_and_hq_sees_all(
    jiangxi_outlet, henan_outlet, jiangxi_staff, hq_reviewer, expert
):
    assert list(NetworkEntity.objects.visible_to(jiangxi_staff)) == [jiangxi_outlet]
    assert set(NetworkEntity.objects.visible_to(hq_reviewer)) == {jiangxi_outlet, henan_outlet}
    assert not NetworkEntity.objects.visible_to(expert).exists()


def test_units_see_their_own_and_hqs_classes_but_not_another_units(
    plan_2018, jiangxi_staff, henan_staff, hq_reviewer, expert
):
    hq_class = training(plan_2018, None, 8, "专利信息人才培训班")
    jiangxi_class = training(plan_2018, "江西", 2, "江西培训班")
    assert set(TrainingClass.objects.visible_to(jiangxi_staff)) == {hq_class, jiangxi_class}
    assert set(TrainingClass.objects.visible_to(henan_staff)) == {hq_class}
    assert set(TrainingClass.objects.visible_to(hq_reviewer)) == {hq_class, jiangxi_class}
    assert not TrainingClass.objects.visible_to(expert).exists()
    # HQ changes only its own classes, a unit only its own
    assert list(TrainingClass.objects.own(hq_reviewer)) == [hq_class]
    assert list(TrainingClass.objects.own(jiangxi_staff)) == [jiangxi_class]


def test_a_class_ends_after_it_starts_within_the_plans_window(plan_2018):
    from datetime import date

    c = TrainingClass(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=2),
        title="x",
        start_date=date(2018, 9, 2),
        end_date=date(2018, 9, 1),
        place="南昌",
    )
    with pytest.raises(ValidationError) as exc:
        c.clean()
    assert "end_date" in exc.value.message_dict
    c.start_date, c.end_date = date(2016, 1, 1), date(2016, 1, 2)
    with pytest.raises(ValidationError) as exc:
        c.clean()
    assert "start_date" in exc.value.message_dict


def test_rollover_carries_the_network_into_the_next_year(plan_2018, administrator):
    base = entity(plan_2018, "北京", "北京基地", kind="base", level="key")
    entity(plan_2018, "北京", "海淀服务站", kind="station", subkind="service_station", parent=base)
    entity(plan_2018, "北京", "已停止的联盟", kind="alliance", state="stopped")
    plan_2019 = rollover_plan(plan_2018, 2019, administrator)
    carried = NetworkEntity.objects.filter(plan=plan_2019)
    assert set(carried.values_list("name", flat=True)) == {"北京基地", "海淀服务站"}
    station = carried.get(name="海淀服务站")
    assert station.parent.plan == plan_2019 and station.parent.name == "北京基地"
    # 2018's own entities stay where they were
    assert NetworkEntity.objects.filter(plan=plan_2018).count() == 3


def test_training_targets_count_training_classes_not_ledger_numbers(plan_2018):
    beijing = Assignment.objects.get(task__number=1, province__short_name="北京")
    LedgerEntry.objects.create(
        assignment=beijing,
        date="2018-08-01",
        kind="training",
        description="培训",
        responsible_person="张",
        classes_held=5,
    )
    [progress] = target_progress(beijing)
    assert progress.target.metric == "classes_held" and progress.done == 0
    training(plan_2018, "北京", 1, "第一期")
    training(plan_2018, "江苏", 1, "另一个单位的")  # not Beijing's
    training(plan_2018, None, 1, "专利文献部的")  # not Beijing's either
    [progress] = target_progress(beijing)
    assert progress.done == 1 and not progress.met
    training(plan_2018, "北京", 1, "第二期")
    [progress] = target_progress(beijing)
    assert progress.done == 2 and progress.met
