# The compendium's two commands: `make book` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The repository the book's launch buttons (Binder, repository link) point at. Empty: the
# `repository.url` of _config.yml. E.g. `make book REPOSITORY_URL=https://github.com/you/inhd`.
REPOSITORY_URL ?=
REPOSITORY_BRANCH ?=

.PHONY: book browser test test-fast lab benchmark clean venv

venv: $(STAMP)

# (Re)create the environment when it is missing or older than requirements.txt / pyproject.toml.
$(STAMP): requirements.txt pyproject.toml
	@if [ ! -x $(PY) ]; then echo "Creating $(VENV) ..."; $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

## make book: set up, execute every notebook with papermill, build the book into _build/html
## (with its JupyterLite copy in _build/html/lite), then open every page in headless Chromium
## (screenshots in _build/screenshots)
book: $(STAMP) browser
	INHD_REPOSITORY_URL="$(REPOSITORY_URL)" INHD_REPOSITORY_BRANCH="$(REPOSITORY_BRANCH)" $(PY) -m inhd.book
	$(PY) -m pytest -q -m book tests/test_book_browser.py

# Chromium and ChromeDriver for the book's browser check (Debian packages; installed when we are root).
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "Chromium is not installed: the browser check of the book will be skipped"; fi; \
	fi

## make test: set up, then run the test suite (slow cases included)
test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

## make lab: JupyterLab on the teaching notebook (as root too, the usual case in classroom containers)
lab: $(STAMP)
	$(VENV)/bin/jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) notebooks/08_teaching_measure_construction.ipynb

## make benchmark: speed and memory figures (never part of `make test`)
benchmark: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf _build
