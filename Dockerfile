# workplan: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH

# CJK fonts: without them every Chinese glyph in the digest PDF is an empty box.
# postgresql-client: bookworm's is 15, the version of the db service (pg_dump must match).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 \
      libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DEBUG=1 python manage.py compilemessages -v0 --ignore=/opt/venv \
 && SECRET_KEY=build CELERY_BROKER_URL=memory:// python manage.py collectstatic --noinput -v0

RUN useradd --create-home workplan && mkdir -p /app/var/media /app/var/backups && chown -R workplan /app/var
USER workplan
EXPOSE 8000
# gunicorn.conf.py (in /app, the working directory) says how: workers, threads, keep-alive.
CMD ["gunicorn", "--bind", "0.0.0.0:8000"]
