"""Real-browser journeys: Playwright drives Debian's chromium against Django's live server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connections

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: scripts/bootstrap --test installs it")
    # While Playwright's event loop runs in this thread, Django keeps this thread's database
    # connections per async context (asgiref's Local), not per thread: the connection opened
    # before would be left open, and the one opened during the journeys too, and the test
    # database could not be dropped ("being accessed by other users"). Close each side.
    connections.close_all()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        connections.close_all()
        browser.close()


class Journey:
    """A person at a browser: log in, go places, keep screenshots of the key pages."""

    def __init__(self, browser, live_server, name: str, width: int = 1280) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844},
            locale="zh-CN",
            is_mobile=width <= 600,
            has_touch=width <= 600,
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        # Actions that cannot be undone ask first (static/js/app.js): this person says yes.
        self.dialogs: list[str] = []
        self.page.on("dialog", self._accept)
        self.base = live_server.url
        self.name = name
        self.shots = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _accept(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def login(self, username: str, password: str = "pw-for-tests-only"):
        self.context.clear_cookies()
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        return self.page

    def shot(self, label: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def journey(browser, live_server, request):
    j = Journey(browser, live_server, request.node.name)
    yield j
    j.close()


PHONE_WIDTH = 390  # an everyday phone held upright (CSS pixels)


@pytest.fixture
def phone(browser, live_server, request):
    """The same person on a phone: 390 CSS pixels wide, touch, mobile viewport."""
    j = Journey(browser, live_server, request.node.name, width=PHONE_WIDTH)
    yield j
    j.close()
