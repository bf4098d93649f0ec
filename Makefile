# The commands the README shows. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := symptom_journal

.PHONY: run test lint format demo bench clean system-run system-test lock

# The system libraries each command needs (installed with apt-get when run as root).
system-run:
	@tools/system-packages run
system-test:
	@tools/system-packages test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exact versions with hashes from requirements/ (see `make lock`), then the project itself.
$(VENV)/.installed: requirements/run.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/run.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(VENV)/.installed $@

# The lock's own tool, outside the lock (it must run when the lock is out of date).
$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet 'uv>=0.13,<0.14'

## lock: after a change to the dependencies in pyproject.toml, pin them again (kept versions stay);
## newer releases with `make lock LOCK_ARGS=--upgrade` or `LOCK_ARGS="--upgrade-package NAME"`
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 --generate-hashes $(LOCK_ARGS)
lock: $(BIN)/uv
	$(LOCK) -o requirements/run.txt
	$(LOCK) --extra dev -o requirements/dev.txt

## run: install, upgrade the database, serve on http://127.0.0.1:$(PORT) with two workers
run: system-run $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c python:symptom_journal.gunicorn_conf --bind 127.0.0.1:$(PORT) 'symptom_journal:create_app()'

## test: install the dev extras and run the whole suite
test: system-test $(VENV)/.installed-dev
	$(BIN)/pytest

## lint: ruff (lint and format) and mypy
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## demo: create a demo patient with six months of data and print its login
demo: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data

## bench: the benchmarks in bench/ (see bench/README.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/summary.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
