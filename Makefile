# The two commands: `make run` and `make test` (each does the whole set-up first).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 1
export DJANGO_SETTINGS_MODULE ?= kbapi.settings

.PHONY: install setup run test lint format schema examples check-schema bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loadkb
	$(PY) manage.py collectstatic --noinput --verbosity 0

# --no-proxy-headers: uvicorn never rewrites the client from X-Forwarded-*; the app believes
# them from TRUSTED_PROXIES only (kbapi/edge/proxy.py). tests/liveserver.py starts uvicorn
# with this recipe's options.
run: setup
	$(VENV)/bin/uvicorn kbapi.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-proxy-headers

test: setup
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schema: install
	$(PY) manage.py spectacular --file schema.yml --validate --fail-on-warn

# The OpenAPI response examples, recorded from the API's answers on the loaded content
# (kbapi/http/openapi/examples.py); then the schema again.
examples: setup
	$(PY) manage.py openapiexamples
	$(MAKE) schema

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# The benchmark (bench/run.py): SQLite, and PostgreSQL when one answers; writes docs/PERFORMANCE.md.
bench: install
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m bench.run
