# The project's verbs. Every target works from a fresh clone with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=true

.PHONY: run test lint format check seed bench bench-import clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: install, migrate, seed an empty database with the plan and demo accounts, serve on 127.0.0.1:8000
run: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_plan --demo-users
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## test: install what tests need and run the whole suite
test: $(STAMP)
	$(BIN)/pytest

## lint: the checks CI makes besides the tests
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

## bench-import: time a 5,000-row quarter's import against openpyxl merely reading the file (target: within 1.5x)
bench-import: $(STAMP)
	$(BIN)/python benchmarks/import_speed.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
