# Every target sets up .venv when it is missing (or when pyproject.toml changed).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: all venv generate check lint typecheck test test-fast golden bench clean

all: generate

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

generate: $(STAMP)
	$(PY) -m generator generate

check: $(STAMP)
	$(PY) -m generator check

lint: $(STAMP)
	$(PY) -m ruff check generator tests bench

typecheck: $(STAMP)
	$(PY) -m mypy --strict generator

test: lint typecheck
	$(PY) -m pytest -q

# everything but the slow whole-snapshot and formatter-equivalence tests (marker `slow`)
test-fast: lint typecheck
	$(PY) -m pytest -q -m "not slow"

golden: $(STAMP)
	$(PY) -m generator generate
	$(PY) -m tests.golden

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
