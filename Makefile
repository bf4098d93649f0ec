# The commands the README shows. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := symptom_journal

.PHONY: run test lint format demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

## run: install, upgrade the database, serve on http://127.0.0.1:$(PORT) with two workers
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c python:symptom_journal.gunicorn_conf --bind 127.0.0.1:$(PORT) --access-logfile - 'symptom_journal:create_app()'

## test: install the dev extras and run the whole suite
test: $(VENV)/.installed-dev
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
