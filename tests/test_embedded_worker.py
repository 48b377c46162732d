"""The embedded default (issue 16, item 3): with no CELERY_BROKER_URL, ``scripts/run`` starts a
Celery worker on kombu's filesystem transport (a queue kept in a folder, no Redis). A job queued
on that transport is picked up by a real worker process and its progress moves to done.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from config.celery import app
from reporting.models import DigestBuild
from reporting.tasks import build_digest_task
from tests.conftest import set_eager

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]

CELERY = Path(sys.executable).with_name("celery")


def worker_database_url() -> str:
    """The test database, as a URL the worker process's settings read."""
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d["PASSWORD"] else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


@pytest.fixture
def embedded_worker(tmp_path):
    """A real ``celery -A config worker`` process on the filesystem transport, as scripts/run
    starts it, reading a queue folder under tmp and writing to the test database."""
    queue = tmp_path / "queue"
    media = tmp_path / "media"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(queue),
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "0",
    }
    env.pop("CELERY_RESULT_BACKEND", None)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(CELERY), "-A", "config", "worker", "--pool=solo", "--without-mingle"]
            + ["--without-gossip", "--without-heartbeat", "--loglevel=INFO"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield queue, media, log
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def queue_on_folder(queue: Path, build: DigestBuild) -> None:
    """Queue the digest task on the filesystem transport, as the app does under scripts/run."""
    for sub in ("messages", "control"):
        (queue / sub).mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(queue / "messages"),
        "data_folder_out": str(queue / "messages"),
        "control_folder": str(queue / "control"),
        "store_processed": False,
    }
    set_eager(app, False)  # the tests run tasks in-process unless told otherwise
    try:
        with Connection("filesystem://", transport_options=options) as broker:
            build_digest_task.apply_async((build.pk,), connection=broker)
    finally:
        set_eager(app, True)


def test_a_job_queued_on_the_filesystem_transport_is_picked_up_and_moves(
    plan_2018, hq_reviewer, embedded_worker
):
    queue, media, log = embedded_worker
    build = DigestBuild.objects.create(plan=plan_2018, requested_by=hq_reviewer)
    queue_on_folder(queue, build)
    seen: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        build.refresh_from_db()
        if not seen or seen[-1] != build.progress:
            seen.append(build.progress)
        if build.is_finished:
            break
        time.sleep(0.05)
    assert build.state == DigestBuild.State.DONE, (build.state, build.error, log.read_text())
    assert build.progress == 100 and build.pages > 0
    assert (media / build.file.name).read_bytes().startswith(b"%PDF")
    # the bar moved: the page saw the job between queued (0) and done (100), never backwards
    assert any(0 < p < 100 for p in seen), seen
    assert seen == sorted(seen), seen
    # and it was the worker process, not this one, that ran it
    assert "Task reporting.build_digest[" in log.read_text()
