# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint dist screenshots bench clean

run: $(STAMP)
	$(PY) -m storyclip_desktop db upgrade
	$(PY) -m storyclip_desktop

# The layers of docs/architecture.md are import-linter contracts (pyproject.toml).
test: $(TSTAMP)
	$(PY) -m ruff check storyclip_desktop tests bench
	$(VENV)/bin/lint-imports
	@# One pytest run, the window tests included (tests/ui/conftest.py: Qt's garbage is
	@# freed on the GUI thread, see ui/garbage.py).
	$(PY) -m pytest -q

lint: $(TSTAMP)
	$(PY) -m ruff check storyclip_desktop tests bench
	$(VENV)/bin/lint-imports

dist: $(STAMP)
	$(PY) -m pip install -q -e '.[dist]'
	$(PY) -m PyInstaller --noconfirm --clean build.spec
	./dist/storyclip/storyclip --version
	STORYCLIP_DATA_DIR=$$(mktemp -d) STORYCLIP_CONFIG_DIR=$$(mktemp -d) ./dist/storyclip/storyclip demo

screenshots: $(TSTAMP)
	xvfb-run -a -s "-screen 0 2600x1500x24" $(PY) docs/screenshots/take.py && xvfb-run -a -s "-screen 0 2600x1500x24" $(PY) docs/screenshots/take.py --dark

bench: $(TSTAMP)
	$(PY) bench/ordering_bench.py

# A venv even where Debian's python3-venv (ensurepip) is missing: a venv without pip,
# then the system's own pip installs pip into it (`pip --python`), so pip's own
# configuration decides where packages come from.
$(PY):
	$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv --without-pip $(VENV) \
	  && $(PYTHON) -m pip --python $(PY) install -q pip; }

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info
