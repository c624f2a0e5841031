# The two commands: `make run` (set up, run the main job, outputs under out/) and
# `make test` (set up, run the whole suite). Both are idempotent and quick once set up.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-install
AUTHORITIES := spec/authorities

.PHONY: setup run test lint typecheck pytest soak bench system-deps clean dist lower-bounds

setup: $(STAMP) system-deps

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "stepcheck needs Python 3.11 or newer (set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

# The main job over the shipped authorities. Findings are its output, so it exits 0
# when the job ran, whatever the verdicts; a broken shipped spec is a failure.
run: setup
	@mkdir -p out
	@$(BIN)/stepcheck validate $(AUTHORITIES) > out/validate.txt; status=$$?; \
		cat out/validate.txt; \
		$(BIN)/stepcheck validate --format json $(AUTHORITIES) > out/validate.json; \
		if [ $$status -ne 0 ]; then echo "make run: a shipped spec is invalid (see above)"; exit 1; fi
	@$(BIN)/stepcheck coverage --all $(AUTHORITIES) > out/coverage.txt; status=$$?; \
		cat out/coverage.txt; $(BIN)/stepcheck coverage --all --format json $(AUTHORITIES) > out/coverage.json; \
		if [ $$status -ge 2 ]; then echo "make run: coverage could not run"; exit 1; fi
	@$(BIN)/stepcheck verify --derived --out-dir out $(AUTHORITIES); status=$$?; \
		if [ $$status -eq 2 ]; then echo "make run: verify could not run"; exit 1; fi
	@mkdir -p out/diagrams
	@for spec in $(AUTHORITIES)/*.yaml; do \
		$(BIN)/stepcheck diagram "$$spec" --format svg --out-dir out/diagrams || \
		{ echo "make run: could not draw $$spec (SVG needs Graphviz's dot)"; }; \
	done
	@$(BIN)/stepcheck report $(AUTHORITIES) --results out/verify.json -o out/report.html; status=$$?; \
		if [ $$status -eq 2 ]; then echo "make run: the report could not be written"; exit 1; fi
	@echo "outputs written under out/: validate.*, coverage.*, verify.{txt,json,xml,sarif,md,pr.md}," \
		"report.html, diagrams/*.svg"

test: setup lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	bash scripts/typecheck.sh

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-gate} $(BIN)/pytest -n 2 -p no:cacheprovider --durations=25 --dist loadgroup --no-loadscope-reorder

# A long differential run of the Z3 engines against the explicit explorer (not in CI).
soak: $(STAMP)
	$(BIN)/python -m benchmarks.soak --examples $${EXAMPLES:-10000} $${SHARDS:+--shards $$SHARDS} $${PARALLEL:+--parallel $$PARALLEL} $${SEED:+--seed $$SEED} $${ONLY:+--only $$ONLY}

bench: setup
	$(BIN)/python -m benchmarks

# The sdist (with the tests) and the wheel, built from a copy of the tracked files in a
# temporary folder (no build/ or *.egg-info here); fails on any setuptools warning.
dist: $(STAMP)
	bash scripts/build_dist.sh dist $(BIN)/python

# Every runtime dependency, z3 included, at the lowest version pyproject.toml allows, in
# a fresh virtual environment, and the tests that load, verify and test with them.
# Needs the package index (not run by `make test`); a few minutes.
lower-bounds:
	bash scripts/lower_bounds.sh $(PYTHON)

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache .hypothesis
