# Khuyến học — one entry point for every task.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
export DJANGO_SETTINGS_MODULE ?= khuyenhoc.config.settings.dev

.PHONY: run setup install assets messages migrate demo test test-pg lint bench bench-smoke clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"

# Browser assets come from the npm registry and are served by the app itself.
assets:
	cd frontend && npm ci --no-audit --no-fund --silent
	mkdir -p khuyenhoc/static/vendor
	cp frontend/node_modules/htmx.org/dist/htmx.min.js khuyenhoc/static/vendor/
	cp frontend/node_modules/chart.js/dist/chart.umd.min.js khuyenhoc/static/vendor/chart.umd.min.js

messages:
	$(BIN)/python -m khuyenhoc.core.i18n_compile

setup: install assets messages

migrate: setup
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py demo --if-empty

# The task worker (long imports, certificate PDFs, reports) runs beside the web server.
run: demo
	@echo "Khuyến học: http://127.0.0.1:8000"
	$(BIN)/python manage.py db_worker --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	DJANGO_SETTINGS_MODULE=khuyenhoc.config.settings.test $(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# makemessages then --check: every user-facing string has its Vietnamese translation.
lint: install
	$(BIN)/ruff check khuyenhoc tests bench
	$(BIN)/python -m khuyenhoc.core.i18n_compile --extract --check
	DJANGO_SETTINGS_MODULE=khuyenhoc.config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: setup
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) var staticfiles khuyenhoc/static/vendor frontend/node_modules
