# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# Tests run on every core (pytest-xdist); PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= auto

.PHONY: run test install install-test db clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make re-runs instant; they are redone when pyproject.toml changes.
.make-install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

.make-install-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch .make-install $@

install: .make-install
install-test: .make-install-test

db: install
	$(FLASK) db upgrade
	$(FLASK) tracker roles load
	$(FLASK) tracker demo --if-empty

run: db
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/ (SQLite in instance/, Ctrl+C to stop)"
	@echo "Demo logins: hr.admin@demo.example.com (admin), maya.chen@demo.example.com (manager),"
	@echo "             dev.patel@demo.example.com (hire), ... all with password onboard-demo-2026"
	@echo ""
	TRACKER_CONFIG=development BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) tracker serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .make-install .make-install-test .pytest_cache .hypothesis instance
