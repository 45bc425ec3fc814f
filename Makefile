# Two commands matter: `make demo` (everything running on 127.0.0.1) and `make test` (the whole suite).
# Each installs what is missing first, so a fresh clone needs nothing else (Python 3.11+, Node 20+, npm).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := .stamps
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)


.PHONY: all install test-deps demo test unit lint typecheck messages pytest bench profile ablation clean

all: install

install: $(STAMP)/python $(STAMP)/npm-web $(STAMP)/npm-demo $(STAMP)/translations

test-deps: install $(STAMP)/system

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP)/python: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	@mkdir -p $(STAMP) && touch $@

# htmx is served as our own static file, copied from the locked npm package (never committed).
$(STAMP)/npm-web: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p portal/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/npm-demo: demo/package.json demo/package-lock.json
	cd demo && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/translations: $(STAMP)/python $(PO)
	$(BIN)/pybabel compile -d translations
	@mkdir -p $(STAMP) && touch $@

# System packages the tests use, from Debian: Chromium for the browser tests (never a browser downloaded by a
# test tool), poppler-utils' pdfinfo to check that the generated PDF is tagged, redis-server and redis-sentinel
# for the tests of two instances sharing one Redis and for the fault suite, nginx for the fault suite's slow
# clients (each run starts its own servers on free ports, see demo/redis_server.py and bench/faults.py).
$(STAMP)/system:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v pdfinfo >/dev/null || missing="$$missing poppler-utils"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v redis-sentinel >/dev/null || missing="$$missing redis-sentinel"; \
	PATH="$$PATH:/usr/sbin:/sbin" command -v nginx >/dev/null || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages:$$missing (run: sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi
	@mkdir -p $(STAMP) && touch $@

demo: install
	$(BIN)/python demo/run.py

test: test-deps lint typecheck pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check portal synthetic tests demo bench

typecheck:
	$(BIN)/mypy

# Browser tests leave screenshots of the key pages at 360 px (one per account) for a reviewer to look at.
SCREENSHOTS ?= test-artifacts/screenshots
export TEST_SCREENSHOTS := $(abspath $(SCREENSHOTS))

# The whole suite, with the branch coverage of portal/ reported at the end (files fully covered left out).
pytest:
	$(BIN)/coverage run -m pytest -q; status=$$?; \
	$(BIN)/coverage report; \
	echo "Screenshots of the key pages at 360 px: $(TEST_SCREENSHOTS)"; exit $$status

# The fast layer alone (about three minutes): unit tests, no demo servers, no browser.
unit: install
	$(BIN)/pytest -q tests/unit

# Re-extract the catalogue and merge it into each language after changing user-visible text.
messages: $(STAMP)/python
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header --sort-output -o translations/messages.pot portal templates
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --no-wrap -i translations/messages.pot -d translations
	$(BIN)/python tools/po_fill_english.py translations/en/LC_MESSAGES/messages.po

# Benchmarks against the budgets of the architecture (never part of `make test`): loopback only, bounded.
# wrk from Debian generates the load (a Python client stands in without it); Lighthouse 12.2.3 comes from
# npm into bench/node_modules, and runs in Debian Chromium; redis-server (Debian) is the Redis that two instances
# share in `scaleout`; redis-sentinel and nginx (Debian) serve `faults`. `make bench ONLY="roundtrips transfer"`
# runs some. A budgeted figure that could not be measured fails the run unless its benchmark is named in
# ALLOW_MISSING (`make bench ALLOW_MISSING="lighthouse"`). The run writes docs/performance-run.md from its JSON.
bench: install $(STAMP)/bench
	$(BIN)/python -m bench $(ONLY) $(foreach name,$(ALLOW_MISSING),--allow-missing $(name))

# Where a unique first view of a plan page spends its CPU, in the code as it is: the budgeted workload of
# `throughput` (480 people × 8 plan pages, each once, store answers warm) in process, sampled by py-spy (from the
# test extra). Writes bench/results/first-views.svg (flame graph), .folded and .txt (the text summary, also
# printed). `make profile PEOPLE=60` for a quicker run; PROFILE_OPTIONS="--sampling active" adds native code.
profile: install
	$(BIN)/python -m bench.profile $(if $(PEOPLE),--people $(PEOPLE)) $(PROFILE_OPTIONS)

# What the budgeted first-view ratio would read if a part of a first view cost nothing (templates, plans, access
# records, page cache, compression; then all of them): the most any work on that part could win. Same workload, in
# process, alternated passes; writes bench/results/ablation.txt. Alters the app on purpose: never in test or bench.
ablation: install
	$(BIN)/python -m bench.ablation $(if $(PEOPLE),--people $(PEOPLE))

$(STAMP)/bench: bench/package.json bench/package-lock.json
	@missing=""; command -v wrk >/dev/null || missing="$$missing wrk"; [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v redis-sentinel >/dev/null || missing="$$missing redis-sentinel"; \
	PATH="$$PATH:/usr/sbin:/sbin" command -v nginx >/dev/null || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages:$$missing (run: sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi
	cd bench && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

clean:
	rm -rf $(STAMP) portal/static/vendor
