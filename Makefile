# One obvious command per job. Each target builds what it needs in .venv from uv.lock on
# first use (needs only Python 3.11+, git and make) and is a no-op the second time.
.DEFAULT_GOAL := help
SHELL := /bin/bash
# mkdocs 1.6 prints a banner about MkDocs 2 on every start; this project stays on 1.x.
export DISABLE_MKDOCS_2_WARNING := true
export NO_MKDOCS_2_WARNING := 1
# The interpreter for .venv: any CPython 3.11 or newer (`make test PYTHON=python3.13`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv's version is pinned once, in pyproject.toml ([tool.uv] required-version).
UV_VERSION := $(shell sed -n 's/^required-version = "==\(.*\)"/\1/p' pyproject.toml)
UV_HOME := .cache/uv-$(UV_VERSION)
UV := $(UV_HOME)/bin/uv
PY_PATH = $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
# The stamps name the lock, pyproject.toml, this file and the interpreter: a change to any
# syncs again.
LOCK_SUM := $(shell { cat uv.lock pyproject.toml Makefile; $(PYTHON) -c 'import sys; print(sys.executable)'; } 2>/dev/null | cksum | cut -d' ' -f1)
K ?=
ID ?=
# Python writes the compiled form of what it imports, as it does by default, even where the
# environment says not to (CI machines here set PYTHONDONTWRITEBYTECODE): otherwise each
# pytest process `make test` starts (three xdist workers, then the timing session) compiles
# this project's modules again and rewrites the assertions of every test module, and the
# servers and commands the tests start find nothing compiled to read. .gitignore covers the
# __pycache__ folders, and the catalogue's checks skip them. The commands the tests run in
# copies whose Python files they rewrite write no .pyc (testing.project.command_env).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help serve build validate new test test-practice test-matrix measure bench lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "This project needs Python 3.11 or newer as '$(PYTHON)'; found: $$($(PYTHON) --version 2>&1)."; \
	  echo "Install one, or name it: make $(MAKECMDGOALS) PYTHON=python3.12"; exit 1; }
	@$(PYTHON) -m venv $(UV_HOME) 2>/dev/null || { rm -rf $(UV_HOME); \
	  echo "'$(PYTHON) -m venv' failed. On Debian or Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	@$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The site needs only the docs group (and the package): no database server, no test tools.
# --compile-bytecode: each package's .pyc files are written once, at install. Where the
# environment sets PYTHONDONTWRITEBYTECODE (CI machines here do), every process (each test
# server, each pool worker) would otherwise compile FastAPI, Pydantic and the rest again.
$(VENV)/.site-$(LOCK_SUM): | $(UV)
	@echo "Installing the site's dependencies into $(VENV) (first run only)..."
	@$(UV) sync --locked --inexact --no-default-groups --group docs --python "$(PY_PATH)" --compile-bytecode --quiet
	@rm -f $(VENV)/.site-* && touch $@

# Everything: the snippets' libraries, the site, and the test tools.
$(VENV)/.all-$(LOCK_SUM): | $(UV)
	@echo "Installing every dependency group into $(VENV) (first run only)..."
	@$(UV) sync --locked --python "$(PY_PATH)" --compile-bytecode --quiet
	@rm -f $(VENV)/.all-* $(VENV)/.site-* && touch $@ $(VENV)/.site-$(LOCK_SUM)

serve: $(VENV)/.site-$(LOCK_SUM) ## Serve the site at http://127.0.0.1:8000, reloading on changes
	SITE_URL=http://127.0.0.1:8000/ $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(VENV)/.site-$(LOCK_SUM) ## Write the strict build of the site to site/
	$(BIN)/mkdocs build --strict --quiet

validate: $(VENV)/.site-$(LOCK_SUM) ## Check every page, snippet, test and figure file; name each problem
	$(BIN)/fastapi-practices validate

new: $(VENV)/.site-$(LOCK_SUM) ## Write a new practice from the templates (asks; or CATEGORY= TITLE=)
	$(BIN)/fastapi-practices new $(if $(CATEGORY),--category "$(CATEGORY)") $(if $(TITLE),--title "$(TITLE)")

# Two sessions: the tests that measure no time run on three processes at once (they mostly
# wait for servers); the timing tests (whole modules marked `timing`, which
# tests/conftest.py enforces) then run alone, so nothing else competes for the two cores
# while they measure. Together they must have executed every snippet file (a full run only).
EXECUTED := .cache/snippets-executed.json
TIMING_FILES = $(shell grep -rl 'pytest.mark.timing' tests --include='test_*.py')
PYTEST := $(BIN)/python -m pytest $(if $(K),-k "$(K)")
# With K=, a session may select nothing: pytest's exit 5 is fine then, and only then.
NONE_OK := $(if $(K),|| [ $$? = 5 ],)
define two_sessions
	@mkdir -p .cache && rm -f $(EXECUTED)
	$(PYTEST) $(1) -m "not timing" -n 3 --dist loadscope --no-loadscope-reorder --snippets-executed=$(EXECUTED) $(NONE_OK)
	$(PYTEST) $(1) -m timing --snippets-executed=$(EXECUTED) $(if $(K),,--require-every-snippet) $(TIMING_FILES) $(NONE_OK)
endef

test: $(VENV)/.all-$(LOCK_SUM) ## Run every test (K=expr selects some, as pytest -k)
	@bash .ci/browser $(BIN)
	@bash .ci/actionlint
	$(call two_sessions,)

# One practice, in seconds: the catalogue check, then its behaviour test and its snippets'
# tests in one session (nothing else runs, so its timing tests have the cores to themselves).
test-practice: $(VENV)/.all-$(LOCK_SUM) ## Run one practice's tests (ID=FBP201)
	@[ -n "$(ID)" ] || { echo "Name the practice: make test-practice ID=FBP201" >&2; exit 2; }
	$(BIN)/fastapi-practices test $(ID)

# Each point of [tool.fastapi-practices] matrix in pyproject.toml gets an environment of its
# own under .cache/matrix/ (built by uv on first use); the verdicts go to tests/matrix.json,
# which every practice page shows. POINTS="0.115.14 latest" runs only those.
test-matrix: $(VENV)/.all-$(LOCK_SUM) ## Run every practice's tests on each supported FastAPI
	UV=$(abspath $(UV)) $(BIN)/python -m fastapi_practices.tools.matrix \
	  $(if $(POINTS),--points $(POINTS)) $(if $(MATRIX_REPORT),--report $(MATRIX_REPORT))

# Recording is how figures catch up with a new release, so the one test that refuses figures
# of other releases is left out of this run (make test runs it).
measure: $(VENV)/.all-$(LOCK_SUM) ## Run the tests and merge the figures the pages show
	@bash .ci/browser $(BIN)
	$(call two_sessions,--record --deselect tests/test_integrity.py::test_recorded_figures_match_the_installed_fastapi)
measure: export FASTAPI_PRACTICES_RECORD_COMMAND = make measure$(if $(K), K=$(K))

LIGHTHOUSE := .cache/lighthouse/node_modules/.bin/lighthouse
bench: $(VENV)/.all-$(LOCK_SUM) ## Time build and suite (ten slowest tests); site vs plain Material; checker lines/s
	$(BIN)/python -m fastapi_practices.tools.bench
	@bash .ci/browser $(BIN) full
	@[ -x $(LIGHTHOUSE) ] || ! command -v npm >/dev/null || \
	  npm i -E --silent --prefix .cache/lighthouse lighthouse@12.2.3 || true
	LIGHTHOUSE=$(abspath $(LIGHTHOUSE)) $(BIN)/python -m fastapi_practices.tools.site_bench
	$(BIN)/python -m fastapi_practices.tools.check_bench

lint: $(VENV)/.all-$(LOCK_SUM) ## Lint the project's Python (ruff) and spelling (typos)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/typos

clean: ## Remove the built site and caches (keeps .venv)
	rm -rf site .pytest_cache
