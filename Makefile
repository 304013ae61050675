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

# A venv even where Debian's python3-venv (ensurepip) is missing: fall back to a venv
# without pip and install pip from its wheel on PyPI.
$(PY):
	$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv --without-pip $(VENV) \
	  && $(PY) -c "$$BOOTSTRAP_PIP"; }

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info

define BOOTSTRAP_PIP
import json, os, subprocess, sys, tempfile, urllib.request
meta = json.load(urllib.request.urlopen('https://pypi.org/pypi/pip/json'))
url = next(f['url'] for f in meta['urls'] if f['filename'].endswith('.whl'))
whl = os.path.join(tempfile.mkdtemp(), url.rsplit('/', 1)[1])
urllib.request.urlretrieve(url, whl)
subprocess.check_call([sys.executable, os.path.join(whl, 'pip'), 'install', '-q', whl])
endef
export BOOTSTRAP_PIP
