# Journal Club: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000
# Tests run the production settings (DEBUG off), which need a secret key.
TEST_ENV := DJANGO_SECRET_KEY=test-only-not-secret
# The locks are compiled from PyPI alone, whatever index this machine's pip or uv is set up
# with, for Python 3.11 and from wheels only; their header names `make lock` as the command
# that wrote them.
UV_COMPILE := $(BIN)/uv pip compile --quiet --no-config --index-url https://pypi.org/simple \
	--generate-hashes --python-version 3.11 --only-binary :all: --custom-compile-command "make lock"
# `make lock UPGRADE=1` moves every package to the newest release its range allows;
# `make lock UPGRADE=django-allauth` moves that one package only.
UV_UPGRADE := $(if $(filter 1,$(UPGRADE)),--upgrade,$(if $(UPGRADE),--upgrade-package $(UPGRADE)))
# A lock without its hashes: the versions guide the next compile, which takes the hashes
# afresh from PyPI (uv would otherwise copy them from the old lock, edited or not).
PINS_ONLY := sed -e '/--hash=/d' -e 's/ \\$$//'

.PHONY: install run test messages lint format clean bench audit lock lock-check fonts

# Installs exactly the locked versions. Wheels only: a wheel whose hash does not match
# stops the install, where pip would otherwise build the release's sdist instead.
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Local settings live in .env, which manage.py reads (and gunicorn, pytest and production
# never do); `make run` writes it once, so every manage.py command works the same way.
.env:
	printf '# Local settings for manage.py (see .env.example for every setting).\nDJANGO_DEBUG=1\n' > $@

run: install .env
	$(BIN)/python -m core.catalogues
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/python -m core.catalogues
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The translation catalogues (README, "Translating"): the strings of the templates and the
# code (django.po) and of static/js (djangojs.po) into locale/fr, then compiled.
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=staticfiles
messages: install
	$(TEST_ENV) $(BIN)/python manage.py makemessages --locale fr --no-obsolete $(MESSAGES_IGNORE) --ignore=static
	$(TEST_ENV) $(BIN)/python manage.py makemessages --domain djangojs --locale fr --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python -m core.catalogues

# Benchmarks on throwaway PostgreSQL databases (127.0.0.1:5432); figures in bench/README.md.
bench: install
	$(BIN)/python bench/thread_page.py --sizes 100,1000,5000
	$(BIN)/python bench/reply_post.py --sizes 100,5000
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/proceedings.py
	$(BIN)/python bench/abuse.py
	$(BIN)/python bench/restart.py
	DATABASE_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python bench/search.py
	DATABASE_URL=$${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python bench/api_comments.py

# The accessibility audit (axe-core from node_modules) and the keyboard-only posting flow.
audit: install
	npm ci --no-audit --no-fund
	$(TEST_ENV) $(BIN)/python -m pytest tests/browser/test_accessibility.py tests/browser/test_keyboard.py

# The Inter font (its Latin subsets, upright and italic) from the pinned npm package into
# static/fonts, where whitenoise serves it; the copies are committed, so `make run` needs no npm.
FONT_FILES := inter-latin-wght-normal inter-latin-wght-italic inter-latin-ext-wght-normal inter-latin-ext-wght-italic
fonts:
	npm ci --no-audit --no-fund
	for f in $(FONT_FILES); do cp node_modules/@fontsource-variable/inter/files/$$f.woff2 static/fonts/; done
	cp node_modules/@fontsource-variable/inter/LICENSE static/fonts/Inter-LICENSE.txt

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# uv comes with the dev lock; `make lock` needs only a venv that has it, so it can also
# repair a lock that no longer installs.
$(BIN)/uv:
	$(MAKE) install

# Compiles the ranges in requirements*.in into the locks. A pin the ranges still allow is
# kept: upgrades are deliberate (UPGRADE=1 or UPGRADE=<package>, above).
lock: $(BIN)/uv
	for lock in requirements.txt requirements-dev.txt; do \
		$(PINS_ONLY) $$lock > $$lock.pins && mv $$lock.pins $$lock; \
	done
	$(UV_COMPILE) $(UV_UPGRADE) requirements.in -o requirements.txt
	$(UV_COMPILE) $(UV_UPGRADE) requirements-dev.in -o requirements-dev.txt

# Fails when a lock no longer matches its ranges, or a hash in it was edited: compiles
# again from the committed versions, as `make lock` does, and compares.
lock-check: $(BIN)/uv
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for lock in requirements.txt requirements-dev.txt; do $(PINS_ONLY) $$lock > "$$tmp/$$lock"; done && \
	$(UV_COMPILE) requirements.in -o "$$tmp"/requirements.txt && \
	diff -u requirements.txt "$$tmp"/requirements.txt && \
	$(UV_COMPILE) requirements-dev.in -o "$$tmp"/requirements-dev.txt && \
	diff -u requirements-dev.txt "$$tmp"/requirements-dev.txt && \
	echo "requirements.txt and requirements-dev.txt match their ranges." || \
	{ echo "A lock does not match its ranges: run 'make lock' and commit the result." >&2; exit 1; }
