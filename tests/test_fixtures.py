"""The suite's own set-up: uploads stay in a temporary folder; plan_2018 survives a flush."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from planning.models import Plan
from projects.models import Attachment
from provinces.models import Assignment, Evidence


@pytest.mark.parametrize("model", [Evidence, Attachment])
def test_uploads_are_written_under_the_temporary_media_root(model, tmp_path_factory):
    storage = model._meta.get_field("file").storage
    name = storage.save("probe.txt", ContentFile(b"x"))
    path = Path(storage.path(name))
    assert path.read_bytes() == b"x"
    assert path.is_relative_to(tmp_path_factory.getbasetemp())
    assert not path.is_relative_to(Path(settings.BASE_DIR) / "var")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_plan_2018_is_whole_after_another_test_flushed_the_database(plan_2018, run):
    assert Plan.objects.get() == plan_2018
    assert plan_2018.tasks.count() == 10
    jiangxi = Assignment.objects.filter(task__plan=plan_2018, province__short_name="江西")
    assert jiangxi.filter(task__number=2).exists()
