# labelmarket: every set-up step a fresh machine needs lives here.
# `make demo` and `make test` are the two commands the README promises.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS_STAMP := $(VENV)/.solara-assets

.PHONY: demo test test-fast viz docs-images bench validate clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), f"labelmarket needs Python >= 3.12, found {sys.version.split()[0]}: install it or pass PYTHON=python3.12"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all,test,bench]'
	touch $(STAMP)

$(ASSETS_STAMP): $(STAMP) tools/install_solara_assets.py
	$(PY) tools/install_solara_assets.py
	touch $(ASSETS_STAMP)

demo: $(STAMP)
	$(VENV)/bin/labelmarket run

test: $(ASSETS_STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 -q
	$(VENV)/bin/labelmarket test scenarios/ --seeds 5 --junit test-results/scenarios.xml

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 -q -m "not browser and not slow"

viz: $(ASSETS_STAMP)
	$(VENV)/bin/labelmarket viz

docs-images: $(ASSETS_STAMP)
	$(PY) tools/docs_images.py

validate: $(STAMP)
	$(VENV)/bin/labelmarket validate

bench: $(STAMP)
	$(PY) -m labelmarket.benchmarks

clean-venv:
	rm -rf $(VENV)
