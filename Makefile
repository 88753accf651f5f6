# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

.PHONY: demo test bench
demo: $(VENV)/.installed
	$(VENV)/bin/osservatorio demo

test: $(VENV)/.installed
	$(PY) -m pytest -n auto

bench: $(VENV)/.installed
	$(PY) -m bench load
