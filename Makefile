# Zhengzhou IP Exchange — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist: TEST_WORKERS=auto runs one process per core, each with its own test
# database, media folder and Redis databases (marketplace/settings/test.py). Tests are dealt
# out in pytest-django's order (plain database tests first, those that flush the database
# last), which every worker keeps; grouping by file (--dist loadfile) breaks it. Serial by
# default until a whole parallel run is proven on both databases.
TEST_WORKERS ?= 0

.DEFAULT_GOAL := help
.PHONY: help install messages migrate seed run test lint format lock makemessages clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Reinstall only when the declared or locked dependencies change.
$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the locked dependencies

messages: install  ## compile the translation catalogues (pure Python, no GNU gettext needed)
	$(VENV)/bin/pybabel compile --domain django --directory locale --use-fuzzy --statistics 2>&1 | tail -n 2
	$(VENV)/bin/pybabel compile --domain "django djangojs" --directory locale/third_party --statistics 2>&1 | tail -n 2

migrate: messages
	DJANGO_SETTINGS_MODULE=marketplace.settings.dev $(PY) manage.py migrate --no-input

seed: migrate  ## load the demo data (idempotent)
	DJANGO_SETTINGS_MODULE=marketplace.settings.dev $(PY) manage.py seed_demo

run: seed  ## install, migrate, load demo data and serve http://127.0.0.1:8000/ (HOST=, PORT= to change)
	DJANGO_SETTINGS_MODULE=marketplace.settings.dev $(PY) manage.py runserver $(HOST):$(PORT)

test: messages  ## run the whole test suite (SQLite, or DATABASE_URL / CELERY_BROKER_URL when set)
	DJANGO_SETTINGS_MODULE=marketplace.settings.test $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: install  ## ruff (lint + format check) and mypy with django-stubs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install  ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

makemessages: install  ## refresh locale/*/django.po from the source (needs GNU gettext)
	$(PY) manage.py makemessages --locale zh_Hans --locale en --ignore '.venv/*' --ignore 'tests/*' --no-obsolete

lock:  ## re-resolve every dependency into requirements/constraints.txt
	rm -rf /tmp/zzipx-lock && $(PYTHON) -m venv /tmp/zzipx-lock
	/tmp/zzipx-lock/bin/pip install --quiet --upgrade pip
	/tmp/zzipx-lock/bin/pip install --quiet -e ".[dev]"
	{ echo '# Exact versions of every dependency, resolved by `make lock`; installs use it as pip constraints.'; \
	  /tmp/zzipx-lock/bin/pip freeze --exclude-editable | grep -v '^-e'; } > requirements/constraints.txt
	rm -rf /tmp/zzipx-lock

clean:  ## remove the virtualenv, local database, media and caches
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .mypy_cache .ruff_cache test-results
