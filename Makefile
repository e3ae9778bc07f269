# Two entry points for a fresh machine: `make run` (main job on the bundled survey) and `make test`.
# Both create the virtual environment .venv and install floorsim into it when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.floorsim-installed

.PHONY: run test venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/floorsim run

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) floorsim-output .pytest_cache
