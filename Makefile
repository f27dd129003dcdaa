# Irikteu — the two commands of the README, and the checks CI runs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run install test lint check bench eval-deps browser clean

## run: install everything, migrate, load the demo data and serve on 127.0.0.1:8000
run: $(STAMP)
	$(BIN)/irikteu migrate
	$(BIN)/irikteu seed-demo
	$(BIN)/irikteu serve

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## test: the whole test suite (SQLite always; PostgreSQL and Redis variants when they answer)
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

check: lint test

## bench: the performance benchmarks (not tests): ratios against a baseline run beside them
bench: $(STAMP)
	$(BIN)/python -m evaluation.bench.bench_legislation
	$(BIN)/python -m evaluation.bench.bench_replay
	$(BIN)/python -m evaluation.bench.bench_asr
	$(BIN)/python -m evaluation.bench.bench_aes

## eval-deps: system tools the evaluations need (espeak-ng speaks the SYNTHETIC ASR sentences); not the tests
eval-deps:
	apt-get install -y espeak-ng || (apt-get update && apt-get install -y espeak-ng)

## browser: Debian's chromium and chromium-driver for the pages' browser tests (Playwright drives the system
## binary; no browser download); installed only when missing (the CI machine runs as root)
browser:
	test -x /usr/bin/chromium || apt-get install -y chromium chromium-driver \
		|| (apt-get update && apt-get install -y chromium chromium-driver)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
