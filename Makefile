# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PORT ?= 8000

.PHONY: install browser demo test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Headless Chromium for tests/browser, from Debian's packages (idempotent).
browser:
	sh scripts/install-browser.sh

demo: install
	$(VENV)/bin/govplans demo --port $(DEMO_PORT)

test: install browser
	$(PY) -m pytest -q

BENCH_ARGS ?=

# Every stage against its peer in one run; `make bench BENCH_ARGS="--docs 100000 --record"`.
bench: install
	sh scripts/install-bench-tools.sh
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache
