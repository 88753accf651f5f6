# The commands of the README: `make demo`, `make lint` and `make test`. All create .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

.PHONY: demo lint test bench bench-quick
demo: $(VENV)/.installed
	$(VENV)/bin/osservatorio demo

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: $(VENV)/.installed
	$(PY) -m pytest -n auto

# The engine's benchmarks (build from scratch, monthly update, page renders) at 100,000 units x 10 years against
# 1,500 units; PostgreSQL too when OSSERVATORIO_BENCH_POSTGRES_URL names a server (see bench/__main__.py).
bench: $(VENV)/.installed
	$(PY) -m bench all

bench-quick: $(VENV)/.installed
	$(PY) -m bench all --quick
