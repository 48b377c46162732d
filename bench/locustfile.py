"""The load run's clients (locust, headless; started by ``scripts/load``, in their own
processes apart from the app servers).

Environment:
  LOAD_HOSTS     comma-separated base URLs; each request goes to one at random (two app
                 servers share sessions, so a user logged in on one is logged in on both)
  LOAD_SESSIONS  a JSON file {"hq": session key, "jiangxi": session key} made by the script
  LOAD_TARGET    "app" (board, ledger, to-do, API lists) or "floor" (/health/ only)
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

HOSTS = [h.rstrip("/") for h in os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8000").split(",")]
TARGET = os.environ.get("LOAD_TARGET", "app")
SESSION_COOKIE = os.environ.get("LOAD_SESSION_COOKIE", "sessionid")

# (weight, who, path, name in the report)
PAGES = [
    (3, "hq", "/provinces/board/", "board (HQ)"),
    (2, "hq", "/provinces/ledger/", "ledger (HQ)"),
    (2, "jiangxi", "/provinces/ledger/", "ledger (江西)"),
    (2, "jiangxi", "/provinces/todo/", "to-do (江西)"),
    (1, "hq", "/api/v1/ledger-entries/", "API ledger-entries"),
    (1, "hq", "/api/v1/assignments/", "API assignments (HQ)"),
    (1, "jiangxi", "/api/v1/assignments/", "API assignments (江西)"),
    (1, "hq", "/api/v1/registrations/", "API registrations"),
]
WEIGHTED = [page for page in PAGES for _ in range(page[0])]


def _sessions() -> dict[str, str]:
    path = os.environ.get("LOAD_SESSIONS")
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


SESSIONS = _sessions()


class Visitor(HttpUser):
    host = HOSTS[0]
    wait_time = between(0, 0.2)

    def _get(self, who: str | None, path: str, name: str) -> None:
        cookies = {SESSION_COOKIE: SESSIONS[who]} if who else {}
        url = random.choice(HOSTS) + path
        headers = {"Accept-Encoding": "gzip"}
        with self.client.get(
            url,
            name=name,
            cookies=cookies,
            headers=headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                # status 0: no answer at all; say why (reset, refused, timed out)
                why = f": {response.error!r}" if not response.status_code else ""
                response.failure(f"{response.status_code} for {path}{why}")

    @task
    def visit(self) -> None:
        if TARGET == "floor":
            self._get(None, "/health/", "floor /health/")
        else:
            _weight, who, path, name = random.choice(WEIGHTED)
            self._get(who, path, name)
