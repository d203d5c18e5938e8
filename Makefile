# Gongzhi: `make run` serves the demo, `make test` runs what CI runs, `make bench` measures.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
TIER ?= S
DB ?= sqlite
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432

.PHONY: run test lint typecheck format install secrets messages migrations-check test-sqlite test-postgres production-smoke bench soak serve clean

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c requirements/constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

secrets: install
	@$(PYTHON) scripts/make_secrets.py

messages: install
	@$(PYTHON) manage.py compilemessages --ignore=.venv -v 0

# Set up everything and serve the demo on http://127.0.0.1:8000.
run: install secrets messages
	$(PYTHON) manage.py migrate --noinput -v 0
	$(PYTHON) manage.py seed_demo --tier S --if-empty
	@$(PYTHON) manage.py demo_logins
	$(PYTHON) manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PYTHON) manage.py makemigrations --check --dry-run -v 1

test-sqlite: install messages
	GONGZHI_DB=sqlite $(BIN)/pytest

# PostgreSQL runs when 127.0.0.1:5432 answers (user postgres, trust auth).
test-postgres: install messages
	@if $(PYTHON) scripts/pg_ready.py $(PG_HOST) $(PG_PORT); then \
		GONGZHI_DB=postgres $(BIN)/pytest -p no:cacheprovider; \
	else echo "PostgreSQL not reachable on $(PG_HOST):$(PG_PORT): skipping the PostgreSQL run."; fi

test: lint typecheck migrations-check test-sqlite test-postgres

# The production deployment (docs/deployment.md) on loopback: PostgreSQL, gunicorn, nginx over HTTPS.
production-smoke: install
	PG_HOST=$(PG_HOST) PG_PORT=$(PG_PORT) PYTHON=$(abspath $(PYTHON)) scripts/production_smoke.sh

bench: install secrets messages
	$(PYTHON) -m bench --tier $(TIER) --db $(DB) $(if $(SMOKE),--smoke)

# Mixed traffic against gunicorn on a copy of the seeded PostgreSQL tier database (bench/soak.py): tier M for
# 10 minutes unless told, e.g. `make soak TIER=T MINUTES=1`. TIER's default above is the bench's (S).
MINUTES ?= 10
SOAK_TIER = $(if $(filter command line environment,$(origin TIER)),$(TIER),M)
soak: install secrets messages
	$(PYTHON) -m bench.soak --tier $(SOAK_TIER) --minutes $(MINUTES)

clean:
	rm -rf var/static .pytest_cache .mypy_cache .ruff_cache
