# One obvious command per job. Every target bootstraps .venv from uv.lock on first use
# (needs only Python 3.11+, git and make) and is a no-op the second time.
.DEFAULT_GOAL := help
SHELL := /bin/bash
export DISABLE_MKDOCS_2_WARNING := true
export NO_MKDOCS_2_WARNING := 1
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced-$(shell cat uv.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
K ?=

.PHONY: help serve test build measure bench lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP):
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install -q "uv==$(UV_VERSION)"; }
	@$(BIN)/uv sync --locked --quiet
	@rm -f $(VENV)/.synced-* && touch $@

serve: $(STAMP) ## Serve the site at http://127.0.0.1:8000 with live reload of pages and snippets
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP) ## Write the strict build of the site to site/
	$(BIN)/mkdocs build --strict --quiet

test: $(STAMP) ## Run every test (K=expr selects some, as pytest -k)
	$(BIN)/python -m pytest $(if $(K),-k "$(K)")

measure: $(STAMP) ## Run the tests and record the figures the practice pages show
	$(BIN)/python -m pytest --record $(if $(K),-k "$(K)")

bench: $(STAMP) ## Time the strict build and the test suite; print FBP201's ratios
	$(BIN)/python tests/bench.py

lint: $(STAMP) ## Lint the project's own Python with ruff (snippets are linted by the tests)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean: ## Remove the built site and caches (keeps .venv)
	rm -rf site .pytest_cache
