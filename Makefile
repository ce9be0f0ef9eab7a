# The two commands a person needs: `make demo` and `make test`.
# Both create .venv and install Huddle into it first; only Python 3.11+ and make are needed.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-test
# The browser tests' tools: Debian's chromium (Playwright drives it; it never downloads
# a browser of its own) and axe-core from npm (tests/browser/package-lock.json).
CHROMIUM := /usr/bin/chromium
BROWSER_TOOLS := tests/browser/node_modules/.installed
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# Root runs apt-get itself; anyone else through sudo.
APT = $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: demo test lint format install browser-tools clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Huddle needs Python 3.11 or newer on your PATH (python3.11, python3.12 or python3)." >&2; exit 1; fi
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian or Ubuntu: apt-get install python3-venv" >&2; exit 1; }

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(INSTALLED)

$(BROWSER_TOOLS): tests/browser/package-lock.json
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests (apt-get install chromium)"; \
		command -v apt-get >/dev/null 2>&1 || { echo "The browser tests need Chromium at $(CHROMIUM) and apt-get is not here to install it: install chromium yourself, or run the rest with: $(BIN)/python -m pytest tests --ignore=tests/browser" >&2; exit 1; }; \
		[ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 || { echo "Installing chromium needs root: run 'apt-get install chromium' as root, or run the rest with: $(BIN)/python -m pytest tests --ignore=tests/browser" >&2; exit 1; }; \
		$(APT) update -qq && $(APT) install -y -qq chromium >/dev/null || { echo "apt-get could not install chromium; see above" >&2; exit 1; }; \
	fi
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "Installing Node.js and npm for axe-core (apt-get install nodejs npm)"; \
		[ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 || { echo "Installing npm needs root: run 'apt-get install nodejs npm' as root" >&2; exit 1; }; \
		$(APT) update -qq && $(APT) install -y -qq nodejs npm >/dev/null || { echo "apt-get could not install npm; see above" >&2; exit 1; }; \
	fi
	cd tests/browser && npm ci --no-audit --no-fund --silent
	@touch $(BROWSER_TOOLS)

browser-tools: $(BROWSER_TOOLS)

install: $(INSTALLED) $(BROWSER_TOOLS)

demo: $(INSTALLED)
	@$(BIN)/huddle console --tour

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint $(BROWSER_TOOLS)
	$(BIN)/python -m pytest

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/browser/node_modules test-artefacts
