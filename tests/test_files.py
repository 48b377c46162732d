"""One file model, one attach function: a file and its row commit or roll back together."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from projects.models import Attachment
from provinces.models import Assignment, CaseEvidence, Evidence, LedgerEntry
from tests.conftest import client_for
from workflow.files import StoredFile, attach

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


class Boom(Exception):
    """Something failing later in the same request, after the files were attached."""


@pytest.fixture
def media(settings, tmp_path):
    """Stored files go to a temporary folder; the test reads what is really on disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def entry(plan_2018) -> LedgerEntry:
    return LedgerEntry.objects.create(
        assignment=Assignment.objects.get(task__number=2, province__short_name="江西"),
        date="2018-07-15",
        kind="training",
        description="举办专利信息利用培训班",
        responsible_person="李江",
    )


def test_the_three_file_models_share_one_abstract_model():
    for model in (Evidence, CaseEvidence, Attachment):
        assert issubclass(model, StoredFile)
    # the tables and their data stay where they were
    assert Evidence._meta.db_table == "provinces_evidence"
    assert CaseEvidence._meta.db_table == "provinces_caseevidence"
    assert Attachment._meta.db_table == "projects_attachment"


@pytest.mark.django_db(transaction=True)
def test_committed_attach_keeps_row_and_file(media, entry, jiangxi_staff):
    with transaction.atomic():
        [evidence] = attach(
            Evidence, [SimpleUploadedFile("签到表.pdf", PDF)], jiangxi_staff, entry=entry
        )
    evidence.refresh_from_db()
    assert evidence.original_name == "签到表.pdf" and evidence.size == len(PDF)
    assert evidence.content_type == "application/pdf" and evidence.uploaded_by == jiangxi_staff
    assert evidence.file.name.startswith("evidence/") and "签到表" not in evidence.file.name
    assert stored_files(media) == [evidence.file.name]
    assert default_storage.open(evidence.file.name).read() == PDF


@pytest.mark.django_db(transaction=True)
def test_rolled_back_attach_leaves_no_file_behind(media, entry, jiangxi_staff):
    with pytest.raises(Boom), transaction.atomic():
        attach(Evidence, [SimpleUploadedFile("签到表.pdf", PDF)], jiangxi_staff, entry=entry)
        assert len(stored_files(media)) == 1  # written while the transaction is open
        raise Boom
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_rolled_back_savepoint_removes_only_its_own_files(media, entry, jiangxi_staff):
    kept = attach(Evidence, [SimpleUploadedFile("保留.pdf", PDF)], jiangxi_staff, entry=entry)
    with pytest.raises(Boom), transaction.atomic():
        attach(Evidence, [SimpleUploadedFile("撤销.pdf", PDF)], jiangxi_staff, entry=entry)
        raise Boom
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["保留.pdf"]
    assert stored_files(media) == [kept[0].file.name]


def test_one_bad_file_stores_none_and_names_every_problem(media, entry, jiangxi_staff):
    uploads = [
        SimpleUploadedFile("好.pdf", PDF),
        SimpleUploadedFile("坏.pdf", EXE),
        SimpleUploadedFile("脚本.exe", EXE),
    ]
    with pytest.raises(ValidationError) as refused:
        attach(Evidence, uploads, jiangxi_staff, entry=entry)
    assert len(refused.value.messages) == 2
    assert "坏.pdf" in refused.value.messages[0] and "脚本.exe" in refused.value.messages[1]
    assert not Evidence.objects.exists() and stored_files(media) == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_deletion_keeps_row_and_file(media, entry, jiangxi_staff):
    [evidence] = attach(
        Evidence, [SimpleUploadedFile("签到表.pdf", PDF)], jiangxi_staff, entry=entry
    )
    with pytest.raises(Boom), transaction.atomic():
        entry.delete()  # the evidence row goes by cascade
        raise Boom
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert stored_files(media) == [evidence.file.name]


@pytest.mark.django_db(transaction=True)
def test_committed_deletion_removes_the_files_page_and_api(media, entry, jiangxi_staff):
    client = client_for(jiangxi_staff)
    [one] = attach(Evidence, [SimpleUploadedFile("一.pdf", PDF)], jiangxi_staff, entry=entry)
    [two] = attach(Evidence, [SimpleUploadedFile("二.pdf", PDF)], jiangxi_staff, entry=entry)
    assert client.post(f"/provinces/evidence/{one.pk}/delete/").status_code == 302
    assert stored_files(media) == [two.file.name]
    assert client.delete(f"/api/v1/ledger-entries/{entry.pk}/").status_code == 204
    assert not Evidence.objects.exists() and stored_files(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_earlier_commit_hook_does_not_remove_a_committed_file(
    media, entry, jiangxi_staff
):
    def fail():
        raise Boom  # e.g. a notification dispatched on commit, whose broker is down

    with pytest.raises(Boom), transaction.atomic():
        transaction.on_commit(fail)  # runs first; Django then drops the hooks after it
        [evidence] = attach(
            Evidence, [SimpleUploadedFile("签到表.pdf", PDF)], jiangxi_staff, entry=entry
        )
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert stored_files(media) == [evidence.file.name]


def test_every_file_model_follows_its_owners_visibility(jiangxi_staff, hq_reviewer, expert):
    """One rule: a file is visible exactly when the row it belongs to is (FileQuerySet)."""
    from django.apps import apps as django_apps
    from django.db import models as dj_models

    from workflow.files import StoredFile

    file_models = [m for m in django_apps.get_models() if issubclass(m, StoredFile)]
    assert len(file_models) >= 8
    for model in file_models:
        owner = model._meta.get_field(model.owner_field)
        assert isinstance(owner, dj_models.ForeignKey), model
        assert owner.column in str(model.objects.visible_to(hq_reviewer).query), model
        for user in (jiangxi_staff, hq_reviewer, expert):
            assert model.objects.visible_to(user).exists() is False, (model, user)
