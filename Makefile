# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test install lint format lock referentiels demo bench check clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# The venv is rebuilt whenever the lock file changes.
$(VENV)/.installe: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installe

# axe-core, injected by the browser tests (tests/navigateur/accessibilite.py): reinstalled
# exactly from package-lock.json whenever it changes. Needs Node and npm.
NODE_MODULES := node_modules/.installe
$(NODE_MODULES): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Links in e-mails and the addresses printed lead to this very port (unless SNE_URL_SITE is set).
run: export SNE_URL_SITE := $(or $(SNE_URL_SITE),http://localhost:$(PORT))
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py charger_referentiels
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py seed_demo
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile.dev

test: install $(NODE_MODULES)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: | $(UV)
	$(UV) lock

bench: install
	$(PY) manage.py check --verbosity 0  # creates the data directory (SNE_DATA_DIR) first
	$(PY) bench/referentiels.py

clean:
	rm -rf $(VENV) $(TOOLS) node_modules
