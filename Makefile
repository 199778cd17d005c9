# Flarewatch developer commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATASETS ?= ../shared/datasets
# torch is pinned to the CPU build this machine family ships; a bare `torch` would pull GBs of CUDA.
TORCH  ?= torch==2.13.0

.PHONY: install install-test demo test test-fast lint format bench bench-quick bench-latency bench-memory eval train-sentiment browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py src/flarewatch/query/_native.py src/flarewatch/query/_engine.pyx $(wildcard src/flarewatch/query/_engine_*.pxi)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e '.[test,transformers]'
	touch $@

## install: create .venv and install Flarewatch with its runtime dependencies
install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## browser: the Debian Chromium that the browser tests drive through Playwright
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

## demo: replay the bundled crisis and serve the dashboard on http://127.0.0.1:8000
demo: install
	$(BIN)/flarewatch demo

## test: the whole suite (SQLite and PostgreSQL, browser tests in headless Chromium)
test: install-test browser
	$(BIN)/pytest -n 2 --dist loadgroup -q

test-fast: install-test
	$(BIN)/pytest -n 2 -q -m "not browser"

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## bench: speed figures → docs/benchmarks.md
bench: install-test
	$(BIN)/python -m bench.run_all --output docs/benchmarks.md

bench-quick: install-test
	$(BIN)/python -m bench.run_all --quick

## bench-latency: the long latency run (1,000 posts/s, 6 bursts; ~4.5 min) → its section of docs/benchmarks.md
bench-latency: install-test
	$(BIN)/python -m bench.run_all --only bench.bench_latency --full --output docs/benchmarks.md

## bench-memory: peak RSS of 200,000- and 1,000,000-post imports (tens of minutes) → docs/benchmarks.md
bench-memory: install-test
	$(BIN)/python -m bench.run_all --only bench.bench_memory --full --output docs/benchmarks.md

## eval: sentiment quality → docs/quality.md, detection quality → docs/detection.md
eval: install-test
	$(BIN)/python -m flarewatch.enrich.training.evaluate --datasets $(DATASETS) --output docs/quality.md
	$(BIN)/python -m flarewatch.detect.evaluate --output docs/detection.md

## train-sentiment: retrain the shipped sentiment model from the labelled data
train-sentiment: install-test
	$(BIN)/python -m flarewatch.enrich.training.train --datasets $(DATASETS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache src/*.egg-info
