# The two commands a new user runs (see README.md):
#   make run    generate the synthetic region, load it, run the monthly batch, print where the packs are
#   make test   run the test suite
# Both create the virtual environment (.venv) first if it is missing or out of date.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The Data to Insight validators pin pandas 1.x: their own environment, for the tests that
# check our CIN census and SSDA903 writers against them (tools/validators_venv.py).
VALIDATORS := .venv-validators/bin/python

.PHONY: run test venv clean-data

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cscw demo

$(VALIDATORS): | $(STAMP)
	$(PY) tools/validators_venv.py

test: $(STAMP) $(VALIDATORS)
	$(PY) -m pytest -q

clean-data:
	rm -rf data/warehouse.duckdb data/synthetic outputs/*/
