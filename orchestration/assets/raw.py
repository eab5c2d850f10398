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

from orchestration.ingest.feeds import FEEDS, Feed
from orchestration.ingest.ingest import DropReport, ingest_drop
from orchestration.ingest.landing import drop_dates
from orchestration.ingest.raw_views import declare_raw_views, raw_tables
from orchestration.partitions import DROP_DATES
from orchestration.resources import AutotradeSettings


def _metadata(reports: list[DropReport]) -> dict:
    """What this materialisation did: files read, skipped as unchanged, rows, rejections."""
    rejected = [f"{row['source_file']}: {row['message']}" for r in reports for row in r.rejected]
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
    def _raw(context: AssetExecutionContext, settings: AutotradeSettings):
        landed = set(drop_dates(settings.landing, feed.name))
        wanted = [date.fromisoformat(key) for key in context.partition_keys]
        reports = [
            ingest_drop(feed, settings.landing, settings.raw_dir, day, progress=context.log.info)
            for day in wanted
            if day in landed
        ]
        if not reports:
            context.log.info(f"no {feed.name} drop in {context.partition_key_range}")
        with settings.connect() as connection:
            declare_raw_views(connection, settings.raw_dir, feed)
        metadata = _metadata(reports)
        for spec in specs:
            yield MaterializeResult(asset_key=spec.key, metadata=metadata)

    return _raw


raw_assets = [raw_asset(feed) for feed in FEEDS.values()]
