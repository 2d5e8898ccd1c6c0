# Two commands do everything on a fresh machine:
#   make dossier YEAR=2023   builds the 2023 dossier into outputs/2023/
#   make test                runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
YEAR   ?= 2023
INPUTS ?= inputs/amp-arhlm-2022-2024
STAMP  := $(VENV)/.installed
RUN    := $(BIN)/python -m pipeline --inputs $(INPUTS)

.PHONY: setup system dossier dossiers check test clean bench

setup: $(STAMP) system
	@$(BIN)/python -m compileall -q pipeline  # bytecode once, even where PYTHONDONTWRITEBYTECODE is set

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

system:
	@sh tools/setup-system.sh

dossier: setup
	$(RUN) build $(YEAR)

dossiers: setup
	$(RUN) build --all

check: setup
	$(RUN) check

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python tools/bench.py

clean:
	find outputs -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
