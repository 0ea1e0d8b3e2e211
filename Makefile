# The project's verbs. Every target works from a fresh clone with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=true

BIND ?= 127.0.0.1:8000
WORKERS ?= 3
MIGRATE ?= yes

.PHONY: run serve worker test lint format check seed bench backup restore clean mutate

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: install, migrate, seed an empty database with the plan, demo accounts and demo indicator values, serve on
## 127.0.0.1:8000 with the background worker beside it (Ctrl-C stops both)
run: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_plan --demo-users --demo-values
	$(DEV_ENV) $(BIN)/python manage.py db_worker --no-startup-delay & \
		$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## serve: run as production does: settings from the environment, static files collected and
## served by WhiteNoise, migrations applied (MIGRATE=no on all but one of several app servers),
## gunicorn on the WSGI app (BIND=host:port, WORKERS=n)
serve: $(STAMP)
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	if [ "$(MIGRATE)" = yes ]; then $(BIN)/python manage.py migrate --noinput; fi
	exec $(BIN)/gunicorn ccesplan.wsgi:application --bind $(BIND) --workers $(WORKERS) \
		--access-logfile - --error-logfile - --graceful-timeout 20

## worker: the background worker that builds workbooks too large for a request (CCES_WORKBOOK_ACTIONS_IN_REQUEST);
## run one or more beside the app servers, with the same settings and database
worker: $(STAMP)
	exec $(BIN)/python manage.py db_worker

## backup: write the plan, its history and the accounts to FILE (default var/backup-<time>.xml.gz)
backup: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py backup_plan $(or $(FILE),var/backup-$$(date +%Y%m%dT%H%M%S).xml.gz)

## restore: load FILE (made by `make backup`) into a freshly migrated, empty database
restore: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loaddata $(FILE)

## bench: the list page against a bare ListView, the whole-plan outputs (exports, report page and workbook)
## through the full stack against their baselines at BENCH_ACTIONS, then each once at BENCH_LARGE for time and
## peak memory, a 5,000-row import against openpyxl reading the file, the load test (gunicorn, 2 workers,
## 16 clients, 30 s on 127.0.0.1), the killed-import fault test and the API's actions endpoint (page of 100 of
## 5,000) against a plain JsonResponse
BENCH_ACTIONS ?= 5000
BENCH_LARGE ?= 20000
bench: $(STAMP)
	$(BIN)/python benchmarks/list_page.py
	$(BIN)/python benchmarks/outputs.py --actions $(BENCH_ACTIONS)
	$(BIN)/python benchmarks/outputs.py --actions $(BENCH_LARGE) --limits
	$(BIN)/python benchmarks/import_speed.py
	$(BIN)/python benchmarks/worst_file.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/kill_import.py
	$(BIN)/python benchmarks/api.py

## test: install what tests need and run the whole suite
test: $(STAMP)
	$(BIN)/pytest

## mutate: mutation testing of the core (mutmut) with the fast tests that cover each module; prints the score last.
## MODULES="actions/services.py actions/spreadsheet.py" limits it to those; MAX_CHILDREN (default 2) runs at once
MAX_CHILDREN ?= 2
mutate: $(STAMP)
	$(BIN)/python tests/mutate.py --max-children $(MAX_CHILDREN) $(MODULES)

## lint: the checks CI makes besides the tests
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
