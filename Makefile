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

.PHONY: install run test ui lint sample clean versions rollback dashboard

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	touch $@

install: .venv/.installed

run: install
	$(UV) run python -m orchestration.run

test: install
	$(UV) run pytest

ui: install
	$(UV) run dagster dev -w workspace.yaml

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
