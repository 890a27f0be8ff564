# The two commands a newcomer needs:  make run   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench probe clean translations messages

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Start the app with demo data, the local mail catcher and the mail worker at http://127.0.0.1:5000
run: $(BIN)/.installed translations
	scripts/dev.sh

## Compile the language catalogs (app/translations/*/LC_MESSAGES/messages.po -> .mo; the .mo files are not committed)
translations: $(BIN)/.installed
	$(BIN)/pybabel -q compile -d app/translations

## After changing text: extract it from the code and templates, and add it to each language's catalog
messages: $(BIN)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

## Run the whole test suite (SQLite; set TEST_DATABASE_URL=mysql+pymysql://... for MariaDB/MySQL)
test: $(BIN)/.installed translations
	scripts/ensure-chromium.sh
	$(BIN)/pytest $(PYTEST_ARGS)

## Lint with ruff (its configuration is in pyproject.toml)
lint: $(BIN)/.installed
	$(BIN)/ruff check .

## Run the benchmarks under bench/ (each prints a ratio against a baseline measured in the same run)
bench: $(BIN)/.installed translations
	scripts/bench.sh

## CI: `make run` on a fresh clone of HEAD, used as the demo student and admin through HTTP, then stopped
probe: $(BIN)/.installed
	$(BIN)/python scripts/probe_run.py

clean:
	rm -rf $(VENV) instance/rinaibra.db* instance/mail
