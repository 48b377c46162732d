from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile

from .digest import build_digest
from .models import DigestBuild


@shared_task(name="reporting.build_digest", acks_late=True)
def build_digest_task(build_id: int) -> int:
    """Build one DigestBuild, recording progress on the row for the page to poll."""
    if not DigestBuild.claim(build_id):
        return build_id  # already built (or building) by another worker
    build = DigestBuild.objects.select_related("plan").get(pk=build_id)
    try:
        pdf, pages = build_digest(build.plan, build.report)
    except Exception as exc:  # noqa: BLE001 - record any failure for the person waiting
        build.fail(str(exc))
        raise
    build.file.save(f"digest-{build.plan.year}-{build.pk}.pdf", ContentFile(pdf), save=False)
    build.finish(file=build.file.name, size=len(pdf), pages=pages)
    return build_id
