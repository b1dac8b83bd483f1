# The suite's commands. `make lab` and `make test` set everything up on a fresh
# machine with Python 3.11 and make; see README.md.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# make lab PORT=8890, make present PORT=8870: each has its own default, so both can run at once.
PORT   ?=
LAB_PORT     := $(or $(PORT),8888)
PRESENT_PORT := $(or $(PORT),8866)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: help venv lab test test-fast lint notebooks present bench freeze clean

help:
	@echo "make lab        create .venv if needed and open JupyterLab (repository root, notebook 00) on port $(LAB_PORT)"
	@echo "make test       create .venv if needed and run every test (unit, nbval, browser)"
	@echo "make notebooks  re-run every notebook and store its outputs (then strip widget state)"
	@echo "make present    serve the client presentation with Voila on 127.0.0.1:$(PRESENT_PORT)"
	@echo "make bench      run the benchmarks and write benchmarks/RESULTS.md"
	@echo "make lint       ruff, then the type checker (mypy, settings in pyproject.toml)"

venv: $(STAMP)

# Reinstall when the pins or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# JupyterLab refuses to start as root without --allow-root (containers, CI machines).
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

# Rooted at the repository, so data/ and reports/ are in the file browser; opens notebook 00.
# (Naming the notebook on the command line would root Lab in notebooks/.)
lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab $(LAB_FLAGS) --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
		--ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

# Offline by default (client meetings): no news feed, no update checks.
$(LAB_SETTINGS): $(STAMP)
	@mkdir -p $(@D)
	@printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"checkForUpdates": false, "fetchNews": "false"}}' > $@

test: $(STAMP)
	$(BIN)/python -m pytest

# Unit tests only (no notebooks, no browser): the quick loop while editing the library.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests msp_analysis -o addopts="--doctest-modules -p no:cacheprovider" -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check msp_analysis tests benchmarks
	$(BIN)/ruff format --check msp_analysis tests benchmarks
	$(BIN)/mypy msp_analysis

notebooks: $(STAMP)
	$(BIN)/python tests/notebook_tools.py regenerate $(NOTEBOOKS)

# Voila on 127.0.0.1 only, with the offline template (no CDN stylesheets) and kernel
# culling: a kernel goes 2 minutes after its page is closed (or after a bare GET);
# the dashboard on screen keeps its kernel however long the meeting is idle. The
# flags live in msp_analysis.present.dashboard.voila_command, which the browser test uses too.
present: $(STAMP)
	$(BIN)/python -m msp_analysis present --port=$(PRESENT_PORT)

# BENCH_ARGS go to run.py, e.g. make bench BENCH_ARGS="--only 1,3" (prints only) or BENCH_ARGS=--quick.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements-bench.txt
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Re-resolve the pins from the top-level list in requirements.txt's header.
freeze: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^msp.analysis' > requirements.freeze.tmp
	@echo "review requirements.freeze.tmp, then move it over requirements.txt (keep the header)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis artifacts
