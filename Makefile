# Two entry points for a fresh machine: `make run` (main job on the bundled survey) and `make test`.
# Both create the virtual environment .venv and install floorsim into it when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.floorsim-installed

.PHONY: run test test-install test-min-versions venv chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/floorsim run

# The HTML report is checked in headless Chromium (Debian's package). Installed when missing and possible (as
# root with apt-get); otherwise the rendering test says why it cannot run. Never fails the build by itself.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	      echo "chromium could not be installed: the HTML rendering test will be skipped"; \
	  else echo "chromium not installable here: the HTML rendering test will be skipped"; fi

test: $(STAMP) chromium
	$(BIN)/python -m pytest

# The wheel installed in a fresh virtual environment with every dependency resolved from the package index
# (the ordinary suite reuses the test environment's distributions instead; tests/install/test_wheel.py).
test-install: $(STAMP)
	FLOORSIM_INSTALL_TEST=full $(BIN)/python -m pytest -q tests/install

# Every runtime dependency at the lower bound pyproject.toml declares, then a smoke subset (tests/install/min_versions.py).
test-min-versions: $(STAMP)
	$(BIN)/python tests/install/min_versions.py .venv-min

clean:
	rm -rf $(VENV) .venv-min .venv-min.constraints.txt floorsim-output .pytest_cache
