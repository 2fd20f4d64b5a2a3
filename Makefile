# The README's two commands: `make run` and `make test`. Each creates .venv and installs
# everything it needs on a fresh machine (Python 3.11, pip; nothing installed by hand).

VENV    ?= .venv
PY      := $(VENV)/bin/python
KG      := $(VENV)/bin/kg
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
STORE   ?= ./kgdata

.PHONY: install run ingest serve test lint typecheck unit bench clean virtuoso

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## make run: build the graph from the bundled posts (data/samples: the team's sample posts and
## the founding post) into $(STORE), then serve SPARQL, the REST API and the views.
run: install
	$(KG) ingest --store $(STORE) data/samples
	$(KG) serve --store $(STORE)

## make test: lint, format check, import contracts, types, then every test (see tests/).
## The Virtuoso tests need Debian's virtuoso-opensource: installed here when missing (as root,
## like CI); where it cannot be, those tests are skipped and pytest prints why.
test: install lint typecheck virtuoso unit

virtuoso:
	@command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null; } || \
	  echo "virtuoso: could not install virtuoso-opensource (needs root and apt); its tests will be skipped"

lint: install
	$(VENV)/bin/ruff check kg api tests bench scripts
	$(VENV)/bin/ruff format --check kg api tests bench scripts
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy

unit: install
	$(PY) -m pytest -q

bench: install virtuoso
	$(PY) -m bench.extract
	$(PY) bench/api.py
	$(PY) bench/viz.py
	$(PY) bench/ingest.py
	$(PY) -m bench.scale

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache .mypy_cache .ruff_cache
