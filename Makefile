# Two entry points: `make run` (the main job) and `make test` (the test suite).
# Both create .venv and install kgtool into it, so they work on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/kgtool build

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check kgtool tests benchmarks
	$(BIN)/ruff format --check kgtool tests benchmarks
	$(BIN)/mypy --strict kgtool

clean:
	rm -rf $(VENV) out .kgtool-store
