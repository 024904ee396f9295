# Two entry points: `make demo` and `make test`. Both start from nothing on a fresh machine.
PYTHON   ?= python3
NPM      ?= npm
VENV     ?= .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
# Browser libraries, installed from npm (package-lock.json) and served from /static/vendor, never a CDN.
VENDOR   := src/govpulse/web/ui/static/vendor
ASSETS   := $(VENDOR)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install assets browser bench clean lint

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

$(ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm not found: install Node.js and npm to build the web assets" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp node_modules/echarts/NOTICE $(VENDOR)/echarts.NOTICE
	touch $(ASSETS)

assets: $(ASSETS)

install: $(STAMP) $(ASSETS)

# Debian's Chromium (and Noto fonts for Gujarati, Devanagari and Malayalam) for the browser tests. Without
# root this only warns: the browser tests then skip loudly, and fail under CI=true.
browser:
	@if [ -x $(CHROMIUM) ] && [ -n "$$(fc-list :lang=gu 2>/dev/null)" ]; then \
		echo "browser: $$($(CHROMIUM) --version 2>/dev/null)"; \
	else \
		echo "browser: installing Debian's chromium and fonts-noto-core"; \
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; } \
		|| echo "browser: could not install chromium; the browser tests will not run" >&2; \
	fi

demo: install
	$(BIN)/govpulse demo

test: install browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Benchmarks are measured here, not in tests; results are recorded by hand in bench/RESULTS.md.
bench: install
	$(BIN)/python bench/warehouse_bench.py --days 5
	$(BIN)/python bench/warehouse_bench.py --days 50
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache node_modules $(VENDOR)
