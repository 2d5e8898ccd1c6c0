# Two commands do everything on a fresh machine:
#   make dossier YEAR=2023   builds the 2023 dossier into outputs/<convention>/2023/
#   make test                runs the whole test suite
# CONVENTION=<folder of inputs/> chooses the convention when several cover the year.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
YEAR   ?= 2023
INPUTS ?= inputs
CONVENTION ?=
STAMP  := $(VENV)/.installed
RUN    := $(BIN)/python -m pipeline --inputs $(INPUTS) $(if $(CONVENTION),--convention $(CONVENTION))

.PHONY: setup system dossier dossiers crf check statut test test-fast coverage clean bench convention new-year apercu lock lint bureau

SYSTEM   := $(VENV)/.system
COMPILED := $(VENV)/.compiled

# each step runs again only when what it depends on changed: « make dossier » with nothing to do stays quick
setup: $(STAMP) $(SYSTEM) $(COMPILED)

$(COMPILED): $(STAMP) $(shell find pipeline -name '*.py')
	@$(BIN)/python -m compileall -q pipeline  # bytecode once, even where PYTHONDONTWRITEBYTECODE is set
	@touch $@

# the exact versions of requirements.lock, each checked against its hash, then the package itself:
# the same libraries on every machine, so the same documents byte for byte (make lock updates it)
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:  # requirements.lock again from pyproject.toml's ranges, keeping its pins (UPGRADE=1: the newest allowed)
	$(PYTHON) -m venv .lock-tools && .lock-tools/bin/pip install --quiet pip-tools
	.lock-tools/bin/pip-compile --quiet --generate-hashes --extra test --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) -o requirements.lock pyproject.toml
	rm -rf .lock-tools

$(SYSTEM): tools/setup-system.sh pipeline/office/packages.txt | $(STAMP)
	@sh tools/setup-system.sh
	@touch $@

system:  # check the system packages again, whatever the stamp says
	@sh tools/setup-system.sh
	@touch $(SYSTEM)

# FINAL=1: the final version (« --final »): real data only, every document signed apart back signed
FINAL_FLAG = $(if $(filter-out 0 non no,$(FINAL)),--final)

dossier: setup
	$(RUN) build $(YEAR) $(FINAL_FLAG)

dossiers: setup
	$(RUN) build --all $(FINAL_FLAG)

crf: setup  # make crf YEAR=2024: the compte rendu financier 2024 and its covering letter, each to sign apart
	$(RUN) crf $(YEAR) $(FINAL_FLAG)

check: setup  # ANNOTATE=1: a commented copy beside each faulty template; FINAL=1: what a final version requires
	$(RUN) check $(if $(ANNOTATE),--annotate) $(FINAL_FLAG)

statut: setup  # make statut [YEAR=2023]: who must sign what, who signed and when, what is missing
	$(RUN) status $(if $(filter command line,$(origin YEAR)),$(YEAR))

apercu: setup  # make apercu YEAR=2023 DOC=bilan: the document's PDF rewritten at each save of its template or data
	$(RUN) apercu $(YEAR) $(DOC)

bureau: setup  # make bureau: the local web page (board, signed originals, builds); Ctrl-C to stop it
	$(BIN)/python -m pipeline --inputs $(INPUTS) bureau

new-year: setup  # make new-year YEAR=2024: the year's folder from the previous one
	$(RUN) new-year $(YEAR)

convention: setup  # make convention NAME=amp-arhlm-2025-2027 FROM=amp-arhlm-2022-2024 (FROM optional)
	$(BIN)/python -m pipeline --inputs $(INPUTS) new-convention $(NAME) $(if $(FROM),--depuis $(FROM))

# the suite on every core (WORKERS=1: in this process only), each test file on one worker: a file's
# module fixtures (a built dossier, a browser) are made once, and two workers never share a file's folders
WORKERS ?= auto
XDIST = $(if $(filter 1,$(WORKERS)),-p no:xdist,-n $(WORKERS) --dist loadfile)

test: setup
	$(BIN)/python -m pytest -q $(XDIST)

lint: setup  # ruff (lint, and the format « ruff format » writes) over pipeline/, tests/, tools/; mypy over the modules pyproject.toml's [tool.mypy] holds clean, commit messages
	$(BIN)/python -m ruff check pipeline tests tools
	$(BIN)/python -m ruff format --check pipeline tests tools
	$(BIN)/python -m mypy
	$(BIN)/python tools/check_commits.py

test-fast: setup  # the tests that need no LibreOffice (they ask for no office fixture): data, rules, templates, publishing, the scheduler with a stand-in
	$(BIN)/python -m pytest -q -m "not office" $(XDIST)

coverage: setup  # the fast suite's coverage of the engine (pipeline/ but convention/), then of all pipeline/
	@rm -rf .coverage-data && mkdir -p .coverage-data
	$(BIN)/python -m coverage run -m pytest -q -m "not office"
	@$(BIN)/python -m coverage combine -q
	@$(BIN)/python -m coverage report --omit='pipeline/convention/*' --format=total | sed 's/^/moteur (hors convention\/) : /; s/$$/ %/'
	@$(BIN)/python -m coverage report --format=total | sed 's/^/pipeline\/ entier : /; s/$$/ %/'

bench: setup
	$(BIN)/python tools/bench.py

# CONVENTION=<folder> cleans that convention's outputs only. What set-up made is kept: LibreOffice's
# profiles (its settings, not documents: a first start on a new one costs half a second) and the
# engine's bytecode (compiled by setup, which would not compile it again)
clean:
ifneq ($(CONVENTION),)
	rm -rf outputs/$(CONVENTION)
else
	find outputs -mindepth 1 -maxdepth 1 ! -name .gitkeep ! -name .cache -exec rm -rf {} +
	find outputs/.cache -mindepth 1 -maxdepth 1 ! -name 'libreoffice-profile*' -exec rm -rf {} + 2>/dev/null || true
endif
	rm -rf .pytest_cache .hypothesis build *.egg-info .coverage-data
	find . -name __pycache__ -not -path './$(VENV)/*' -not -path './pipeline/*' -prune -exec rm -rf {} +
