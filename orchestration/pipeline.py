"""One Dagster run of the daily job over given drops, and the summary a person reads after it."""

from __future__ import annotations

import os

import duckdb
from dagster import AssetCheckSeverity, AssetKey, AssetSelection, DagsterInstance, Definitions
from dagster._core.utils import make_new_run_id

from orchestration.dbt_project import prepare
from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.ingest import withdraw
from orchestration.ingest.limits import shortened
from orchestration.jobs import range_tags
from orchestration.partitions import in_partition_order, register_drop_dates
from orchestration.publish import DATABASE, PARQUET, current_version
from orchestration.resources import AutotradeSettings
from orchestration.run_lock import RunLockTimeout, mark_dead_run_failed, run_lock
from orchestration.seed_loads import SEEDS_UNCHANGED_TAG, seeds_are_loaded
from orchestration.unchanged import (
    Digests,
    raw_digests,
    record,
    tables_ingest_writes,
    unchanged_raw_tables,
)

LOGGING = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _instance() -> DagsterInstance:
    return DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()


def run(
    keys: list[str],
    instance: DagsterInstance,
    settings: AutotradeSettings,
    full_refresh: bool = False,
    run_id: str | None = None,
    unchanged_raw: frozenset[str] = frozenset(),
):
    """Execute the daily job over the drop dates ``keys`` (registered first) in one run:
    every asset, except the seeds when their tables already hold them as they are
    (``orchestration/seed_loads.py``) and the run is no full refresh, and except the dbt
    models built from the raw tables ``unchanged_raw`` alone (``orchestration/unchanged.py``)."""
    # The definitions read dbt's manifest as they import: imported once it is prepared.
    from orchestration.assets.dbt import SEED_KEYS, dbt_build
    from orchestration.definitions import build_definitions

    register_drop_dates(instance, keys)
    ordered = in_partition_order(instance, set(keys))
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def("autotrade_daily")
    tags = range_tags(ordered[0], ordered[-1])
    left_out = built_only_from(definitions, unchanged_raw)
    if left_out:
        graph = definitions.resolve_asset_graph()
        sources = {p for key in left_out for p in graph.get(key).parent_keys if p.path[0] == "raw"}
        tables = ", ".join(sorted(".".join(source.path) for source in sources))
        assets = f"{len(left_out)} dbt asset{'s' * (len(left_out) > 1)}"
        tags |= {LEFT_OUT_TAG: f"{assets}, built only from {tables}"}
    if not full_refresh and seeds_are_loaded(settings):
        left_out |= SEED_KEYS
        tags |= SEEDS_UNCHANGED_TAG  # says in the UI why the run has no seeds
    selection = None
    if left_out:
        selection = [k for k in definitions.resolve_all_asset_keys() if k not in left_out]
    config = {"config": {"full_refresh": full_refresh}}
    ops = {} if dbt_build.keys <= left_out else {dbt_build.op.name: config}
    return job.execute_in_process(
        asset_selection=selection,
        instance=instance,
        run_config=LOGGING | {"ops": ops},
        raise_on_error=False,
        tags=tags,
        run_id=run_id,
    )


# The tag of a run that left models out, as built from raw tables that did not change.
LEFT_OUT_TAG = "autotrade/unchanged"


def built_only_from(definitions: Definitions, raw: frozenset[str]) -> set[AssetKey]:
    """The dbt assets downstream of the raw tables ``raw`` and of no other raw table."""
    from orchestration.assets.dbt import dbt_build

    graph = definitions.resolve_asset_graph()
    every_raw = {key for key in graph.get_all_asset_keys() if key.path[0] == "raw"}
    given = {key for key in every_raw if key.path[1] in raw}
    if not given:
        return set()

    def below(keys: set[AssetKey]) -> set[AssetKey]:
        return AssetSelection.assets(*keys).downstream(include_self=False).resolve(graph)

    return (below(given) - below(every_raw - given)) & dbt_build.keys


# What stops a run before it starts: another run holds the warehouse too long, or the file to
# withdraw was never loaded.
NOT_STARTED = (RunLockTimeout, LookupError)


def run_with_lock(
    keys: list[str],
    settings: AutotradeSettings,
    digests: Digests,
    full_refresh: bool = False,
    withdrawn: tuple | None = None,
):
    """``make run``: prepare dbt's manifest; under the warehouse's run lock, mark a killed
    earlier run failed, take the ``withdrawn`` file (feed, drop date, name) out of the raw
    layer, then run, leaving out the models built from raw tables that did not change since
    the published version (unless a full refresh or a withdrawal); record what a run that
    published read (``orchestration/unchanged.py``). Decided and recorded under the lock:
    another run may change the raw layer and the published version until then."""
    if prepare(settings):
        print("parsed the dbt project (it changed, or the settings did, since the last parse)")
    run_id = make_new_run_id()
    # The instance is opened under the lock: processes that create a fresh DAGSTER_HOME's
    # SQLite storage at the same moment can leave it with two schema versions. It is closed
    # after the run, which closes the event log's connections (orchestration/event_log.py);
    # the result keeps the run's events in memory.
    with (
        run_lock(settings.warehouse, settings.lock_wait_seconds, run_id, on_wait=print) as died,
        _instance() as instance,
    ):
        if stale := mark_dead_run_failed(instance, died):
            print(f"the earlier run {stale} was killed before it finished; marked failed")
        if withdrawn:
            feed, day, name = withdrawn
            print(withdraw(FEEDS[feed], settings.raw_dir, day, name)["message"])
        unchanged = set()
        if not (full_refresh or withdrawn):
            unchanged = unchanged_raw_tables(
                settings.warehouse,
                current_version(settings.publish),
                digests,
                raw_digests(settings.raw_dir),
                tables_ingest_writes(settings.landing, settings.raw_dir, keys),
            )
        result = run(keys, instance, settings, full_refresh, run_id, frozenset(unchanged))
        if version := published_version(result):
            record(settings.warehouse, digests, version, raw_digests(settings.raw_dir))
        return result


def finished(result) -> bool:
    """Whether the whole pipeline ran: no step failed and the snapshot was published (a run
    whose steps were skipped fails nothing, yet publishes nothing)."""
    return result.success and _published(result) is not None


def published_version(result) -> str | None:
    """The version the run published, if it got that far."""
    published = _published(result)
    return published.metadata["version"].value if published else None


def _published(result):
    events = [
        m for m in result.get_asset_materialization_events() if m.asset_key.path[0] == "published"
    ]
    return events[-1].materialization if events else None


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


def failure_cause(result) -> list[str]:
    """Which steps failed and the first line of each error; for a run that failed before any
    step (a resource, the run lock), the run's own failure message."""
    lines = [
        f"  step {event.step_key} failed: "
        + shortened(_first_line(_root(event.event_specific_data.error).message), 300)
        for event in result.get_step_failure_events()
    ]
    if not lines and result.success and _published(result) is None:
        lines.append("  no step failed, but a step was skipped: nothing was published")
    elif not lines and not result.success:
        failure = result.get_run_failure_event()
        lines.append(f"  {shortened(_first_line(failure.message if failure else 'unknown'), 300)}")
    return lines


def _root(error):
    """The error under Dagster's wrappers (a step retried gives up with "Exceeded max_retries";
    what failed is its cause)."""
    while error.cause is not None:
        error = error.cause
    return error


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


def summary(result, settings: AutotradeSettings) -> str:
    """What a person needs after a run: did it pass, which checks failed, what to open."""
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    errors = [e for e in failed if e.severity == AssetCheckSeverity.ERROR]
    suites = [e for e in evaluations if e.check_name.startswith("gx_")]
    published = _published(result)
    lines = [
        "",
        f"autotrade run {'succeeded' if finished(result) else 'FAILED'} ({result.run_id})",
        *failure_cause(result),
        f"checks: {len(evaluations) - len(failed)} passed, {len(errors)} failed, "
        f"{len(failed) - len(errors)} warned "
        f"({len(suites)} Great Expectations suites, {len(evaluations) - len(suites)} dbt tests)",
    ]
    lines += [
        f"  {'FAILED' if e.severity == AssetCheckSeverity.ERROR else 'WARNED'} "
        f"{e.asset_key.to_user_string()} {e.check_name}: {e.description or ''}"
        for e in failed
    ]
    if SEEDS_UNCHANGED_TAG.items() <= result.dagster_run.tags.items():
        lines.append(
            "seeds: unchanged since they were last loaded and tested, so neither again "
            "(FULL_REFRESH=1 loads them)"
        )
    if left_out := result.dagster_run.tags.get(LEFT_OUT_TAG):
        lines.append(
            f"left out: {left_out}, unchanged since the published version, so neither built "
            "nor checked again (FULL_REFRESH=1 builds them)"
        )
    if published:
        tables = published.metadata["tables"].value
        lines.append("published tables (rows):")
        lines += [f"  {table:<40} {rows:>8}" for table, rows in tables.items()]
        lines.append(unmapped_names(settings.publish / DATABASE))
        lines.append(f"open in BI: {settings.publish / DATABASE}")
        lines.append(f"       or: {settings.publish / PARQUET}/<table>.parquet")
    else:
        lines.append("nothing was published; the last published version (if any) is unchanged")
    return "\n".join(lines)
