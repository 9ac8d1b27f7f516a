# The README's commands. `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
BIOME := node_modules/.bin/biome
DEMO_ENV := DEBUG=True
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve manage test test-python test-js lint lint-imports format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py make_demo_study
	$(MAKE) --no-print-directory serve

# The dev server and the background-task worker, stopped together with Ctrl-C.
serve: install
	$(DEMO_ENV) $(BIN)/python manage.py db_worker --interval 0.5 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Serving at http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"; \
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install lint-imports test-python test-js

test-python: install
	$(BIN)/python -m pytest

test-js:
	@if [ -d tests/frontend ] && ls tests/frontend/*/*.test.mjs >/dev/null 2>&1; then \
		if command -v node >/dev/null; then node --test tests/frontend/; \
		else echo "SKIPPED: front-end tests need node (not installed)"; fi; \
	fi

# The JS formatter and linter (Biome, pinned by package.json and package-lock.json), installed
# into node_modules/ on first use. Only `make lint` and `make format` need npm.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make lint needs node and npm (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

lint: install lint-imports $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIOME) ci --error-on-warnings

# The layers of docs/architecture.md: imports only downward (contracts in pyproject.toml).
lint-imports: install
	$(BIN)/lint-imports

format: install $(NODE_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIOME) check --write

# Any management command with the demo's settings, e.g. make manage ARGS="import_dicom demo DIR".
manage: install
	$(DEMO_ENV) $(BIN)/python manage.py $(ARGS)

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf var/ .pytest_cache node_modules
