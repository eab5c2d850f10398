"""Great Expectations suites (``expectations/suites``) as blocking Dagster asset checks.

Each suite names the table it validates; the check sits on that table's asset. A failed
critical expectation (GX's own severity) fails the check at ERROR severity, which stops every
downstream asset in the run (publishing included); warning and info failures are shown, not
blocking.
A suite with a partition column (the staging suites, by ``drop_date``) reads the drops the
run covers, and every drop with a loaded file the published copy does not list: the rows of
other drops cannot have changed (they load only in their own runs) and passed before they
were published, while a drop whose suite failed stays unpublished, so every later run reads
it again, whichever drops it covers.
A suite with a stamp column (``mart_model_period``, by ``built_at``) reads only the rows built
after those of the published copy: the others are in it, and passed before it was published.
"""

from datetime import date

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from expectations import SuiteResult, run_suite, suite_names, suite_table
from expectations.suites import load_suite
from orchestration.partitions import run_drop_range
from orchestration.publish import DATABASE
from orchestration.resources import AutotradeSettings
from orchestration.sql_text import sql_literal


def _report(result: SuiteResult) -> str:
    lines = [
        "| expectation | column | severity | result | unexpected | examples |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in result.outcomes:
        lines.append(
            f"| {outcome.description} | {outcome.column or ''} | {outcome.severity} | "
            f"{'pass' if outcome.success else 'FAIL'} | {outcome.unexpected_count or 0} | "
            f"{', '.join(map(str, outcome.examples[:5]))} |"
        )
    return "\n".join(lines)


def check_result(result: SuiteResult) -> AssetCheckResult:
    """The Dagster view of a suite's outcome: pass, warn or fail, with what failed and why,
    and which drops it read when it read only the run's."""
    failed = [o for o in result.outcomes if not o.success]
    severity = AssetCheckSeverity.ERROR if not result.passed else AssetCheckSeverity.WARN
    return AssetCheckResult(
        passed=not failed,
        severity=severity,
        description=(
            "; ".join(f"{o.description}: {o.unexpected_count or 0} unexpected" for o in failed)
            or f"all {len(result.outcomes)} expectations passed"
        ),
        metadata={
            "table": result.table,
            "rows": _rows_read(result),
            "expectations": len(result.outcomes),
            "failed": len(failed),
            "seconds": round(result.seconds, 2),
            "results": MetadataValue.md(_report(result)),
        },
    )


def _rows_read(result: SuiteResult) -> str:
    narrowed = []
    if result.partitions:
        narrowed.append(f"drops {result.partitions[0]} to {result.partitions[1]}")
    if result.built_after:
        narrowed.append(f"built after {result.built_after} (the published copy's newest)")
    return ", ".join(narrowed) or "all"


def gx_check(suite: str) -> AssetChecksDefinition:
    schema, table = suite_table(suite).split(".")
    by_drop = load_suite(suite).partition_column is not None

    @asset_check(
        asset=AssetKey([schema, table]),
        name=f"gx_{suite}",
        blocking=True,
        description=f"Great Expectations suite {suite} (expectations/suites/) on {schema}.{table}.",
    )
    def _check(
        context: AssetCheckExecutionContext, settings: AutotradeSettings
    ) -> AssetCheckResult:
        drops = run_drop_range(context.instance, context.run.tags)
        if by_drop:
            drops = with_unpublished(drops, settings)
        result = run_suite(
            settings.warehouse, suite, settings.duckdb_config, drops, settings.publish / DATABASE
        )
        for outcome in result.failures:
            context.log.error(
                f"{suite}: {outcome.description} failed on {outcome.unexpected_count} rows, "
                f"e.g. {outcome.examples[:3]}"
            )
        return check_result(result)

    return _check


def with_unpublished(
    drops: tuple[date, date] | None, settings: AutotradeSettings
) -> tuple[date, date] | None:
    """The range ``drops`` (first, last) widened to every drop date with a file loaded in the
    warehouse that the published copy does not list as loaded; None (every drop) when there is
    no range or no published copy."""
    published = settings.publish / DATABASE
    if drops is None or not published.is_file():
        return None
    with settings.connect(read_only=True) as warehouse:
        warehouse.execute(f"ATTACH {sql_literal(str(published))} AS published (READ_ONLY)")
        (first, last) = warehouse.execute(
            """
            SELECT min(drop_date), max(drop_date)
            FROM staging.stg_landing__ingested_files AS loaded
            WHERE status = 'loaded' AND NOT EXISTS (
                SELECT 1 FROM published.audit.ingested_files AS done
                WHERE done.status = 'loaded' AND done.feed = loaded.feed
                    AND done.drop_date = loaded.drop_date
                    AND done.source_file = loaded.source_file AND done.sha256 = loaded.sha256
            )
            """
        ).fetchone()
    if first is None:
        return drops
    return min(drops[0], first), max(drops[1], last)


gx_checks = [gx_check(suite) for suite in suite_names()]
