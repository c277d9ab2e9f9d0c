# Hearth: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format install bench bench-api bench-growth bench-imports bench-sync faults clean

# The marker file is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# A developer machine runs in debug, so manage.py works without a secret key.
# Deployments set real environment variables; .env is git- and docker-ignored.
.env:
	printf '# Local development only (written by make install; never deploy it).\nDJANGO_DEBUG=true\n' > $@

install: $(VENV)/.installed .env

run: export DJANGO_DEBUG ?= true
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST)

# Tests run in parallel (pytest-xdist), one worker per core: the fuzz tests alone
# make thousands of requests. PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Fault-tolerance scripts (minutes, not part of `make test`): a scratch PostgreSQL
# and Redis on their own ports, a real gunicorn, load. SOAK_SECONDS=20 shortens the soak.
faults: install
	bench/faults/run_all.sh

# The read API under load (issue 7): Hearth (gunicorn, production settings) against the
# FastAPI reference in bench/reference/ and a pgbench floor; it DROPS and recreates the
# PostgreSQL database hearth_bench_api. See bench/README.md; options: BENCH_API_ARGS=--help.
bench: install
	$(BIN)/python -m bench.api $(BENCH_API_ARGS)

# The same, under the name the first benchmark runs were recorded with.
bench-api: bench

# Issue 18: what each read endpoint costs PostgreSQL at 100k and at 1M listings (EXPLAIN
# ANALYZE medians) and the growth between them. Builds hearth_bench_100k and hearth_bench_1m
# when missing and keeps them. BENCH_GROWTH_ARGS=--help.
bench-growth: install
	$(BIN)/python -m bench.api.growth --create $(BENCH_GROWTH_ARGS)

# Times import_listings and seed_demo at 100,000 rows. It FLUSHES the database
# DATABASE_URL names: point it at a scratch PostgreSQL database.
bench-imports: install
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to a scratch PostgreSQL database."; exit 2; }
	$(BIN)/python bench/import_listings.py $(BENCH_ARGS)

# MLS sync throughput (records/s) from a loopback RESO source, full and 1% incremental,
# with 1 and 4 workers. It FLUSHES the database DATABASE_URL names. BENCH_SYNC_ARGS=--help.
bench-sync: install
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to a scratch PostgreSQL database."; exit 2; }
	$(BIN)/python bench/mls_sync.py $(BENCH_SYNC_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
