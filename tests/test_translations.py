"""Every string marked for translation has an English translation, and sentences are whole.

The catalogue is not regenerated in the repository (that rewrites it and makes merges
conflict): ``makemessages`` runs on a copy, and every message it finds must have a
translation in the committed catalogue.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

SOURCE_DIRS_EXCLUDED = {"tests", "locale", "static", "var", "scripts", "artifacts"}


def _unquote(line: str) -> str:
    return (
        line[line.index('"') + 1 : line.rindex('"')]
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def untranslated(po: Path) -> list[str]:
    """The msgids of ``po`` that are fuzzy or have an empty msgstr (the header aside)."""
    missing = []
    for block in re.split(r"\n\s*\n", po.read_text(encoding="utf-8")):
        lines = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("#~")]
        if not any(ln.startswith("msgid") for ln in lines):
            continue
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        parts: dict[str, str] = {}
        key = None
        for ln in lines:
            if ln.startswith("#"):
                continue
            if ln.startswith('"'):
                parts[key] += _unquote(ln)
            else:
                key = ln.split(" ", 1)[0]
                parts[key] = _unquote(ln)
        msgid = parts.get("msgid", "")
        if not msgid:
            continue  # the header
        strs = [v for k, v in parts.items() if k.startswith("msgstr")]
        if fuzzy or not strs or not all(strs):
            missing.append(msgid)
    return missing


def test_makemessages_finds_no_untranslated_string(tmp_path):
    """Python code and templates: run makemessages on a copy of the catalogue."""
    base = Path(settings.BASE_DIR)
    # The sources, copied into a tree whose own locale/ is the copy, so that makemessages
    # writes there and never into the repository: not even its temporary ``x.txt.py`` files,
    # which through links would appear in the tree other tests read at the same time.
    for entry in base.iterdir():
        if entry.name.startswith(".") or entry.name in SOURCE_DIRS_EXCLUDED:
            continue
        if entry.is_dir() and ((entry / "__init__.py").exists() or entry.name == "templates"):
            shutil.copytree(
                entry, tmp_path / entry.name, ignore=shutil.ignore_patterns("__pycache__")
            )
    shutil.copytree(base / "locale", tmp_path / "locale")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
            call_command(
                "makemessages",
                locale=["en"],
                no_obsolete=True,
                extensions=["html", "txt", "py"],
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    fresh = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    text = fresh.read_text(encoding="utf-8")
    # it did read the sources: a model's word, a template's, a view's
    assert 'msgid "立项所需专家评审数"' in text and 'msgid "特批理由"' in text
    assert 'msgid "请至少选择一项。"' in text
    missing = untranslated(fresh)
    assert not missing, (
        "add English translations at the end of locale/en/LC_MESSAGES/django.po for:\n"
        + "\n".join(missing)
    )


def test_the_parser_sees_a_missing_and_a_fuzzy_translation(tmp_path):
    """The check above must be able to fail."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "已译"\nmsgstr "Done"\n\n'
        'msgid "未译"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"模糊 %(n)s"\nmsgstr "Fuzzy %(n)s"\n\n'
        '#~ msgid "废弃"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    assert untranslated(po) == ["未译", "模糊 %(n)s"]


def test_a_case_selection_is_recorded_as_one_translatable_sentence(
    jiangxi_staff, hq_reviewer, plan_2018
):
    from provinces.models import Case, Province
    from workflow.machine import history

    case = Case.objects.create(
        plan=plan_2018,
        province=Province.objects.get(short_name="江西"),
        title="企业专利导航",
        summary="x",
        state=Case.State.CONFIRMED,
    )
    with translation.override("en"):
        case.select(hq_reviewer, digest=True, publication=True)
    case.select(hq_reviewer, digest=True, publication=False)
    assert [h.reason for h in history(case) if h.transition == "select"] == [
        "Selected for the digest and for publication",
        "选入年度汇编",
    ]


@pytest.mark.django_db
def test_command_output_is_translated():
    with translation.override("en"), pytest.raises(CommandError, match="There is no plan for 1999"):
        call_command("build_digest", year=1999, output="/dev/null")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_plan", "/nonexistent/notice.txt")


@pytest.mark.django_db
def test_rollover_and_reminder_commands_speak_the_language(capsys):
    with translation.override("en"), pytest.raises(CommandError, match="There is no plan for 1999"):
        call_command("rollover_plan", 1999, 2000)
    with translation.override("en"):
        call_command("send_reminders")
    assert "Reminders: 0 sent, 0 failed, 0 skipped" in capsys.readouterr().out
    call_command("send_reminders")
    assert "提醒：新发送 0 封" in capsys.readouterr().out


def test_funding_rules_speak_the_language():
    from funding.models import Allocation
    from planning.models import Task

    with translation.override("en"):
        try:
            Allocation(plan_id=1, task=Task(pk=5, plan_id=2)).clean()
        except ValidationError as exc:
            assert exc.message_dict == {"task": ["The task does not belong to this year's plan."]}
        else:  # pragma: no cover
            raise AssertionError("the rule did not refuse")
