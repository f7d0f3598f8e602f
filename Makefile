# Lifeline: `make run` starts the index, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo $(HOME)/.pyenv/versions/3.12.1/bin/python)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run test test-quick coverage install lock lint format demo worker clean bench

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info >= (3, 12), "Lifeline needs Python 3.12+"'
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## Set up (venv, dependencies, database, demo data) and start the index on http://localhost:$(PORT)
run: install
	$(BIN)/lifeline migrate --no-input
	$(BIN)/lifeline demo --if-empty
	LIFELINE_DEBUG=$${LIFELINE_DEBUG:-1} PORT=$(PORT) $(BIN)/lifeline serve --port $(PORT)

## Run the whole suite (browser journeys and real pip/uv/twine included)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The fast tests only: no browser, no real clients
test-quick: install
	$(BIN)/python -m pytest -m "not browser and not clients" $(PYTEST_ARGS)

## Branch coverage of the fast tests; fails below 90% in the packages that guard accounts
COVERED := lifeline/accounts/mfa lifeline/recovery lifeline/tokens lifeline/index/upload lifeline/desk
coverage: install
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -m "not browser and not clients" -q $(PYTEST_ARGS)
	@fail=0; for pkg in $(COVERED); do \
	  pct=$$($(BIN)/coverage report --include="$$pkg/*" --format=total); \
	  printf '%-24s %s%%\n' "$$pkg" "$$pct"; \
	  awk -v p="$$pct" 'BEGIN{exit !(p+0 < 90)}' && fail=1; \
	done; exit $$fail

## Re-pin dependencies (with hashes) after editing pyproject.toml: requirements.lock is what
## production installs (runtime only); requirements-dev.lock adds the test and lint tools.
lock: install
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.12 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.12 -o requirements-dev.lock

## Index benchmarks (docs/benchmarks.md): peers in var/bench venvs, results in var/bench/results
bench: install
	bench/run_all.sh

## Lint: ruff, and the layering contracts in pyproject.toml (import-linter)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
