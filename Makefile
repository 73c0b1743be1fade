# Nabolaget: every target sets up what it needs (system packages, the
# virtual environment, a PostGIS database) and is safe to run again.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint format bench load setup system venv db messages demo worker stop-db clean backup restore

run: setup demo ## Migrate, load the demo municipality, serve http://127.0.0.1:8000 with the worker
	@HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

# The suite runs in parallel (pytest-xdist): one worker per core, at most 4, each with its
# own test database (test_nabolaget_gw0, ...). TEST_WORKERS=N chooses; TEST_WORKERS=0 runs
# every test in one process, as a plain pytest does.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$((n > 4 ? 4 : n)))

test: setup lint ## Run the whole test suite, browser tests included, on every core
	$(PY) -m pytest -n $(TEST_WORKERS)

fuzz: setup ## The bad-input corpus in both nb and en for every case, schemathesis with 1000 examples per operation
	NABOLAGET_CORPUS_ALL_LANGUAGES=1 NABOLAGET_SCHEMATHESIS_EXAMPLES=$${NABOLAGET_SCHEMATHESIS_EXAMPLES:-1000} $(PY) -m pytest tests/hardening -q

# Every benchmark runs and prints even when an earlier one found a problem (a disagreement
# with raw SQL, a response not 200); make fails at the end, naming the ones that did.
bench: setup ## Measure imports, lookups, the map, the planner, the digests, a hearing, a budget, the representation and a panel (a 120,000-person register, a selection among 500, its survey's results) against ogr2ogr, raw SQL or COPY, and the delivery to 10,000 followers
	@failed=""; \
	for bench in "run" "planner --reuse" "digests --reuse" "hearings --reuse" "budgets --reuse" "representation --reuse" "panels --reuse" "panels_survey --reuse" "follows --reuse"; do \
	  echo "$(PY) -m tests.bench.$$bench"; \
	  $(PY) -m tests.bench.$$bench || failed="$$failed tests.bench.$${bench%% *}"; \
	done; \
	if [ -n "$$failed" ]; then echo "make bench: problems found by:$$failed (see their reports above)"; exit 1; fi

backup: venv db ## Dump the database and the uploaded files into backups/<timestamp>/
	$(MANAGE) backup

restore: venv db ## Restore BACKUP=backups/<timestamp> [DATABASE=name] [REPLACE=1] into a fresh database
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/<timestamp> [DATABASE=name] [REPLACE=1]"; exit 2; }
	$(MANAGE) restore "$(BACKUP)" $(if $(DATABASE),--database "$(DATABASE)") $(if $(REPLACE),--replace)

load: setup $(VENV)/.installed-load ## 200 simulated users (locust) against gunicorn on loopback, 1,000,000 priorities
	$(PY) -m tests.load.run $(LOAD_ARGS)

lint: venv ## ruff: lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

setup: system venv db messages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) createcachetable -v 0

system:
	@bash scripts/ensure-system.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

$(VENV)/.installed-load: $(VENV)/.installed
	$(VENV)/bin/pip install -q -e '.[dev,load]'
	touch $@

venv: system $(VENV)/.installed

db: system
	@bash scripts/ensure-db.sh

messages: venv
	$(MANAGE) compilemessages -v 0 --ignore=.venv

worker: setup ## Run the background worker alone, started again whenever it stops
	@bash scripts/worker.sh

demo: setup
	$(MANAGE) load_demo

stop-db: ## Stop the private PostgreSQL cluster
	@bash scripts/stop-db.sh

clean: stop-db ## Remove the virtual environment and the private database
	rm -rf $(VENV) .local
