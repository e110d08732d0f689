# Everything a fresh clone needs: `make run` (demo JupyterLab) and `make test` (every test).
# Installs into .venv; reaches only the package registries (PyPI, npm).

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
# Browser tests use Debian's Chromium; never let Playwright download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
PORT ?= 8888
DEMO := .demo
# Running as root (containers, CI) needs jupyter's explicit consent.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
FRONTEND_SRC := $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null) \
	labextension/package.json labextension/tsconfig.json
LABEXT := jupyter_secrets/labextension/package.json

.PHONY: install install-test frontend consumer-extension run test test-python test-frontend test-browser bench lint lint-frontend clean

# configurable-http-proxy (npm, pinned by tests/hub/package-lock.json) for the real-JupyterHub
# tests in tests/hub: JupyterHub starts it.
HUB_PROXY := tests/hub/node_modules/.package-lock.json

# `install` is what running needs (`make run`); `install-test` adds the test and lint tools.
install: $(VENV)/.installed $(LABEXT) $(VENV)/.linked

install-test: install $(VENV)/.test-deps $(HUB_PROXY)

$(HUB_PROXY): tests/hub/package.json tests/hub/package-lock.json
	cd tests/hub && npm ci --no-audit --no-fund --loglevel=error

$(VENV)/.deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# Build tools first: the editable install below builds without isolation against them.
	$(BIN)/pip install --quiet "hatchling>=1.21" "hatch-jupyter-builder>=0.9" "hatch-nodejs-version>=0.3.2" "jupyterlab>=4.4,<5" "jupyter-builder>=1.3" "editables>=0.5"
	touch $@

labextension/node_modules/.yarn-state.yml: labextension/package.json labextension/yarn.lock $(VENV)/.deps
	cd labextension && $(BIN)/jlpm install --immutable

$(LABEXT): labextension/node_modules/.yarn-state.yml $(FRONTEND_SRC)
	cd labextension && $(BIN)/jlpm build:prod

frontend: $(LABEXT)

$(VENV)/.installed: $(VENV)/.deps $(LABEXT) pyproject.toml
	# install.json is added to the wheel from the top level; a copy left in the build output
	# by an earlier editable install would be added twice and fail the build.
	rm -f jupyter_secrets/labextension/install.json
	# Also writes jupyter_secrets/_version.py from labextension/package.json (the one version).
	$(BIN)/pip install --quiet --no-build-isolation -e .
	touch $@

# The test and lint tools (pytest, Playwright, Notebook 7, ruff, mypy, ...) and the optional
# parts the tests exercise (the hub service, vault references): `make test` only.
$(VENV)/.test-deps: $(VENV)/.installed pyproject.toml
	rm -f jupyter_secrets/labextension/install.json
	$(BIN)/pip install --quiet --no-build-isolation -e ".[test,dev,hub,vault]"
	touch $@

# Point JupyterLab at the built frontend (a symlink, so rebuilds are picked up).
$(VENV)/.linked: $(VENV)/.installed
	$(BIN)/jupyter-builder develop --overwrite . >/dev/null
	$(BIN)/jupyter server extension enable jupyter_secrets --sys-prefix >/dev/null
	touch $@

run: install
	# A copy of the demo project, so that what you change while trying it stays out of git.
	mkdir -p $(DEMO) && cp -rn demo/. $(DEMO)/
	$(BIN)/jupyter lab --ServerApp.root_dir=$(abspath $(DEMO)) --port=$(PORT) $(ROOT_FLAG)

# Browser tests run in their own pytest process: Playwright's sync API leaves the main
# thread's event loop marked running, which pytest-jupyter's loop fixtures cannot share.
# Lint first: CI (`.ci/run`) fails on a lint or type error before any test runs.
test: install-test
	$(MAKE) lint
	$(MAKE) test-frontend
	$(MAKE) test-python
	$(MAKE) test-browser

# PostgreSQL (Debian's package) for the hub secrets service's tests, installed when this user
# may, else the target fails saying what to run: those tests are never skipped.
test-python: install-test
	.ci/ensure-postgres
	$(BIN)/pytest -p no:cacheprovider tests --ignore=tests/browser

test-frontend: install-test
	cd labextension && $(BIN)/jlpm test

# eslint (typescript-eslint, react, react-hooks), prettier and stylelint, configured in
# labextension/ (`cd labextension && jlpm lint` fixes what they can).
lint-frontend: labextension/node_modules/.yarn-state.yml
	cd labextension && $(BIN)/jlpm lint:check

# Chromium is installed when this user may (root or passwordless sudo), else the target fails
# saying what to run: browser tests are never skipped.
test-browser: install-test consumer-extension
	.ci/ensure-chromium
	$(BIN)/pytest -p no:cacheprovider tests/browser

# A test-only JupyterLab extension using jupyter-secrets-manager's ISecretsManager, built as its
# own prebuilt extension with the labextension's node_modules (no install of its own), for
# tests/browser/test_secrets_manager.py.  Never installed, never shipped.
CONSUMER_DIR := tests/browser/consumer_extension
CONSUMER := $(CONSUMER_DIR)/build/jupyter-secrets-test-consumer/package.json
consumer-extension: $(CONSUMER)
$(CONSUMER): $(CONSUMER_DIR)/package.json $(CONSUMER_DIR)/index.js labextension/node_modules/.yarn-state.yml
	ln -sfn ../../../labextension/node_modules $(CONSUMER_DIR)/node_modules
	cd $(CONSUMER_DIR) && $(BIN)/jupyter-builder build --development True . >/dev/null; \
		status=$$?; rm -f node_modules; exit $$status

# ruff (lint, format) and mypy on the Python side, configured in pyproject.toml; the
# frontend's eslint, prettier and stylelint through lint-frontend.
lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MAKE) lint-frontend

bench: install-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) labextension/node_modules labextension/lib jupyter_secrets/labextension $(DEMO) tests/hub/node_modules
