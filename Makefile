# Two entry points for a fresh machine: `make run` (main job on the bundled survey) and `make test`.
# Both create the virtual environment .venv and install floorsim into it when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.floorsim-installed

.PHONY: run test venv chromium clean

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

clean:
	rm -rf $(VENV) floorsim-output .pytest_cache
