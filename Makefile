# shuangkong: `make run` (install, migrate, demo data, serve) and `make test` (install, whole suite, then the browser journeys).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
TEST_SYSTEM_PACKAGES := chromium redis-server
BENCH_SYSTEM_PACKAGES := nginx
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-e2e screenshots system-deps install translations fonts migrate demo lint bench messages clean assets

run: install translations fonts migrate assets
	@$(BIN)/shuangkong demo --if-empty
	@$(BIN)/shuangkong logins
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	@$(BIN)/shuangkong run --host $(HOST) --port $(PORT)

test: install translations assets
	@SYSTEM_PACKAGES_OVERRIDE="$(TEST_SYSTEM_PACKAGES)" $(MAKE) --no-print-directory system-deps
	$(BIN)/pytest
	$(BIN)/pytest -m e2e tests/e2e

# Only the browser journeys (Playwright + Debian's chromium against a live server).
test-e2e: install translations assets
	@SYSTEM_PACKAGES_OVERRIDE="$(TEST_SYSTEM_PACKAGES)" $(MAKE) --no-print-directory system-deps
	$(BIN)/pytest -m e2e tests/e2e

# The browser journeys again, writing their pictures into docs/screenshots/ for the README tour
# (otherwise they go to a temporary folder, so a test run leaves the checkout clean).
screenshots: install translations assets
	@SYSTEM_PACKAGES_OVERRIDE="$(TEST_SYSTEM_PACKAGES)" $(MAKE) --no-print-directory system-deps
	SHUANGKONG_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m e2e tests/e2e

# Debian packages: installed only when missing (needs root or sudo).
system-deps:
	@missing=""; for p in $${SYSTEM_PACKAGES_OVERRIDE:-$(SYSTEM_PACKAGES)}; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Byte-compiled once here: commands started by cron (shuangkong scan) and workers then skip compiling
# ~230 modules on each start (~0.7 s), also where PYTHONDONTWRITEBYTECODE is set.
install: $(STAMP) assets
	@$(BIN)/python -m compileall -q -j 0 app reports workflows >/dev/null

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

# The compiled catalog is rebuilt when its .po changes (not on every run: CI's two passes of make test
# run side by side and must not rewrite a file the other is reading).
CATALOG := app/translations/zh_Hans_CN/LC_MESSAGES/messages
translations: install $(CATALOG).mo

$(CATALOG).mo: $(CATALOG).po
	@$(BIN)/python -m app.i18n compile

# Print fonts cut to GB2312 once (reports/fonts.py): faster, smaller PDFs. Skipped when present.
fonts: install
	@$(BIN)/python -m reports.fonts

migrate: install
	@$(BIN)/shuangkong db upgrade

lint: install
	$(BIN)/ruff check .

bench: install translations fonts
	@SYSTEM_PACKAGES_OVERRIDE="$(BENCH_SYSTEM_PACKAGES)" $(MAKE) --no-print-directory system-deps
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Developers: extract new UI strings into the zh_CN catalog (app/translations; contexts: app/i18n.py).
messages: install
	$(BIN)/python -m app.i18n update
	@$(BIN)/python -m app.i18n check || true

clean:
	rm -rf $(VENV) .pytest_cache node_modules $(VENDOR)

# --- Front-end assets (feat/frontend) ----------------------------------------------------------
# Third-party front-end code comes from the npm registry at set-up, pinned by package-lock.json
# (`npm ci`), and its distributed files are copied into app/static/vendor/ (gitignored): nothing
# third-party in git, nothing from a CDN at run time. Re-run only when the lockfile or this list
# changes. Debian 12 ships nodejs 18 + npm 9 (enough for `npm ci` of a v3 lockfile); installed only
# when npm is missing (a machine with NodeSource's nodejs already has npm).
VENDOR := app/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
# package file -> vendor/<package>/<file>; LICENSE/NOTICE travel with the code (Apache-2.0 §4).
VENDOR_FILES := echarts/dist/echarts.common.min.js echarts/LICENSE echarts/NOTICE \
  idb/build/umd.js idb/LICENSE \
  browser-image-compression/dist/browser-image-compression.js browser-image-compression/LICENSE

assets: $(VENDOR_STAMP)

$(VENDOR_STAMP): package.json package-lock.json Makefile
	@command -v npm >/dev/null || SYSTEM_PACKAGES_OVERRIDE="nodejs npm" $(MAKE) --no-print-directory system-deps
	npm ci --no-audit --no-fund --loglevel=error
	@rm -rf $(VENDOR) && for f in $(VENDOR_FILES); do \
	  pkg=$${f%%/*}; mkdir -p $(VENDOR)/$$pkg && cp node_modules/$$f $(VENDOR)/$$pkg/ || exit 1; \
	done
	@touch $(VENDOR_STAMP)
