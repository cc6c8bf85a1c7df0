# Every target uses the project's own virtualenv; `make help` lists them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test lint format lock fixtures bench instructions

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## Create .venv with the locked dependencies and the dev tools

run: install ## Set up the SQLite database with the seed data and serve on http://127.0.0.1:8000 (PORT=8001 for another port)
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed
	DJANGO_DEBUG=1 DJANGO_LOG_FORMAT=$${DJANGO_LOG_FORMAT:-text} $(PY) manage.py runserver $(HOST):$(PORT)

test: install ## Run the whole test suite (DATABASE_URL picks the database; SQLite by default)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install ## Benchmark pages, API, search and import under gunicorn with wrk (BENCH_STATEMENTS=10000)
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || { echo "installing wrk (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

instructions: install ## Count each bench target's instructions a request with callgrind (BENCH_ONLY, BENCH_STATEMENTS=1000)
	@command -v valgrind >/dev/null || [ "$$(id -u)" != 0 ] || { echo "installing valgrind (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
	$(PY) bench/instructions.py

lint: install ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: ## Re-resolve pyproject.toml into requirements.lock (pinned, with hashes)
	$(PYTHON) -m venv /tmp/mofa-lock-venv && /tmp/mofa-lock-venv/bin/pip install --quiet uv
	/tmp/mofa-lock-venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --quiet -o requirements.lock

FIXTURE_DB := var/fixtures.sqlite3
fixtures: install ## Rebuild fixtures/seed.json from seeds/ (import + curated facts) in a scratch database
	mkdir -p var && rm -f $(FIXTURE_DB)
	DJANGO_DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/$(FIXTURE_DB) $(PY) manage.py migrate --noinput -v0
	DJANGO_DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/$(FIXTURE_DB) $(PY) manage.py build_fixtures
	rm -f $(FIXTURE_DB)

# --- Operations: backup, restore (docs/deploying.md, step 8) ---------------------------
.PHONY: backup restore

backup: install ## Write a dated backup of the database to var/backups/ (BACKUP_DIR)
	$(PY) manage.py backup

restore: install ## Load FILE=var/backups/mofa-….json.gz into an empty database (migrates first)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/mofa-<time>.json.gz"; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py restore "$(FILE)"

# --- Operations: serving ---------------------------------------------------------------
.PHONY: serve loadtest

serve: install ## Serve in production mode (DJANGO_DEBUG=0) with gunicorn: migrate, collectstatic, then gunicorn on HOST:PORT
	DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=0 HOST=$(HOST) PORT=$(PORT) exec $(VENV)/bin/gunicorn --config mofa_site/gunicorn.conf.py

loadtest: install ## Soak gunicorn with wrk: a mix of pages and API, 32 connections, 60 s (LOADTEST_*); fails on any error or >10% memory growth
	$(PY) bench/loadtest.py
