# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
# Each creates (or reuses) .venv, installs the project with its test tools, builds
# the translation catalogue and then runs.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BUILD_STAMP := $(VENV)/.build-stamp
BUNDLE_BUDGET_MIB := 200
TS     := resources/translations/gridvisit_zh_CN.ts
QM     := resources/translations/gridvisit_zh_CN.qm

.PHONY: run test lint format translations demo benchmark crash-test bundle bundle-smoke clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gridvisit needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(QM): $(TS) $(STAMP)
	$(VENV)/bin/pyside6-lrelease -silent $(TS) -qm $(QM)

run: $(STAMP) $(QM)
	$(PY) -m gridvisit $(ARGS)

test: $(STAMP) $(QM)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check gridvisit tests benchmarks
	$(VENV)/bin/ruff format --check gridvisit tests benchmarks
	$(PY) -m mypy
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

format: $(STAMP)
	$(VENV)/bin/ruff format gridvisit tests benchmarks
	$(VENV)/bin/ruff check --fix gridvisit tests benchmarks

# Refresh the .ts catalogue from tr() calls; translate new entries, then commit the .ts.
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $$(find gridvisit/ui gridvisit/app.py -name '*.py') \
		-ts $(TS) -no-obsolete -locations none
	$(PY) tools/zh_CN.py $(TS)

demo: $(STAMP) $(QM)
	$(PY) -m gridvisit --demo

benchmark: $(STAMP) $(QM)
	$(PY) benchmarks/bench_demo.py
	$(PY) benchmarks/bench_main_window.py
	$(PY) benchmarks/bench_weekly_report.py
	$(PY) benchmarks/bench_merge.py
	$(PY) benchmarks/bench_encryption.py
	$(PY) benchmarks/bench_startup.py

$(BUILD_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[build]'
	@touch $(BUILD_STAMP)

# The standalone one-folder bundle dist/gridvisit/ (PyInstaller, build.spec). The steps
# live in tools/bundle.py, which the release workflow (.github/workflows/release.yml) runs too.
bundle: $(BUILD_STAMP) $(QM)
	$(PY) tools/bundle.py build

# Build, then run the bundled self-test offscreen and hold the size budget.
bundle-smoke: bundle
	$(PY) tools/bundle.py smoke --budget-mib $(BUNDLE_BUDGET_MIB)

# The dedicated crash test: 100 children killed with SIGKILL mid-work (a few minutes).
crash-test: $(STAMP)
	$(PY) -m tests.reliability.crash --trials $${TRIALS:-100}

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache $(QM)
