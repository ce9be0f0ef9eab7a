# The two commands a person needs: `make demo` and `make test`.
# Both create .venv and install Huddle into it first; only Python 3.11+ and make are needed.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-test

.PHONY: demo test lint format install clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Huddle needs Python 3.11 or newer on your PATH (python3.11, python3.12 or python3)." >&2; exit 1; fi
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian or Ubuntu: apt-get install python3-venv" >&2; exit 1; }

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	@$(BIN)/huddle console --tour

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
