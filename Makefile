# Crossborder: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The development server runs with DEBUG on (demo logins, a development secret key).
DEV := DEBUG=true

.PHONY: install run test lint format lock bench

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -c requirements.lock -e ".[dev]"
	touch $@

install: $(BIN)/.installed

run: install
	$(DEV) $(BIN)/python manage.py migrate --no-input
	$(DEV) $(BIN)/python manage.py load_demo
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Two workers, one per core: the suite takes about half the time (pytest-xdist).
TEST_WORKERS ?= 2
# More pytest arguments, e.g. TEST_ARGS="tests/reports -x".
TEST_ARGS ?=
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) $(TEST_ARGS)

# The benchmark of docs/performance.md on PostgreSQL (its own database, created when missing):
# generates the load once (BENCH_PARTICIPATIONS), prints every figure, writes var/bench.json.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/crossborder_bench
BENCH_PARTICIPATIONS ?= 1000000
bench: install
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(BIN)/python -m bench.run \
		--participations $(BENCH_PARTICIPATIONS) $(BENCH_ARGS)

# What CI checks before the tests: style, the layers (import contracts) and the types.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DEV) $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Pin every installed version again after changing pyproject.toml.
lock: install
	$(BIN)/pip freeze --exclude-editable --exclude crossborder > requirements.lock
