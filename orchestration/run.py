"""``make run``: one Dagster run over every drop in the landing directory, then a summary.

Ingests all drop dates found (a single-run backfill of the daily partitions), builds the dbt
models, runs every check and publishes the marts; prints what it did and where to look. With
DAGSTER_HOME set the run is recorded there, so ``make ui`` shows it afterwards.

    python -m orchestration.run [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--full-refresh]
                                [--withdraw <feed>/<YYYY-MM-DD>/<file>]

The incremental dbt models rebuild only what changed; ``--full-refresh`` rebuilds them from
every drop (needed after a change to their SQL). ``--withdraw`` takes a loaded file's rows
out of the raw layer before the run, so the run removes them from every mart.

The run holds the warehouse's run lock (``orchestration.run_lock``): a second ``make run``
waits for the first, up to ``AUTOTRADE_LOCK_WAIT`` seconds, then exits naming the holder.
Exits 0 only when the whole pipeline finished; otherwise the summary names the failed step
and its error.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from orchestration import process_gc
from orchestration.dbt_child import dbt_server
from orchestration.environment import VARIABLES, setting
from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.landing import landed_drop_dates
from orchestration.publish import DATABASE, current_version
from orchestration.unchanged import Digests, unchanged_since


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=date.fromisoformat)
    parser.add_argument("--to", dest="last", type=date.fromisoformat)
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from scratch"
    )
    parser.add_argument(
        "--withdraw",
        metavar="FEED/YYYY-MM-DD/FILE",
        type=_landed_name,
        help="remove a loaded file's rows before the run (its manifest row says withdrawn)",
    )
    args = parser.parse_args(argv)
    # The settings as plain values: the resource would import Dagster, which a run with
    # nothing to do must not pay for.
    landing, warehouse, publish = (
        Path(setting(field)).resolve() for field in ("landing_dir", "warehouse_path", "publish_dir")
    )
    keys = [
        key
        for key in landed_drop_dates(landing, FEEDS)
        if (not args.first or key >= args.first.isoformat())
        and (not args.last or key <= args.last.isoformat())
    ]
    if not keys:
        print(f"no drops under {landing}/<feed>/<YYYY-MM-DD>/", file=sys.stderr)
        return 2
    print(f"autotrade: {len(keys)} drops, {keys[0]} to {keys[-1]}, from {landing}")
    settings_read = {field: setting(field) for field in VARIABLES} | {"cwd": os.getcwd()}
    digests = Digests.of(landing, keys, settings_read)
    if not (args.full_refresh or args.withdraw) and (
        version := unchanged_since(warehouse, current_version(publish), digests.inputs)
    ):
        print(f"nothing changed since version {version}; it stays published")
        print(f"open in BI: {publish / DATABASE}")
        return 0
    with dbt_server():  # imports dbt for the run's dbt commands while this imports Dagster
        return run(keys, args, digests)


def run(keys: list[str], args: argparse.Namespace, digests: Digests) -> int:
    # Dagster, dbt and GX take seconds to import: a run with nothing to do does not pay that.
    with process_gc.importing():
        from orchestration.pipeline import NOT_STARTED, finished, run_with_lock, summary
        from orchestration.resources import settings_from_environment

    settings = settings_from_environment()
    try:
        result = run_with_lock(keys, settings, digests, args.full_refresh, args.withdraw)
    except NOT_STARTED as error:
        print(f"autotrade run not started: {error}", file=sys.stderr)
        return 3
    print(summary(result, settings))
    return 0 if finished(result) else 1


def _landed_name(text: str) -> tuple[str, date, str]:
    """``<feed>/<YYYY-MM-DD>/<file>`` as (feed, drop date, the name as the manifest has it)."""
    parts = text.strip("/").split("/")
    if len(parts) != 3 or parts[0] not in FEEDS:
        raise argparse.ArgumentTypeError(f"{text}: expected <feed>/<YYYY-MM-DD>/<file>")
    try:
        day = date.fromisoformat(parts[1])
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text}: {error}") from None
    return parts[0], day, "/".join(parts)


if __name__ == "__main__":
    status = main()
    process_gc.before_exit()
    sys.exit(status)
