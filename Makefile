# rmbs -- everything a fresh machine needs goes through these targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo test lint typecheck pytest bench clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# the last step: compile (or load from numba's cache) every numba kernel, so the first grid runs at full speed
install: $(STAMP)
	$(VENV)/bin/rmbs warm

demo: $(STAMP)
	$(VENV)/bin/rmbs demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests $(wildcard bench)
	$(VENV)/bin/ruff format --check src tests $(wildcard bench)

typecheck: $(STAMP)
	$(VENV)/bin/mypy src/rmbs/money.py src/rmbs/errors.py src/rmbs/collateral src/rmbs/waterfall src/rmbs/analytics src/rmbs/report

pytest: $(STAMP)
	$(VENV)/bin/pytest -q -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) bench/collateral.py
	$(PY) bench/waterfall.py
	$(PY) bench/grid.py
	$(PY) bench/admin.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
