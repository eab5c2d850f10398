"""When runs start: a sensor on the landing directory, a daily schedule, a failure reporter."""

import json
from datetime import date

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    schedule,
    sensor,
)

from orchestration.ingest import store
from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.landing import drop_fingerprint
from orchestration.jobs import autotrade_job, range_tags
from orchestration.partitions import (
    DROP_DATES,
    in_partition_order,
    landed_drop_dates,
    register_drop_dates,
)
from orchestration.resources import AutotradeSettings


@sensor(
    job=autotrade_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="One run over every drop folder that appeared or changed since the last look.",
)
def landing_sensor(context: SensorEvaluationContext, settings: AutotradeSettings):
    # Per drop and feed (``<feed>/<date>``): what the last look saw (the cursor) and what a
    # run ingested (``make run`` included), so a drop either one knows is not run again.
    current = {
        f"{feed}/{key}": drop_fingerprint(settings.landing, date.fromisoformat(key), [feed])
        for key in landed_drop_dates(settings)
        for feed in FEEDS
    }
    seen = json.loads(context.cursor or "{}")
    ingested = store.ingested_fingerprints(settings.raw_dir)
    changed = {
        name.split("/")[1]
        for name, fingerprint in current.items()
        if fingerprint not in (seen.get(name), ingested.get(name))
    }
    if not changed:
        return SkipReason(f"no new or changed drops under {settings.landing}")
    known = set(context.instance.get_dynamic_partitions(DROP_DATES.name))
    ordered = in_partition_order(context.instance, changed)
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=json.dumps(
                    {key: {feed: current[f"{feed}/{key}"] for feed in FEEDS} for key in ordered}
                ),
                tags=range_tags(ordered[0], ordered[-1]),
            )
        ],
        dynamic_partitions_requests=[DROP_DATES.build_add_request(sorted(changed - known))],
        cursor=json.dumps(current),
    )


@schedule(
    job=autotrade_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily at 06:00 Beijing time: re-run the latest drop, rebuilding every mart.",
)
def daily_schedule(context: ScheduleEvaluationContext, settings: AutotradeSettings):
    keys = landed_drop_dates(settings)
    if not keys:
        return SkipReason(f"no drops under {settings.landing}")
    register_drop_dates(context.instance, keys)
    latest = keys[-1]
    scheduled = context.scheduled_execution_time.date().isoformat()
    return RunRequest(run_key=f"daily-{scheduled}", partition_key=latest)


@run_failure_sensor(
    monitored_jobs=[autotrade_job],
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes every failed run, and the step that failed, to the daemon log.",
)
def failed_run_reporter(context: RunFailureSensorContext):
    failed_steps = [event.step_key for event in context.get_step_failure_events()]
    context.log.error(
        f"autotrade run {context.dagster_run.run_id} failed"
        f" in {', '.join(failed_steps) or 'run setup'}: {context.failure_event.message}"
    )
