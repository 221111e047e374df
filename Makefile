# Two commands on a fresh machine with Python >= 3.10 and make:
#   make lab    create .venv, install the course, start JupyterLab on notebooks/
#   make test   create .venv, install the course with test extras, run the whole suite
#   make browser-test   every lesson run in JupyterLab in Debian's chromium (tests/browser/)
# Both are idempotent: the install runs again only when pyproject.toml changes
# (the package is installed editable, so edits to rnncourse/ need no reinstall).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?=
# pytest-xdist: two workers for this 2-core machine; override with JOBS=1.
# --dist loadfile keeps every notebook (and every test module) on one worker: nbval runs
# a notebook's cells in order in one kernel, so they must not be spread over workers.
JOBS   ?= 2
XDIST   = -n $(JOBS) --dist loadfile
# One BLAS thread per worker: two workers already fill two cores, and oversubscribed
# OpenBLAS threads made small recurrent products up to 10x slower under load.
# The same arithmetic on every x86-64 CPU: a lesson's training run is chaotic, and the
# last bit of a product decides a printed digit 600 updates later. OpenBLAS and numpy pick
# their kernels by CPU (AVX-512 or AVX2), and each choice rounds differently. NUMERIC_ENV
# fixes both at the AVX2 ones (rnncourse/authoring/numeric_env.py says which, for the numpy
# installed): the stored outputs were computed with it, and nbval, `make store` and
# `make lab` use it, so a learner sees the stored numbers. Expanded when a recipe runs,
# after the virtual environment exists.
NUMERIC_ENV = $(shell $(BIN)/python -m rnncourse.authoring.numeric_env 2>/dev/null)
TEST_ENV = OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(NUMERIC_ENV)
PYTEST_ARGS ?=

# nbval: run every lesson and solution notebook and compare what it prints with the
# stored outputs. tests/nbval_sanitize.cfg rewrites volatile text (memory addresses,
# timings, progress bars, paths) before comparing; figures and widget states are not
# compared (nbval only compares text outputs unless told otherwise); numbers that
# notebooks print are rounded by the notebooks themselves, and NUMERIC_ENV (above) fixes
# the kernels that compute them. --nbval-current-env runs the notebooks in this virtual
# environment's kernel.
# notebook folders that exist (an empty folder is not kept by git)
NB_DIRS := $(wildcard notebooks solutions)
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         --nbval-cell-timeout=120

.PHONY: lab test unit notebooks assignments store bench browser-test chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.lab-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.lab-installed $@

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(VENV)/.lab-installed
	$(NUMERIC_ENV) $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT) \
	    --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(ARGS)

test: $(VENV)/.test-installed
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS) tests $(NBVAL) $(NB_DIRS)

unit: $(VENV)/.test-installed
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS) tests

assignments: $(VENV)/.test-installed
	$(BIN)/rnncourse assign

# store a notebook's outputs: run it top to bottom with the test's arithmetic, then
# normalise it (as JupyterLab writes it). make store NB="notebooks/10_language_model.ipynb"
NB ?=
store: $(VENV)/.test-installed
	@[ -n "$(NB)" ] || { echo 'store: name the notebooks, e.g. make store NB="notebooks/04_vanishing_gradients.ipynb"'; exit 1; }
	$(TEST_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=300 $(NB)
	$(BIN)/python -m rnncourse.authoring.normalize $(NB)

notebooks: $(VENV)/.test-installed
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS) $(NBVAL) $(NB_DIRS)

$(VENV)/.browser-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[browser]"
	touch $@

# Debian's chromium, driven by Playwright (never a browser Playwright downloads). As root
# with apt, `make chromium` installs a missing one; otherwise one line says what is missing.
# The lessons run in two JupyterLab servers, one per worker (JOBS), each with its own
# chromium; worksteal balances the long lessons. Screenshots land in build/browser-test/
# (ignored by git). `make test` needs none of it.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || { echo "chromium: apt-get install chromium failed"; exit 1; }; \
	    [ -x "$(CHROMIUM)" ] || { echo "chromium: $(CHROMIUM) is still missing after apt-get install chromium"; exit 1; }; \
	  else \
	    echo "browser-test: $(CHROMIUM) is missing: install Debian's chromium (sudo apt-get install chromium)"; exit 1; \
	  fi; \
	fi

browser-test: $(VENV)/.test-installed $(VENV)/.browser-installed chromium
	RNNCOURSE_BROWSER_TEST=1 RNNCOURSE_CHROMIUM="$(CHROMIUM)" $(TEST_ENV) \
	    $(BIN)/python -m pytest -p no:cacheprovider -n $(JOBS) --dist worksteal -ra \
	    --durations=0 $(PYTEST_ARGS) tests/browser

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $@

# speed comparisons (see benchmarks/README.md; PyTorch is compared when installed by hand)
bench: $(VENV)/.test-installed $(VENV)/.bench-installed
	$(BIN)/python benchmarks/bench_models.py
	$(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf $(VENV) .pytest_cache
