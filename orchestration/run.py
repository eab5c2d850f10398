"""``make run``: one Dagster run over every drop in the landing directory, then a summary.

Ingests all drop dates found (a single-run backfill of the daily partitions), builds the dbt
models, runs every check and publishes the marts; prints what it did and where to look. With
DAGSTER_HOME set the run is recorded there, so ``make ui`` shows it afterwards.

    python -m orchestration.run [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--full-refresh]

The incremental dbt models rebuild only what changed; ``--full-refresh`` rebuilds them from
every drop (needed after a change to their SQL).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

import duckdb
from dagster import AssetCheckSeverity, DagsterInstance

from orchestration.assets.dbt import DBT_STEPS
from orchestration.definitions import build_definitions
from orchestration.jobs import range_tags
from orchestration.partitions import in_partition_order, landed_drop_dates, register_drop_dates
from orchestration.resources import AutotradeSettings, settings_from_environment

LOGGING = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def run(
    keys: list[str],
    instance: DagsterInstance,
    settings: AutotradeSettings,
    full_refresh: bool = False,
):
    """Execute the daily job over the drop dates ``keys`` (registered first) in one run."""
    register_drop_dates(instance, keys)
    ordered = in_partition_order(instance, set(keys))
    job = build_definitions(settings).resolve_job_def("autotrade_daily")
    return job.execute_in_process(
        instance=instance,
        run_config=LOGGING
        | {"ops": {step: {"config": {"full_refresh": full_refresh}} for step in DBT_STEPS}},
        raise_on_error=False,
        tags=range_tags(ordered[0], ordered[-1]),
    )


def unmapped_names(database) -> str:
    """How many names matched no seed entry, and the share of the market's units whose brand
    is one of them, in the published snapshot ``database``."""
    with duckdb.connect(database, read_only=True) as published:
        by_field = published.execute(
            "select field, count(*), sum(units) from audit.unmapped_names "
            "group by field order by field"
        ).fetchall()
        (market,) = published.execute(
            "select sum(units) from marts.mart_group_sales where period_type = 'month'"
        ).fetchone()
    names = sum(count for _, count, _ in by_field)
    brand_units = sum(units for field, _, units in by_field if field == "brand")
    share = 100 * brand_units / market if market else 0.0
    fields = ", ".join(f"{count} {field}" for field, count, _ in by_field) or "none"
    return (
        f"unmapped names: {names} ({fields}); {share:.2f}% of units on an unknown brand: "
        "see audit.unmapped_names"
    )


def summary(result, settings: AutotradeSettings) -> str:
    """What a person needs after a run: did it pass, which checks failed, what to open."""
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    errors = [e for e in failed if e.severity == AssetCheckSeverity.ERROR]
    suites = [e for e in evaluations if e.check_name.startswith("gx_")]
    lines = [
        "",
        f"autotrade run {'succeeded' if result.success else 'FAILED'} ({result.run_id})",
        f"checks: {len(evaluations) - len(failed)} passed, {len(errors)} failed, "
        f"{len(failed) - len(errors)} warned "
        f"({len(suites)} Great Expectations suites, {len(evaluations) - len(suites)} dbt tests)",
    ]
    lines += [
        f"  {'FAILED' if e.severity == AssetCheckSeverity.ERROR else 'WARNED'} "
        f"{e.asset_key.to_user_string()} {e.check_name}: {e.description or ''}"
        for e in failed
    ]
    published = [
        m for m in result.get_asset_materialization_events() if m.asset_key.path[0] == "published"
    ]
    if published:
        tables = published[-1].materialization.metadata["tables"].value
        lines.append("published tables (rows):")
        lines += [f"  {table:<40} {rows:>8}" for table, rows in tables.items()]
        lines.append(unmapped_names(settings.publish / "autotrade.duckdb"))
        lines.append(f"open in BI: {settings.publish / 'autotrade.duckdb'}")
        lines.append(f"       or: {settings.publish / 'parquet'}/<table>.parquet")
    else:
        lines.append("nothing was published; the last published version (if any) is unchanged")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=date.fromisoformat)
    parser.add_argument("--to", dest="last", type=date.fromisoformat)
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    args = parser.parse_args(argv)
    settings = settings_from_environment()
    keys = [
        key
        for key in landed_drop_dates(settings)
        if (not args.first or key >= args.first.isoformat())
        and (not args.last or key <= args.last.isoformat())
    ]
    if not keys:
        print(f"no drops under {settings.landing}/<feed>/<YYYY-MM-DD>/", file=sys.stderr)
        return 2
    print(f"autotrade: {len(keys)} drops, {keys[0]} to {keys[-1]}, from {settings.landing}")
    result = run(keys, _instance(), settings, args.full_refresh)
    print(summary(result, settings))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
