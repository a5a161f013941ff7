# Journal Club: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000
# Tests run the production settings (DEBUG off), which need a secret key.
TEST_ENV := DJANGO_SECRET_KEY=test-only-not-secret

.PHONY: install run test lint format clean bench audit

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

test: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks on throwaway PostgreSQL databases (127.0.0.1:5432); figures in bench/README.md.
bench: install
	$(BIN)/python bench/thread_page.py --sizes 100,1000,5000
	$(BIN)/python bench/reply_post.py --sizes 100,5000
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/abuse.py
	DATABASE_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python bench/search.py

# The accessibility audit (axe-core from node_modules) and the keyboard-only posting flow.
audit: install
	npm ci --no-audit --no-fund
	$(TEST_ENV) $(BIN)/python -m pytest tests/browser/test_accessibility.py tests/browser/test_keyboard.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
