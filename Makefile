# The two commands of the README:
#   make demo   runs the product on the built-in modem simulator (SQLite)
#   make test   runs the whole test suite (after make lint)
# Both create the virtual environment .venv first; `make test` also installs
# the system packages the tests use (gammu, chromium) when run as root.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= .demo
LISTEN ?= 127.0.0.1:8080

.PHONY: venv demo test test-image test-fast lint system-deps bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test,lint]'
	touch $@

demo: venv
	$(BIN)/carttocart demo --dir $(DEMO_DIR) --listen $(LISTEN)

system-deps:
	./scripts/install-system-deps

# ruff (format and lint) and mypy (reads mypy.ini) on the product's code.
LINTED := appliance modem web tests image

lint: venv
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

test: venv system-deps lint
	$(BIN)/python -m pytest

# The image tiers alone, amd64 and arm64 (make test runs them too; the arm64 root's emulated build
# takes 5 to 20 minutes on a clean clone, its boots about 2 minutes each, up to 6 on a busy machine: image/README.md).
test-image: venv system-deps
	$(BIN)/python -m pytest tests/image -m slow

test-fast: venv
	$(BIN)/python -m pytest -m "not slow"

# Every benchmark in turn; each prints its figures (target, measured, ratio) and asserts nothing;
# then the API and SMS path again on a Pi's budget (one core, a CPU quota), and the issue-14 table
# of every figure (tests/bench/summary.py). A failed benchmark (a create refused) fails the run.
BENCH_RESULTS := .bench/results.jsonl
bench: venv system-deps
	mkdir -p $(dir $(BENCH_RESULTS)) && rm -f $(BENCH_RESULTS)
	status=0; \
	for script in tests/bench/bench_*.py; do C2C_BENCH_RESULTS=$(BENCH_RESULTS) $(BIN)/python $$script || status=1; done; \
	C2C_BENCH_RESULTS=$(BENCH_RESULTS) $(BIN)/python tests/bench/bench_api.py --pi-budget || status=1; \
	C2C_BENCH_RESULTS=$(BENCH_RESULTS) $(BIN)/python tests/bench/bench_sms_path.py --pi-budget --gammu-messages 0 || status=1; \
	$(BIN)/python tests/bench/summary.py $(BENCH_RESULTS); exit $$status

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info .pytest_cache
