"""Run a suite as SQL inside DuckDB through GX's SQL datasource, and report its outcomes.

Nothing is pulled into pandas: GX compiles every metric to SQL that DuckDB runs on the
file, which is opened read-only and released before `run_suite` returns.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent import SQLDatasource
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from expectations.gx_duckdb import persist_duckdb_connections
from expectations.results import ExpectationOutcome, SuiteResult
from expectations.suites import SuiteSpec, load_suite

persist_duckdb_connections()

UNEXPECTED_ROWS = "unexpected_rows_expectation"
MAX_EXAMPLES = 5

# COMPLETE is the only format in which unexpected_rows_expectation returns its rows; GX
# caps every returned list at 200 entries, so it stays cheap on a table that fails badly.
_RESULT_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": MAX_EXAMPLES}

# Sentences for expectations whose file entry carries no `description`.
_TEMPLATES = {
    "expect_column_values_to_not_be_null": "{column} not null",
    "expect_column_values_to_be_between": "{column} between {min_value} and {max_value}",
    "expect_column_values_to_be_in_set": "{column} in {value_set}",
    "expect_compound_columns_to_be_unique": "{column_list} unique together",
}


def run_suite(
    database: str | Path,
    suite: str,
    duckdb_config: Mapping[str, str] | None = None,
    partitions: tuple[date, date] | None = None,
    published: str | Path | None = None,
) -> SuiteResult:
    """Validate the suite's table in the DuckDB file `database`, opened with `duckdb_config`
    (e.g. a memory limit); only the rows whose partition column lies in `partitions`
    (first, last), if given and the suite has one; only the rows built after the newest
    build stamp of the table in the DuckDB file `published`, if given and the suite has a
    stamp column."""
    started = time.perf_counter()
    spec = load_suite(suite)
    config = dict(duckdb_config or {})
    partitions = partitions if spec.partition_column else None
    built_after = (
        published_stamp(Path(published), spec, config) if published and spec.stamp_column else None
    )
    conditions = []
    if partitions:
        first, last = (day.isoformat() for day in partitions)
        conditions.append(f"{spec.partition_column} BETWEEN DATE '{first}' AND DATE '{last}'")
    if built_after:
        conditions.append(f"{spec.stamp_column} > TIMESTAMP '{built_after.isoformat(sep=' ')}'")
    query = f"SELECT * FROM {spec.table}"
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    results = _validate(Path(database), spec, query, config)
    outcomes = sorted((_outcome(spec, r) for r in results), key=lambda pair: pair[0])
    return SuiteResult(
        suite=spec.name,
        table=spec.table,
        outcomes=[outcome for _, outcome in outcomes],
        seconds=time.perf_counter() - started,
        partitions=partitions,
        built_after=built_after,
    )


def published_stamp(published: Path, spec: SuiteSpec, config: dict) -> datetime | None:
    """The newest build stamp of the suite's table in the published DuckDB file; None when
    there is no such file, table or column (then the whole table is validated).

    A build only deletes rows or adds rows with a newer stamp, so a warehouse row stamped at
    or before it is in that copy, which this suite passed before it was published. A run
    whose build failed its checks leaves newer stamps, validated again by the next run.
    """
    if not published.is_file():
        return None
    try:
        with duckdb.connect(published, read_only=True, config=config) as connection:
            (stamp,) = connection.execute(
                f"SELECT max({spec.stamp_column}) FROM {spec.table}"
            ).fetchone()
    except duckdb.Error:
        return None
    return stamp if isinstance(stamp, datetime) else None


def build_gx_suite(spec: SuiteSpec) -> gx.ExpectationSuite:
    """The suite file as a GX ExpectationSuite; each expectation's id is its file index.

    GX returns results in its own order (failed metrics first); the ids put them back in
    file order. Each configuration is built into its Expectation here first because
    ExpectationSuite() logs and drops an invalid one instead of raising.
    """
    configurations = [
        ExpectationConfiguration(**{**declared, "id": str(index)})
        for index, declared in enumerate(spec.expectations)
    ]
    for configuration in configurations:
        configuration.to_domain_obj()
    return gx.ExpectationSuite(name=spec.name, expectations=configurations)


def _validate(
    database: Path, spec: SuiteSpec, query: str, duckdb_config: dict[str, str]
) -> list[ExpectationValidationResult]:
    context = gx.get_context(mode="ephemeral", project_config=_context_config())
    datasource = context.data_sources.add_sql(
        name="warehouse",
        connection_string=f"duckdb:///{database.resolve()}",
        kwargs={"connect_args": {"read_only": True, "config": duckdb_config}},
    )
    try:
        # A query asset, not a table asset: GX reads a table's columns by reflection, which
        # duckdb-engine 0.17 cannot do under SQLAlchemy 2.1 (no pg_catalog.pg_collation), and
        # its fallback drops the schema; for a query it reads the columns off the result.
        asset = datasource.add_query_asset(name=spec.table, query=query)
        batch = asset.add_batch_definition_whole_table(name="whole table").get_batch()
        return batch.validate(build_gx_suite(spec), result_format=_RESULT_FORMAT).results
    finally:
        _release(datasource)


def _context_config() -> DataContextConfig:
    """An in-memory context: no files written, no data docs, no analytics, no progress bars."""
    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )


def _release(datasource: SQLDatasource) -> None:
    """Close every DuckDB connection GX opened, so the file lock goes with them.

    The datasource keeps one engine (connection test, asset checks) and its execution
    engine another (metrics, holding the persisted connection on a StaticPool, which
    `close()` disposes).
    """
    datasource.get_execution_engine().close()
    datasource.get_engine().dispose()


def _outcome(
    spec: SuiteSpec, result: ExpectationValidationResult
) -> tuple[int, ExpectationOutcome]:
    index = int(result.expectation_config.id)
    declared = spec.expectations[index]
    error = _error_message(result)
    return index, ExpectationOutcome(
        expectation=declared["type"],
        column=declared["kwargs"].get("column"),
        severity=result.expectation_config.severity.value,
        success=bool(result.success),
        unexpected_count=None if error else _unexpected_count(declared, result.result),
        element_count=None if error else result.result.get("element_count"),
        examples=[{"error": error}] if error else _examples(result.result),
        description=_describe(declared),
    )


def _unexpected_count(declared: dict, result: dict) -> int | None:
    # An unexpected-rows expectation reports its row count as the observed value.
    if declared["type"] == UNEXPECTED_ROWS:
        return result.get("observed_value")
    return result.get("unexpected_count")


def _examples(result: dict) -> list:
    rows = result.get("details", {}).get("unexpected_rows")
    values = rows if rows is not None else result.get("partial_unexpected_list", [])
    # Dates, decimals and tuples come back as Python objects: make them JSON.
    return json.loads(json.dumps(list(values)[:MAX_EXAMPLES], default=str))


def _error_message(result: ExpectationValidationResult) -> str | None:
    """Why the expectation could not run (first line of the error), or None if it ran.

    GX reports an exception either flat or keyed by each metric that raised it.
    """
    info = result.exception_info or {}
    reports = [info] if "exception_message" in info else list(info.values())
    messages = [r["exception_message"] for r in reports if r.get("exception_message")]
    return messages[0].splitlines()[0] if messages else None


def _describe(declared: dict) -> str:
    """A human sentence for an expectation: its `description`, or one made from its kwargs."""
    if declared.get("description"):
        return declared["description"]
    kwargs = defaultdict(lambda: None, declared["kwargs"])
    if "column_list" in kwargs:
        kwargs["column_list"] = f"({', '.join(kwargs['column_list'])})"
    template = _TEMPLATES.get(declared["type"])
    return template.format_map(kwargs) if template else f"{declared['type']} {declared['kwargs']}"
