# The two commands of the README:
#   make run    the main job on embedded defaults (local Kafka, bundled samples)
#   make test   the test suite (starts its own Kafka broker)
# Each sets up what it needs first: the virtual environment, the Python
# packages, and the Apache Kafka jars from Maven Central (once, cached).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup native jars dashboard lint bench eval clean

run: setup
	@echo "==> running the demo (marsad up --demo)"
	$(BIN)/marsad up --demo

test: setup
	@echo "==> ruff"
	$(BIN)/ruff check .
	@echo "==> pytest"
	$(BIN)/pytest

setup: $(STAMP) native jars dashboard

# The stages' hot modules compiled to C by mypyc beside their sources (streams/compiled.py says which modules
# and why); quick when the compiled copies match the sources. Without a C compiler the sources run; under CI
# (CI set, as .ci/run does) a module the compiler refuses fails the build instead of running as Python.
native: $(STAMP)
	@$(BIN)/python -m marsad.deploy.native $(if $(CI),--require)

$(STAMP): pyproject.toml setup.py
	@echo "==> creating the virtual environment in $(VENV) and installing marsad with its dependencies"
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "marsad needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The dashboard's front-end libraries: npm ci from package-lock.json, then the files the page
# loads copied into the package (consumers/api/static/vendor); nothing is built or fetched at run time.
DASHBOARD := consumers/api/static/vendor/.installed

dashboard: $(DASHBOARD)

$(DASHBOARD): package-lock.json consumers/api/dashboard_assets.py consumers/api/basemap/admin1-lines.json $(STAMP)
	@echo "==> dashboard libraries: npm ci, then copied into consumers/api/static/vendor"
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m marsad.consumers.api.dashboard_assets
	@touch $(DASHBOARD)

jars: $(STAMP)
	@if [ -z "$$KAFKA_BOOTSTRAP_SERVERS" ]; then $(BIN)/marsad kafka fetch; \
	else echo "==> KAFKA_BOOTSTRAP_SERVERS is set: using that cluster, no local Kafka needed"; fi

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m benchmarks.bench_events
	$(BIN)/python -m benchmarks.bench_kafka
	$(BIN)/python -m benchmarks.bench_classify
	$(BIN)/python -m benchmarks.bench_worker

# Quality on the labelled samples of ../shared (seeds, dev): per-field scores, then every miss.
eval: $(STAMP)
	$(BIN)/python -m benchmarks.eval

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules consumers/api/static/vendor
