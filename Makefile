# autotrade: two commands on a fresh machine.
#   make run    install everything, run the whole pipeline on the bundled sample data
#   make test   install everything, run the tests
# Everything installs into .venv from uv.lock; uv itself is bootstrapped with pip if missing.

SHELL := /bin/bash
# uv from PATH, else the one pip installs as a module (make bootstraps it below).
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

export AUTOTRADE_LANDING ?= sample/landing
export AUTOTRADE_WAREHOUSE ?= data/warehouse/autotrade.duckdb
export AUTOTRADE_PUBLISH ?= data/published
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: install run withdraw test ui lint sample clean versions rollback dashboard docs bench bench-full

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	touch $@

install: .venv/.installed

# The Spark engine's optional extra (pyspark, dbt-spark; docs/scale.md), added on top of the
# lean install for AUTOTRADE_ENGINE=spark and for the tests (which build on both engines).
# --inexact: add the extra, remove nothing; it is quick when already there.
SPARK_EXTRA = $(UV) sync --frozen --inexact --extra spark

# Exits non-zero unless the whole pipeline finished. One run per warehouse at a time: a
# second waits for the first up to AUTOTRADE_LOCK_WAIT seconds (default 600), then exits.
run: install
	$(if $(filter spark,$(AUTOTRADE_ENGINE)),$(SPARK_EXTRA))
	$(UV) run python -m orchestration.run $(if $(FULL_REFRESH),--full-refresh)

withdraw: install  # make withdraw FILE=<feed>/<YYYY-MM-DD>/<file>: its rows leave every mart
	$(UV) run python -m orchestration.run --withdraw $(FILE)

test: install
	$(SPARK_EXTRA)
	$(UV) run pytest

ui: install
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
	cd dbt_project && AUTOTRADE_WAREHOUSE=$(abspath $(AUTOTRADE_WAREHOUSE)) $(UV) run dbt docs generate --profiles-dir . --static --target-path $(abspath $(DOCS))/dbt
	$(UV) run python -m expectations.docs --database $(AUTOTRADE_WAREHOUSE) --out $(DOCS)/gx
	printf '<!doctype html><title>autotrade docs</title><h1>autotrade docs</h1><ul><li><a href="dbt/static_index.html">dbt: models, columns, lineage</a></li><li><a href="gx/index.html">Great Expectations: suites and their last results</a></li></ul>\n' > $(DOCS)/index.html
	@echo "open $(abspath $(DOCS))/index.html"

dashboard: install  # make dashboard [PORT=8050]; reads only the published snapshot
	$(UV) run python -m dashboard --port $(or $(PORT),8050)

bench: install  # ~5 min on 2 cores: 1M sales rows; writes bench/results/<date>.json
	$(UV) run python bench/run.py --quick

bench-full: install  # ~9 min on 2 cores: 10M rows
	$(UV) run python bench/run.py
