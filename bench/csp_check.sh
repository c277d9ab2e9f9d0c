#!/usr/bin/env bash
# Load the HTML pages in headless Chromium under production settings and fail
# if the Content-Security-Policy blocks anything (Chromium logs each violation
# to its console). Pages that do not exist yet (API docs) are skipped.
# Usage: bench/csp_check.sh   (needs chromium; uses DATABASE_URL or SQLite)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18508}
WORK=$(mktemp -d /tmp/hearth-csp.XXXXXX)
export DJANGO_DEBUG=false DJANGO_SECURE_SSL_REDIRECT=false DJANGO_BROWSABLE_API=true
export DJANGO_SECRET_KEY=csp-check-only-0123456789abcdefghijklmnopqrstuvwxyz
export DJANGO_ALLOWED_HOSTS=127.0.0.1 GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=1
export DATABASE_URL=${DATABASE_URL:-sqlite:///$WORK/db.sqlite3}
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/gunicorn config.wsgi -c gunicorn.conf.py >"$WORK/gunicorn.log" 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

failed=0
for path in /admin/login/ /api-auth/login/ /api/ /api/properties/ /api/docs/ /api/redoc/; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/html' "http://127.0.0.1:$PORT$path")
    if [ "$status" = 404 ]; then echo "SKIP  $path (404: not built yet)"; continue; fi
    violations=$(timeout 30 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr \
        --v=0 --virtual-time-budget=3000 --dump-dom "http://127.0.0.1:$PORT$path" 2>&1 >/dev/null \
        | grep -i "content security policy" || true)
    if [ -n "$violations" ]; then
        echo "FAIL  $path ($status)"; echo "$violations" | head -5; failed=1
    else
        echo "PASS  $path ($status): no CSP violation"
    fi
done
exit $failed
