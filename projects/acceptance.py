"""What HQ's acceptance page shows beside the project's own history, from the apps above.

projects knows nothing of the money; funding (above it) registers a panel here from its
``AppConfig.ready()``, and the acceptance page renders every registered panel. A panel is
``panel(request, application) -> str`` returning safe HTML (``render_to_string``), or ""
when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from .models import Application

Panel = Callable[[HttpRequest, Application], str]

_panels: list[Panel] = []


def register_panel(panel: Panel) -> Panel:
    if panel not in _panels:  # a module may be imported again (autoreload)
        _panels.append(panel)
    return panel


def panels(request: HttpRequest, application: Application) -> list[str]:
    """Each registered panel's HTML for the project, in registration order, empty ones left out."""
    return [html for panel in _panels if (html := panel(request, application))]
