# diplosim: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv installs the locked set (uv.lock); the same version is pinned in pyproject's dev extra
UV_VERSION := 0.13.9
UV := $(BIN)/uv
# `make test-latest`: a throw-away environment with the newest releases pyproject.toml allows
LATEST := .venv-latest
# (the newest interpreter that runs: pyenv's versions first, whose shims may not be active)
LATEST_PYTHON ?= $(shell for p in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.*/bin/python3 \
  2>/dev/null | sort -V -r) python3.14 python3.13 python3.12 python3; do \
  "$$p" -c 'import sys; print(sys.executable)' 2>/dev/null && break; done)
SCENARIO ?= scenarios/example.yaml
OUT ?= out/example

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install lock test-latest browser run test lint docs bench fuzz validate scenarios screening ranges \
	screenshot sensitivity-example clean

install: $(STAMP)

# Installs exactly the locked set (every extra the tests need), never a fresh resolution, with
# its bytecode compiled once (a command otherwise compiles ~1,000 modules again when bytecode
# is not written, as under PYTHONDONTWRITEBYTECODE: 1.7 s of a 3.7 s `diplosim coordination`);
# `--locked` refuses a uv.lock that no longer matches pyproject.toml (run `make lock`).
$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test "$$($(UV) --version 2>/dev/null)" = "uv $(UV_VERSION)" || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) sync --quiet --compile-bytecode --locked --all-extras --python $(BIN)/python
	@$(BIN)/python -m compileall -q src
	@touch $(STAMP)

# Re-resolve every dependency to the newest release pyproject.toml allows and rewrite uv.lock.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test "$$($(UV) --version 2>/dev/null)" = "uv $(UV_VERSION)" || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) lock --upgrade

# Not part of CI: the tests against the newest releases pyproject.toml allows (and the newest
# Python here), in a throw-away environment, so a breaking release is known before users meet it.
test-latest: install browser
	rm -rf $(LATEST)
	$(UV) venv --quiet --python $(LATEST_PYTHON) $(LATEST)
	$(UV) pip install --quiet --python $(LATEST)/bin/python --upgrade --resolution highest \
	  -e '.[dev,distributed,pandas]'
	$(UV) pip freeze --python $(LATEST)/bin/python > $(LATEST)/freeze.txt
	$(LATEST)/bin/python -m pytest -p no:cacheprovider

run: install
	$(BIN)/diplosim run $(SCENARIO) --out $(OUT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-cache

# The report's browser test uses Debian's chromium (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The documentation site, built strictly (a broken link or reference fails); `make test` builds
# it too (tests/test_docs.py), so CI keeps it honest. Open site/index.html, or `mkdocs serve`.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

test: install lint browser docs
	$(BIN)/python -m pytest

# Fuzz the scenario loader and every importer: 10,000 examples per target (about 30 minutes
# on two cores); the count each target ran is written to docs/fuzz-results.json.
fuzz: install
	rm -f docs/fuzz-results.json
	DIPLOSIM_FUZZ_EXAMPLES=10000 DIPLOSIM_FUZZ_RESULTS=docs/fuzz-results.json \
	  $(BIN)/python -m pytest tests/fuzz
	@cat docs/fuzz-results.json

bench: install
	$(BIN)/python -m benchmarks.run --out benchmarks/results.json

# The model against published findings, full size (`diplosim validate-model --quick` is in the
# tests); writes validation.json and the table of docs/validation.md, and the size check (the
# example and every built-in scenario at two world sizes a factor 4 apart) into the same page
# and docs/sizes.json, and the pass count and the model's limits into the README and the
# scenarios page.
validate: install
	$(BIN)/diplosim validate-model --page docs/validation.md --json docs/validation.json \
	  --sizes-json docs/sizes.json --summary-into README.md --summary-into docs/scenarios.md

# Run every built-in scenario and its variants with 8 seeds each (on a local Ray); write each
# headline, every figure with its 95% interval, into scenarios/NAME.md.
scenarios: install
	$(BIN)/diplosim studies --out out/scenarios --page docs/validation.md

# A Morris screening of each built-in scenario's assumptions; writes the block that names the
# assumptions its headline depends on most into scenarios/NAME.md.
screening: install
	$(BIN)/diplosim studies --screening --out out/scenarios

# Each built-in scenario's headline figures over its assumptions (a Latin hypercube over their
# documented ranges) beside the seed's spread; writes the ranges block into scenarios/NAME.md.
ranges: install
	$(BIN)/diplosim studies --ranges --out out/scenarios

# The README's picture of the example's report and the docs' picture of its map (after `make run`).
screenshot: install browser
	$(BIN)/python -m docs.screenshot $(OUT) docs/report.png
	$(BIN)/python -m docs.screenshot $(OUT) docs/map.png '#map'

# The README's sensitivity example and its picture (4 min 4 s from no runs here, this session).
sensitivity-example: install browser
	$(BIN)/diplosim sensitivity scenarios/example.yaml --measure "metric:run/engagement per view" \
	  --measure positive_share:ukraine_war --assumptions --samples 4 --set world.users=5000 \
	  --out out/sensitivity
	$(BIN)/python -m docs.screenshot out/sensitivity/sensitivity.html docs/sensitivity.png 1400

clean:
	rm -rf $(VENV) $(LATEST) out site .pytest_cache .ruff_cache
