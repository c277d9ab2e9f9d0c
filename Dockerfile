# syntax=docker/dockerfile:1
# Build stage: wheels compiled once, in a layer cached until requirements change.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install -r requirements.txt

# Runtime stage: the virtualenv and the code, run as an unprivileged user.
FROM python:3.11-slim
ENV PATH="/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    MEDIA_ROOT=/data/media
RUN useradd --create-home --uid 10001 hearth && mkdir -p /data/media && chown hearth /data/media
COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=hearth . .
# collectstatic needs settings to load; the throwaway key never reaches a running container.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input
USER hearth
EXPOSE 8000
# Django answers 400 to a Host it does not serve, so the probe sends the first
# allowed host name rather than 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; host = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.*') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=2)"]
# gunicorn stops gracefully on TERM: requests in flight finish (graceful_timeout).
STOPSIGNAL SIGTERM
# config.asgi under uvicorn workers: requests are received whole before a thread
# works on them, so slow clients cannot tie the server up (gunicorn.conf.py).
CMD ["gunicorn", "config.asgi", "--config", "gunicorn.conf.py"]
