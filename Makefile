# The commands of the README: `make demo`, `make lint` and `make test`. All create .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

.PHONY: demo lint test bench
demo: $(VENV)/.installed
	$(VENV)/bin/osservatorio demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: $(VENV)/.installed
	$(PY) -m pytest -n auto

bench: $(VENV)/.installed
	$(PY) -m bench load
