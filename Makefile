# Kraftverk: `make run` serves the app, `make test` runs every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
THREADS ?= 4
PACKAGES := app method workshops evaluations config.py run.py
export HOST PORT

.PHONY: bytecode translations-update run cluster system-cluster test test-sqlite test-postgres bench lint format translations system-run system-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

system-run:
	@sh .ci/system-packages run

system-test:
	@sh .ci/system-packages test

system-cluster:
	@sh .ci/system-packages cluster

# The app's own modules compiled ahead, as pip compiles the packages it installs: where
# PYTHONDONTWRITEBYTECODE is set (container images often set it), every process would compile
# them again at start (0.15-0.2 s of each command and app server). Only changed files are redone.
bytecode: $(BIN)/python
	@$(BIN)/python -m compileall -q $(PACKAGES) > /dev/null

translations: $(VENV)/.run-installed
	@$(BIN)/pybabel compile -d app/translations > /dev/null

run: system-run $(VENV)/.run-installed translations bytecode
	$(BIN)/flask --app run db upgrade
	$(BIN)/flask --app run demo --if-empty
	@echo "Serving Kraftverk on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	$(BIN)/gunicorn --config python:app.gunicorn_conf --workers $(WORKERS) --worker-class gthread \
		--threads $(THREADS) --bind $(HOST):$(PORT) --access-logfile - --forwarded-allow-ips '' run:app

# A regional host on this machine: PostgreSQL, two app servers, nginx in front (docs/deploy.md).
cluster: system-cluster $(VENV)/.run-installed translations bytecode
	$(BIN)/python -m app.cluster

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r $(PACKAGES) -ll

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on SQLite, then the database tests again on a throwaway PostgreSQL.
test: system-test $(VENV)/.dev-installed translations lint test-sqlite test-postgres

test-sqlite:
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=30

test-postgres:
	sh .ci/with-postgres $(BIN)/python -m pytest -m db -p no:xdist -q

bench: system-test $(VENV)/.dev-installed translations bytecode
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# After changing user-visible text: extract it and merge it into the five catalogues.
translations-update: $(VENV)/.dev-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--omit-header -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching \
		--ignore-obsolete
