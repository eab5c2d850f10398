"""Raw assets, one per landing feed: landed files of a drop -> raw Parquet + ``raw`` views.

Partitioned by drop date. A backfill over many dates runs as one run (single-run backfill
policy), so many drops never compete for DuckDB's single write lock.
"""

from datetime import date

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)

from orchestration.ingest import store
from orchestration.ingest.feeds import FEEDS, Feed
from orchestration.ingest.ingest import DropReport, ingest_drop
from orchestration.ingest.landing import drop_fingerprint, drop_folders
from orchestration.ingest.raw_views import declare_raw_views, raw_tables
from orchestration.partitions import DROP_DATES
from orchestration.resources import AutotradeSettings
from orchestration.run_lock import RunLock


def _metadata(reports: list[DropReport], refused_folders: list[str]) -> dict:
    """What this materialisation did: files read, skipped as unchanged, rows, rejections."""
    rejected = [row["message"] for r in reports for row in r.rejected] + refused_folders
    return {
        "drop_dates": MetadataValue.text(", ".join(str(r.drop_date) for r in reports) or "none"),
        "files_ingested": sum(len(r.ingested) for r in reports),
        "files_unchanged": sum(len(r.unchanged) for r in reports),
        "rows_loaded": sum(r.total("rows_loaded") for r in reports),
        "rows_quarantined": sum(r.total("rows_quarantined") for r in reports),
        "files_rejected": MetadataValue.md("\n".join(f"- {line}" for line in rejected) or "none"),
    }


TABLE_DESCRIPTIONS = {
    "": "One row per loaded line of every landed {feed} file, typed, with its drop, file, line.",
    "_quarantine": "Every {feed} line that could not be loaded: file, line, field, value, reason.",
    "_files": "The {feed} manifest: one row per landed file and drop, SHA-256, status, counts.",
}


def raw_asset(feed: Feed) -> AssetsDefinition:
    specs = [
        AssetSpec(
            key=AssetKey(["raw", table]),
            group_name=feed.name,
            kinds={"polars", "parquet"},
            description=TABLE_DESCRIPTIONS[table.removeprefix(feed.name)].format(feed=feed.name),
        )
        for table in raw_tables(feed)
    ]

    @multi_asset(
        name=f"raw_{feed.name}",
        specs=specs,
        partitions_def=DROP_DATES,
        backfill_policy=BackfillPolicy.single_run(),
        retry_policy=RetryPolicy(max_retries=2, delay=5),
    )
    def _raw(context: AssetExecutionContext, settings: AutotradeSettings, run_lock: RunLock):
        # Under the run lock no other writer is alive: any temporary file is a killed run's.
        leftovers = store.remove_leftovers(settings.raw_dir, list(raw_tables(feed)))
        for leftover in [*leftovers, store.remove_work_dir(settings.raw_dir, feed.name)]:
            if leftover:
                context.log.info(f"removed {leftover}, left by a run that did not finish")
        days, refused = drop_folders(settings.landing, feed.name)
        for _, reason in refused:
            context.log.warning(reason)
        wanted = [date.fromisoformat(key) for key in context.partition_keys]
        # Taken before reading: a file that changes during the ingest shows as a change.
        fingerprints = {
            f"{feed.name}/{day}": drop_fingerprint(settings.landing, day, [feed.name])
            for day in wanted
        }
        reports = [
            ingest_drop(feed, settings.landing, settings.raw_dir, day, progress=context.log.info)
            for day in wanted
            if day in days
        ]
        if not reports:
            context.log.info(f"no {feed.name} drop in {context.partition_key_range}")
        with settings.connect() as connection:
            declare_raw_views(connection, settings.raw_dir, feed)
        store.record_ingested(settings.raw_dir, fingerprints)
        metadata = _metadata(reports, [reason for _, reason in refused])
        for spec in specs:
            yield MaterializeResult(asset_key=spec.key, metadata=metadata)

    return _raw


raw_assets = [raw_asset(feed) for feed in FEEDS.values()]
