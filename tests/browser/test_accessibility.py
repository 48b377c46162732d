"""Accessibility gate: axe-core finds no critical or serious violation on the main pages of
every role. One browser session walks every page (one login per role)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.main_pages import set_the_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"critical", "serious"}


def test_main_pages_of_every_role_have_no_serious_accessibility_violation(journey, plan_2018):
    cast = set_the_stage(plan_2018)
    axe = Axe()  # injected with page.evaluate: the app's CSP forbids inline <script> tags
    found, checked, console_errors, broken = [], 0, [], []
    journey.page.on(
        "console",
        lambda m: console_errors.append(f"{m.text} {m.location.get('url', '')}")
        if m.type == "error"
        else None,
    )
    journey.page.on(
        "response",
        lambda r: broken.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    for role, paths in cast.pages.items():
        journey.login(cast.users[role])
        for path in paths:
            page = journey.go(path)
            assert page.locator("main").count() == 1, (role, path)
            results = axe.run(page)
            checked += 1
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = [" ".join(n["target"]) for n in violation["nodes"][:3]]
                    found.append(
                        f"{role} {path}: [{violation['impact']}] {violation['id']}: "
                        f"{violation['help']} ({len(violation['nodes'])}×, e.g. {targets})"
                    )
    assert checked == sum(len(p) for p in cast.pages.values())
    assert not found, "\n".join(found)
    assert not broken, broken  # every stylesheet, script and image the pages ask for is there
    assert not console_errors, console_errors  # e.g. a script the CSP refused
