#!/usr/bin/env bash
# Run every fault script in turn; exits non-zero if any failed. Each script is
# bounded in time; SOAK_SECONDS shortens the soak (default 60 s).
# Output goes to the terminal and to bench/out/faults.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
mkdir -p bench/out
status=0
{
    for script in pg_restart redis_stop pool_exhaustion gunicorn_signals slow_clients; do
        echo "### $script"
        timeout 180 "$PY" "bench/faults/$script.py" || status=1
        echo
    done
    echo "### soak"
    timeout 300 "$PY" bench/faults/soak.py --duration "${SOAK_SECONDS:-60}" || status=1
    # The scratch Redis is ours to stop; the scratch PostgreSQL is kept for the next run
    # (stop it with: su pgops -c '/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/hearth-ops-pg stop').
    redis-cli -p "${FAULTS_REDIS_PORT:-56379}" shutdown nosave >/dev/null 2>&1
    echo
    if [ "$status" -eq 0 ]; then echo "ALL FAULT SCRIPTS PASSED"; else echo "SOME FAULT SCRIPTS FAILED"; fi
    exit "$status"
} 2>&1 | tee bench/out/faults.txt
exit "${PIPESTATUS[0]}"
