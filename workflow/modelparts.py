"""What many models declare alike, written once: their ``Meta`` and who did something to a row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import models


def meta(
    name: Any,
    *,
    base: type | None = None,
    unique: Mapping[str, Sequence[str]] | None = None,
    **options: Any,
) -> type:
    """A model's ``Meta``: its name, the same in the singular and the plural (a Chinese noun
    has no plural), and its other options (``ordering``, ``constraints``, ``indexes``…).

    ``unique`` names each plain unique constraint and its fields (``{"one_reply_per_unit":
    ("notice", "province")}``); ``base`` is the parent's ``Meta`` to extend
    (``StoredFile.Meta``), as ``class Meta(…)`` would. Written in a model's body as
    ``Meta = meta(_("通知"), ordering=[…])``.
    """
    if unique:
        options["constraints"] = [
            *options.get("constraints", ()),
            *(models.UniqueConstraint(fields=list(f), name=n) for n, f in unique.items()),
        ]
    options = {"verbose_name": name, "verbose_name_plural": name, **options}
    return type("Meta", (base,) if base else (), options)


def by_user(*, on_delete=models.PROTECT, blank: bool = False) -> models.ForeignKey:
    """Who did something to a row (created, sent, read or signed it): no reverse accessor,
    and empty for what the system does itself (imports, the demo, periodic jobs)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=on_delete, null=True, blank=blank, related_name="+"
    )
