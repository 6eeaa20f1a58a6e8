# Atom: `make run` sets up and starts Atom; `make test` sets up and runs the tests.
# Both are idempotent: a second run reuses the virtualenv and starts in seconds.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .make

.PHONY: run test bench setup setup-test clean

run: setup
	@$(BIN)/atom models install --default
	@$(BIN)/atom migrate
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/atom worker & worker=$$!; \
	  $(BIN)/atom serve

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup-test
	$(BIN)/python -m bench

setup: $(STAMPS)/installed $(STAMPS)/llama

setup-test: $(STAMPS)/installed-test $(STAMPS)/llama $(STAMPS)/system-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMPS)/installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/installed

# llama-cpp-python compiles llama.cpp: built once into ~/.cache/atom/wheels, then reused.
$(STAMPS)/llama: scripts/llama-wheel.sh | $(BIN)/python
	bash scripts/llama-wheel.sh $(BIN)/python
	@mkdir -p $(STAMPS) && touch $@

# Debian packages the tests drive: a real browser.
$(STAMPS)/system-test: scripts/system-packages.sh
	bash scripts/system-packages.sh test
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(VENV) $(STAMPS)
