# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PORT ?= 8000

.PHONY: install browser doc-tools cjk-font bench-tools replay-tools demo test bench bench-ui soak fuzz audit clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Headless Chromium for tests/browser, from Debian's packages (idempotent).
browser:
	sh scripts/install-browser.sh

# Ctrl-C or a SIGTERM to make stops the UI and the simulated portals (make does not pass SIGTERM on:
# the demo, exec'd as make's own child, stops when make ends).
demo: install doc-tools cjk-font
	exec $(VENV)/bin/govplans demo --port $(DEMO_PORT) --stop-with-parent

# antiword and catdoc: text of .doc/.wps attachments, from Debian's packages (idempotent).
doc-tools:
	sh scripts/install-doc-tools.sh

# wrk: the load tool of bench-ui and of the soak test in tests/reliability (idempotent).
bench-tools:
	sh scripts/install-bench-tools.sh

# pywb in .venv-pywb: the replay server tests/archive/test_replay.py starts (idempotent).
replay-tools:
	PYTHON=$(PYTHON) sh scripts/install-replay-tools.sh .venv-pywb

# A CJK font for the farm's scans (sitefarm/scans.py), from Debian's packages (idempotent).
cjk-font:
	sh scripts/install-cjk-font.sh

test: install browser doc-tools cjk-font bench-tools replay-tools
	$(PY) -m pytest -q

BENCH_ARGS ?=

# Every stage against its peer in one run; `make bench BENCH_ARGS="--docs 100000 --record"`.
bench: install
	sh scripts/install-bench-tools.sh
	$(PY) -m bench $(BENCH_ARGS)

# The search page under 20 concurrent clients (wrk) on a 100k-document archive.
bench-ui: install
	sh scripts/install-bench-tools.sh
	$(PY) -m bench.ui_load --docs 100000 --processes 1,2 --warmup 20

# 50 clients for 5 minutes on a 100k-document archive while a crawl ingests (after 7 minutes' warm-up).
soak: install
	sh scripts/install-bench-tools.sh
	$(PY) -m bench.soak --docs 100000 --seconds 300 --connections 50 --processes 2

# The long fuzz run (CI runs a 30 s box inside `make test`).
fuzz: install
	$(PY) -m fuzz --seconds 300

# Needs a reachable vulnerability service (OSV or PyPI's per-release JSON); --strict fails rather than skip.
audit: install
	$(PY) -m pip install -q "pip-audit>=2.7,<3"
	$(VENV)/bin/pip-audit --strict --progress-spinner off

clean:
	rm -rf $(VENV) .venv-pywb data .pytest_cache
