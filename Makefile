# The two commands of the README:
#   make demo   runs the product on the built-in modem simulator (SQLite)
#   make test   runs the whole test suite
# Both create the virtual environment .venv first; `make test` also installs
# the system packages the tests use (gammu, chromium) when run as root.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= .demo
LISTEN ?= 127.0.0.1:8080

.PHONY: venv demo test test-fast system-deps bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $@

demo: venv
	$(BIN)/carttocart demo --dir $(DEMO_DIR) --listen $(LISTEN)

system-deps:
	./scripts/install-system-deps

test: venv system-deps
	$(BIN)/python -m pytest

test-fast: venv
	$(BIN)/python -m pytest -m "not slow"

bench: venv
	$(BIN)/python tests/bench/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info .pytest_cache
