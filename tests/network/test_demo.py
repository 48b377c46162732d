"""The demo: 2018 and the current year have units' entities and classes, and HQ's four."""

from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from provinces.models import NetworkEntity, TrainingClass


def test_the_demo_records_the_network_and_classes_of_both_years(db):
    call_command("seed_demo", verbosity=0)
    this_year = timezone.localdate().year
    hq_2018 = TrainingClass.objects.filter(plan__year=2018, province__isnull=True)
    assert sorted(hq_2018.values_list("task__number", flat=True)) == [3, 8, 8, 8]
    assert hq_2018.filter(title__contains="专利信息人才培训班").count() == 2
    assert hq_2018.filter(title__contains="网点业务培训班").count() == 1
    assert hq_2018.filter(title__contains="公益讲座").count() == 1
    for year in (2018, this_year):
        entities = NetworkEntity.objects.filter(plan__year=year)
        assert entities.values("province").distinct().count() >= 5
        assert entities.filter(
            kind="station", parent__kind="base", parent__plan__year=year
        ).exists()
        classes = TrainingClass.objects.filter(plan__year=year)
        assert classes.filter(province__isnull=False).values("province").distinct().count() >= 3
        assert classes.filter(province__isnull=True).count() == 4
    # stopped entities are not carried into the current year
    assert not NetworkEntity.objects.filter(plan__year=this_year, state="stopped").exists()
    counts = NetworkEntity.objects.count(), TrainingClass.objects.count()
    call_command("seed_demo", verbosity=0)
    assert (NetworkEntity.objects.count(), TrainingClass.objects.count()) == counts
