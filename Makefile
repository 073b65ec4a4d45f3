# cxlab — two commands on a fresh clone: `make report` and `make test`.
# Both create .venv (Python 3.11) and install cxlab into it when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cxlab-installed

.PHONY: install report test lab bench clean
install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## run the bundled demo study and write reports/demo/index.html (+ a screenshot for the README)
report: install
	$(BIN)/cxlab run
	$(BIN)/python -m cxlab.screenshot reports/demo/index.html reports/demo/index.png || \
	  echo "(no screenshot: Chromium is not installed; 'make test' installs it)"

## run the whole test suite (installs Chromium from Debian's packages when missing)
test: install
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest

## open JupyterLab on the project with the cxlab kernel
lab: install
	$(BIN)/python -m ipykernel install --sys-prefix --name cxlab --display-name "Python (cxlab)"
	$(BIN)/jupyter lab --notebook-dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root)

## time `cxlab run` on the demo study (benchmarks/README.md)
bench: install
	$(BIN)/python benchmarks/bench_run.py

clean:
	rm -rf reports/demo data/processed/demo .pytest_cache
