# The README's two commands: `make demo` and `make test`. Both build the
# environment from requirements.lock (every package pinned) on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9

.PHONY: demo test lint env clean

$(BIN)/.synced: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

env: $(BIN)/.synced

demo: env
	$(BIN)/arsenal demo

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 -q

clean:
	rm -rf $(VENV) arsenal.duckdb arsenal.duckdb.wal
