# Atom: `make run` sets up and starts Atom; `make test` sets up and runs the checks and tests.
# Both are idempotent: a second run reuses the virtualenv and starts in seconds.
# Every set-up step is a script in scripts/ that names what failed and how to fix it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .make

.PHONY: run test check bench setup setup-test clean clean-caches

run: setup
	@$(BIN)/atom models install --default
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/atom worker & worker=$$!; \
	  $(BIN)/atom serve

test: setup-test check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Lint, format and types: the same checks on every machine, run before the tests.
check: setup-test
	$(BIN)/ruff check appliance tests bench models scripts
	$(BIN)/ruff format --check appliance tests bench models scripts
	$(BIN)/mypy

bench: setup-test $(STAMPS)/system-bench
	$(BIN)/python -m bench

setup: $(STAMPS)/installed $(STAMPS)/llama

setup-test: $(STAMPS)/installed-test $(STAMPS)/llama $(STAMPS)/system-test

$(STAMPS)/installed: pyproject.toml scripts/python-env.sh
	@PYTHON=$(PYTHON) bash scripts/python-env.sh $(VENV)
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/installed-test: pyproject.toml scripts/python-env.sh
	@PYTHON=$(PYTHON) bash scripts/python-env.sh $(VENV) test
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/installed

# llama-cpp-python compiles llama.cpp: built once into ~/.cache/atom/wheels, then reused.
$(STAMPS)/llama: scripts/llama-wheel.sh | $(STAMPS)/installed
	@bash scripts/llama-wheel.sh $(BIN)/python
	@mkdir -p $(STAMPS) && touch $@

# Debian packages the tests drive: a real browser.
$(STAMPS)/system-test: scripts/system-packages.sh
	@bash scripts/system-packages.sh test
	@mkdir -p $(STAMPS) && touch $@

# ... and the benchmarks: wrk, an HTTP load generator light enough to leave the server its CPU.
$(STAMPS)/system-bench: scripts/system-packages.sh
	@bash scripts/system-packages.sh bench
	@mkdir -p $(STAMPS) && touch $@

clean:
	rm -rf $(VENV) $(STAMPS)

# Reclaims the disk the caches take (the llama.cpp wheel, downloaded model wheels); the next
# fresh set-up builds and downloads them again.
clean-caches:
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/atom

# The flashable Raspberry Pi image (image/, needs root and ~8 GB; not part of make test or CI):
# Debian arm64 with Atom and its default models, then a boot test in qemu-system-aarch64.
.PHONY: image image-test
image: setup
	bash image/build.sh

image-test:
	bash image/boot-test.sh
