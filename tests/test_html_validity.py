"""The main pages of every role are valid HTML for the Nu HTML checker (vnu-jar on Java)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import client_for
from tests.main_pages import set_the_stage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_main_pages_pass_the_nu_html_checker(plan_2018, tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip(
            "Java is missing: the Nu HTML checker (vnu.jar) needs it, so this check is skipped"
        )
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: scripts/bootstrap --test installs vnu-jar")
    from accounts.models import User

    cast = set_the_stage(plan_2018)
    files: dict[str, str] = {}
    for role, paths in cast.pages.items():
        client = client_for(User.objects.get(username=cast.users[role]))
        for i, path in enumerate(paths):
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            page = tmp_path / f"{role}-{i:02d}.html"
            page.write_bytes(response.content)
            files[f"file:{page}"] = f"{role} {path}"
    # One Java process for every page (starting the checker costs more than checking a page).
    run = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *sorted(p for p in tmp_path.glob("*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]  # 1: errors found; else it did not run
    messages = json.loads(run.stderr)["messages"]
    errors = [
        f"{files.get(m.get('url'), m.get('url'))} line {m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert not errors, "\n".join(errors)
    assert len(files) == sum(len(p) for p in cast.pages.values())
