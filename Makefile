# Liaison — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_DATA := $(CURDIR)/.demo
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck pytest bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml src/liaison/web/package-lock.json
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; install Node.js and npm (Debian: apt-get install npm)"; exit 1; }
	npm ci --prefix src/liaison/web --no-audit --no-fund
	@touch $(STAMP)

demo: setup
	@# A home organisation first, so that ingestion publishes its collection (what briefs and the web read).
	@LIAISON_DATA_DIR=$(DEMO_DATA) $(BIN)/liaison org list --json | grep -q '"home": true' \
		|| LIAISON_DATA_DIR=$(DEMO_DATA) $(BIN)/liaison org add "Demo Service" --home
	@echo "== ingesting examples/reports into $(DEMO_DATA)/liaison.db"
	LIAISON_DATA_DIR=$(DEMO_DATA) $(BIN)/liaison ingest --workers 2 examples/reports
	@echo "== what Liaison found"
	@LIAISON_DATA_DIR=$(DEMO_DATA) $(BIN)/liaison summary
	@echo "Explore it:  export LIAISON_DATA_DIR=$(DEMO_DATA); $(BIN)/liaison entities --type person"
	@echo "Brief on a person:  $(BIN)/liaison brief 'Ken McCallum' --out ken.pdf"

lint: setup
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/ruff format --check src tests bench fuzz
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy src

pytest: setup
	bash scripts/ensure-test-services
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
