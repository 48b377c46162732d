"""Rendered pages kept until anything is written: a generational page cache.

The most read pages (the board, the ledger, the to-do, the funding lists and the API lists)
are rendered once and then served from the cache until the data changes. A view takes part
by saying so (:func:`cached_page` on a function view, ``cached_actions`` on a viewset);
nothing else in a view changes.

**When a page is stale.** Every statement that writes through Django's database connection
(the ORM's saves, conditional ``UPDATE``s, ``bulk_create``, raw SQL, migrations) moves the
*generation*, a token in the shared cache, and a page is served only under the generation it
was rendered in. No model or service has to remember to invalidate anything: the connection
reports the write itself (an execute wrapper, installed on every connection). A write outside
a transaction moves the token at once; a transaction's writes move it when it commits, once.
A request reads the generation *before* it reads any data and files its page under that
generation, so a page rendered from the data as it was before a commit is never served after
it. Inside a transaction (a test's, or a view's own ``atomic`` block) no page is served or
kept: the request could see its own writes before they are committed.

**Whose page.** The key is the session, the user it signed in (its id and password hash as
the session holds them) and the CSRF cookie (the page's forms carry the session's token), the address with its query, the language, the ``Accept`` and
``Accept-Encoding`` headers, the database and the day in Asia/Shanghai (what is overdue
changes at midnight). Only a signed-in user's ``GET`` answered ``200`` without setting a
cookie (but the CSRF cookie renewed) is kept, and never while a message waits to be
shown. Entries expire after
``PAGE_CACHE_SECONDS`` whatever happens.

**What a kept page costs.** The session, and one round trip to the cache for the generation
and the page together. The user is not read: the page was kept for this session's user under
this generation, after Django had checked the session against the user, and nothing has been
written since (a password changed, a user made inactive or given another role or unit are
writes), so the check would come out the same.

**Where it is on.** The generation must be seen by every process that writes, so settings
turn the page cache on where the cache is shared (Redis, ``CACHE_URL``); the test suite turns
it on for its one process. ``manage.py check`` warns when it is on over a per-process cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages import get_messages
from django.core import checks
from django.core.cache import cache
from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

GENERATION_KEY = "workplan:pagecache:generation"
PAGE_PREFIX = "workplan:pagecache:page:"
# Statements that read (or only manage the transaction): anything else counts as a write.
READ = re.compile(
    r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|SHOW|EXPLAIN|ANALYZE|PRAGMA|SET)\b",
    re.IGNORECASE,
)


def cached_page(view: Callable) -> Callable:
    """Mark a function view's ``GET`` as kept in the page cache (see the module)."""
    view.cached_page = True
    return view


# --- The generation ----------------------------------------------------------------


def bump() -> None:
    """Move the generation: every page rendered before now is stale."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # the cache is down: pages are not served from it either (below)
        logger.exception("page cache: the generation could not be moved")


def written(connection) -> None:
    """A statement wrote through ``connection``: move the generation now, or when the
    transaction commits (registered once per transaction)."""
    if not connection.in_atomic_block:
        bump()
    elif not any(entry[1] is bump for entry in connection.run_on_commit):
        connection.on_commit(bump, robust=True)


def note_writes(execute, sql, params, many, context):
    """The execute wrapper on every connection (``connection.execute_wrappers``)."""
    result = execute(sql, params, many, context)
    if not READ.match(sql):
        written(context["connection"])
    return result


def watch(sender, connection, **kwargs) -> None:
    """``connection_created``: put the write watcher on the connection (once)."""
    if note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(note_writes)


def connect() -> None:
    """From ``WorkflowConfig.ready``: every connection opened from now on is watched."""
    connection_created.connect(watch, dispatch_uid="workflow.pagecache.watch")


# --- Which requests ------------------------------------------------------------------


def is_marked(view_func, request: HttpRequest) -> bool:
    """A function view marked with :func:`cached_page`, or a viewset action it names in
    ``cached_actions``."""
    if getattr(view_func, "cached_page", False):
        return True
    actions = getattr(view_func, "actions", None) or {}
    cached = getattr(getattr(view_func, "cls", None), "cached_actions", ())
    return actions.get(request.method.lower()) in cached


def page_key(request: HttpRequest) -> str:
    parts = (
        default_connection.settings_dict["NAME"],
        request.session.get(SESSION_KEY),
        request.session.get(HASH_SESSION_KEY),
        request.session.session_key or "",
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        getattr(request, "LANGUAGE_CODE", ""),
        request.get_full_path(),
        request.headers.get("Accept", ""),
        request.headers.get("Accept-Encoding", ""),
        timezone.localdate().isoformat(),
    )
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return PAGE_PREFIX + digest


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A 200 for the user the session names, that sets no cookie. Django sends the CSRF
    cookie again with every page that has a form, to renew it: that one is allowed when it
    carries the secret the request came with (the page's token is this session's)."""
    csrf = settings.CSRF_COOKIE_NAME
    renewed = {name: morsel.value for name, morsel in response.cookies.items()}
    user = request.user  # read by the view already
    return (
        response.status_code == 200
        and user.is_authenticated
        and str(user.pk) == str(request.session.get(SESSION_KEY))
        and not response.streaming
        and "no-store" not in response.get("Cache-Control", "")
        and renewed.keys() <= {csrf}
        and renewed.get(csrf, request.COOKIES.get(csrf)) == request.COOKIES.get(csrf)
    )


class PageCacheMiddleware:
    """Serve a marked view's page from the cache, or keep the page it renders.

    It sits above ``GZipMiddleware``, so a page is kept as sent (compressed when the client
    takes gzip) and a hit is not compressed again; the middleware below it (session, CSRF,
    security headers, CSP) still runs on every response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_page_cache", None)
        if pending is not None and _storable(request, response):
            key, generation = pending
            entry = (generation, list(response.items()), response.content)
            try:
                cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.exception("page cache: a page could not be kept")
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.PAGE_CACHE or request.method != "GET":
            return None
        if not is_marked(view_func, request) or default_connection.in_atomic_block:
            return None
        if SESSION_KEY not in request.session:  # signed in with a session (not a token)
            return None
        if len(get_messages(request)):
            return None
        key = page_key(request)
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
                generation = cache.get(GENERATION_KEY)
        except Exception:
            logger.exception("page cache: unreachable, the page is rendered")
            return None
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            response = HttpResponse(entry[2])
            for header, value in entry[1]:
                response[header] = value
            return response
        request._page_cache = (key, generation)
        return None


@checks.register(checks.Tags.caches)
def check_shared_cache(app_configs, **kwargs):
    """The page cache over a cache each process keeps for itself would miss other
    processes' writes (a Celery worker's, a second gunicorn worker's)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "PAGE_CACHE is on over a per-process cache (LocMemCache).",
                hint="Set CACHE_URL to the Redis every process shares, or PAGE_CACHE=0.",
                id="workflow.W001",
            )
        ]
    return []
