"""``make run``: one Dagster run over every drop in the landing directory, then a summary.

Ingests all drop dates found (a single-run backfill of the daily partitions), builds the dbt
models, runs every check and publishes the marts; prints what it did and where to look. With
DAGSTER_HOME set the run is recorded there, so ``make ui`` shows it afterwards.

    python -m orchestration.run [--from YYYY-MM-DD] [--to YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from dagster import DagsterInstance
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.landing import drop_dates
from orchestration.resources import AutotradeSettings, settings_from_environment

LOGGING = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def landed_drop_dates(settings: AutotradeSettings) -> list[date]:
    return sorted({day for feed in FEEDS for day in drop_dates(settings.landing, feed)})


def _instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def run(first: date, last: date, instance: DagsterInstance):
    """Execute the daily job over the drop dates ``first`` to ``last`` in one run."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def("autotrade_daily")
    return job.execute_in_process(
        instance=instance,
        run_config=LOGGING,
        raise_on_error=False,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: first.isoformat(),
            ASSET_PARTITION_RANGE_END_TAG: last.isoformat(),
        },
    )


def summary(result, settings: AutotradeSettings) -> str:
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    lines = [
        "",
        f"autotrade run {'succeeded' if result.success else 'FAILED'} ({result.run_id})",
        f"checks: {len(evaluations) - len(failed)} passed, {len(failed)} failed",
    ]
    lines += [
        f"  FAILED {e.asset_key.to_user_string()} {e.check_name}: {e.description or ''}"
        for e in failed
    ]
    published = [
        m for m in result.get_asset_materialization_events() if m.asset_key.path[0] == "published"
    ]
    if published:
        tables = published[-1].materialization.metadata["tables"].value
        lines.append("published tables (rows):")
        lines += [f"  {table:<40} {rows:>8}" for table, rows in tables.items()]
        lines.append(f"open in BI: {settings.publish / 'autotrade.duckdb'}")
        lines.append(f"       or: {settings.publish / 'parquet'}/<table>.parquet")
    else:
        lines.append("nothing was published; the last published version (if any) is unchanged")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=date.fromisoformat)
    parser.add_argument("--to", dest="last", type=date.fromisoformat)
    args = parser.parse_args(argv)
    settings = settings_from_environment()
    found = landed_drop_dates(settings)
    if not found and not (args.first and args.last):
        print(f"no drops under {settings.landing}/<feed>/<YYYY-MM-DD>/", file=sys.stderr)
        return 2
    first, last = args.first or found[0], args.last or found[-1]
    print(f"autotrade: drops {first} to {last} from {settings.landing}")
    result = run(first, last, _instance())
    print(summary(result, settings))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
