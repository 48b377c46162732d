"""What planning announces to the apps above it, which it never imports.

``plan_published`` is sent (``sender=Plan``, ``plan=…``, ``by=…``) inside the transaction
that publishes a plan, after its units were told. An app above connects a receiver in its
``AppConfig.ready()``: reporting pre-fills the new year's registrations from the units'
summaries of the year before. A receiver that raises undoes the publication.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_published = Signal()
