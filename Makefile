# The compendium's two commands: `make book` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book test test-fast lab benchmark references clean venv

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
book: $(STAMP)
	$(PY) -m inhd.book

## make test: set up, then run the test suite (slow cases included)
test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

## make lab: JupyterLab on the teaching notebook
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/08_teaching_measure_construction.ipynb

## make benchmark: speed and memory figures (never part of `make test`)
benchmark: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf _build
