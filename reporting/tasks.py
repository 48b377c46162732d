from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from .digest import build_digest
from .models import DigestBuild


@shared_task(name="reporting.build_digest", acks_late=True)
def build_digest_task(build_id: int) -> int:
    """Build one DigestBuild, recording progress on the row for the page to poll."""
    claimed = DigestBuild.objects.filter(pk=build_id, state=DigestBuild.State.QUEUED).update(
        state=DigestBuild.State.RUNNING, progress=1
    )
    if not claimed:
        return build_id  # already built (or building) by another worker
    build = DigestBuild.objects.select_related("plan").get(pk=build_id)

    def progress(pct: int, step: str) -> None:
        DigestBuild.objects.filter(pk=build_id).update(progress=pct, step=step[:200])

    try:
        pdf, pages = build_digest(build.plan, progress)
    except Exception as exc:  # noqa: BLE001 - record any failure for the person waiting
        DigestBuild.objects.filter(pk=build_id).update(
            state=DigestBuild.State.FAILED, error=str(exc)[:4000], finished_at=timezone.now()
        )
        raise
    build.file.save(f"digest-{build.plan.year}-{build.pk}.pdf", ContentFile(pdf), save=False)
    DigestBuild.objects.filter(pk=build_id).update(
        file=build.file.name,
        size=len(pdf),
        pages=pages,
        state=DigestBuild.State.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    return build_id
