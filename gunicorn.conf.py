"""How every gunicorn of this app serves (``scripts/run``, ``scripts/load``, the Docker
image): gunicorn reads this file from the working directory. The command line adds only
``--bind`` (and ``--workers`` where a script chooses)."""

import os

wsgi_app = "config.wsgi:application"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 120
# An idle keep-alive connection is held this long. Gunicorn's default (2 s) closes
# connections that a client or a proxy (nginx keeps them 75 s) is about to reuse: a request
# written just as the server closes gets a reset, not an answer. Idle connections wait in
# gthread's poller, not in a thread.
keepalive = 75
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
