# The two commands a newcomer needs:  make run   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench probe clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Start the app with demo data, the local mail catcher and the mail worker at http://127.0.0.1:5000
run: $(BIN)/.installed
	scripts/dev.sh

## Run the whole test suite (SQLite; set TEST_DATABASE_URL=mysql+pymysql://... for MariaDB/MySQL)
test: $(BIN)/.installed
	scripts/ensure-chromium.sh
	$(BIN)/pytest $(PYTEST_ARGS)

## Lint with ruff (its configuration is in pyproject.toml)
lint: $(BIN)/.installed
	$(BIN)/ruff check .

## Run the benchmarks under bench/ (each prints a ratio against a baseline measured in the same run)
bench: $(BIN)/.installed
	scripts/bench.sh

## CI: `make run` on a fresh clone of HEAD, used as the demo student and admin through HTTP, then stopped
probe: $(BIN)/.installed
	$(BIN)/python scripts/probe_run.py

clean:
	rm -rf $(VENV) instance/rinaibra.db* instance/mail
