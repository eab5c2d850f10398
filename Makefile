# autotrade: two commands on a fresh machine.
#   make run    install everything, run the whole pipeline on the bundled sample data
#   make test   install everything, run the tests
# Everything installs into .venv from uv.lock; uv itself is bootstrapped with pip if missing.
# PYTHON=3.12 (or 3.11, 3.13, or an interpreter's path) runs any target on that interpreter, in
# an environment of its own (.venv-3.12, .venv-python3.12): uv finds it on PATH, or downloads it.
# Settings and their defaults: orchestration/environment.py (README "Configuration").

SHELL := /bin/bash
# uv from PATH, else the one pip installs as a module (make bootstraps it below).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

# make runs the pipeline on the bundled sample, not on the default landing folder.
export AUTOTRADE_LANDING ?= sample/landing
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

PYTHON ?=
VENV := .venv$(if $(PYTHON),-$(notdir $(PYTHON)))
export UV_PROJECT_ENVIRONMENT := $(VENV)
ifneq ($(PYTHON),)
export UV_PYTHON := $(PYTHON)
endif

.PHONY: install prepare run withdraw test ui lint sample clean versions rollback dashboard docs bench bench-full

# --compile-bytecode: every package's bytecode written once, at install. Python otherwise
# writes it at first import, but not where PYTHONDONTWRITEBYTECODE is set or the environment
# is read-only, and then every run compiles Dagster, dbt and GX again (14 s of a new drop's
# run here; docs/benchmarks.md). Not UV_COMPILE_BYTECODE: each `uv run` would re-check it.
SYNC = $(UV) sync --frozen --compile-bytecode

$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(SYNC)
	touch $@

# The Spark engine's optional extra (pyspark, dbt-spark; docs/scale.md), added on top of the
# lean install for AUTOTRADE_ENGINE=spark and for the tests (which build on both engines).
# --inexact: add the extra, remove nothing; it is quick when already there.
SPARK_EXTRA = $(SYNC) --inexact --extra spark

install: $(VENV)/.installed
	$(if $(filter spark,$(AUTOTRADE_ENGINE)),$(SPARK_EXTRA))

# The dbt manifest Dagster reads the asset graph from: parsed only when the dbt project or the
# settings changed since (orchestration/dbt_project.py). make run prepares it itself.
prepare: install
	$(UV) run python -m orchestration.dbt_project

# Exits non-zero unless the whole pipeline finished. One run per warehouse at a time: a
# second waits for the first up to AUTOTRADE_LOCK_WAIT seconds, then exits.
run: install
	$(UV) run python -m orchestration.run $(if $(FULL_REFRESH),--full-refresh)

withdraw: install  # make withdraw FILE=<feed>/<YYYY-MM-DD>/<file>: its rows leave every mart
	$(UV) run python -m orchestration.run --withdraw $(FILE)

test: install  # tests/conftest.py prepares the dbt manifest itself
	$(SPARK_EXTRA)
	$(UV) run pytest

ui: prepare
	$(UV) run dg dev

lint: install
	$(UV) run ruff check . && $(UV) run ruff format --check .

sample: install
	$(UV) run python sample/generate_sales.py && $(UV) run python sample/verify_sales.py

clean:
	rm -rf data dbt_project/target dbt_project/logs

versions: install
	$(UV) run python -m orchestration.publish list

rollback: install  # make rollback [VERSION=20250101T000000000000Z]
	$(UV) run python -m orchestration.publish rollback $(VERSION)

# dbt docs and GX Data Docs in one folder a browser can open (run `make run` first).
DOCS := data/docs
docs: install
	cd dbt_project && $(UV) run dbt docs generate --profiles-dir . --static --target-path $(abspath $(DOCS))/dbt --vars '$(shell $(UV) run python -m orchestration.dbt_project --vars)'
	$(UV) run python -m expectations.docs --database "$(shell $(UV) run python -c 'from orchestration.environment import setting; print(setting("warehouse_path"))')" --out $(DOCS)/gx
	printf '<!doctype html><title>autotrade docs</title><h1>autotrade docs</h1><ul><li><a href="dbt/static_index.html">dbt: models, columns, lineage</a></li><li><a href="gx/index.html">Great Expectations: suites and their last results</a></li></ul>\n' > $(DOCS)/index.html
	@echo "open $(abspath $(DOCS))/index.html"

dashboard: install  # make dashboard [PORT=8050]; reads only the published snapshot
	$(UV) run python -m dashboard --port $(or $(PORT),8050)

bench: install  # ~5 min on 2 cores: 1M sales rows; writes bench/results/<date>.json
	$(UV) run python bench/run.py --quick

bench-full: install  # ~9 min on 2 cores: 10M rows
	$(UV) run python bench/run.py
