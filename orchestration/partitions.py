"""Partitions keyed by drop date: one per ``<YYYY-MM-DD>`` folder that has landed.

Dynamic rather than a calendar of every day: drops arrive on some days only, and a run over
many drops (a backfill, or ``make run`` over the sample) then plans one partition per real
drop instead of one per calendar day, which in Dagster costs events per day and asset. The
landing sensor and the daily schedule add keys as folders appear.
"""

from collections.abc import Mapping
from datetime import date

from dagster import DagsterInstance, DynamicPartitionsDefinition
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from orchestration.ingest.feeds import FEEDS
from orchestration.ingest.landing import landed_drop_dates as drop_dates_in
from orchestration.resources import AutotradeSettings

DROP_DATES = DynamicPartitionsDefinition(name="drop_date")


def landed_drop_dates(settings: AutotradeSettings) -> list[str]:
    """Every drop date with a folder in any feed, oldest first, as partition keys."""
    return drop_dates_in(settings.landing, FEEDS)


def in_partition_order(instance: DagsterInstance, keys: set[str]) -> list[str]:
    """``keys`` in the instance's partition order, unknown ones last (they will be appended).

    A run covers a range of partitions in that order, from the first key to the last.
    """
    known = instance.get_dynamic_partitions(DROP_DATES.name)
    return [k for k in known if k in keys] + sorted(keys - set(known))


def register_drop_dates(instance: DagsterInstance, keys: list[str]) -> list[str]:
    """Add the keys the instance does not know yet; return those that were new."""
    known = set(instance.get_dynamic_partitions(DROP_DATES.name))
    new = [key for key in keys if key not in known]
    if new:
        instance.add_dynamic_partitions(DROP_DATES.name, new)
    return new


def run_drop_range(instance: DagsterInstance, tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The earliest and latest drop date a run covers, from its partition tags; None when it
    names no partition (or one the instance does not know): it then concerns every drop.

    A range runs in partition order, which need not be date order (a late folder for an old
    date is registered last), hence the earliest and latest of the keys it spans."""
    if PARTITION_NAME_TAG in tags:
        keys = [tags[PARTITION_NAME_TAG]]
    elif ASSET_PARTITION_RANGE_START_TAG in tags and ASSET_PARTITION_RANGE_END_TAG in tags:
        known = instance.get_dynamic_partitions(DROP_DATES.name)
        ends = [tags[ASSET_PARTITION_RANGE_START_TAG], tags[ASSET_PARTITION_RANGE_END_TAG]]
        if not all(end in known for end in ends):
            return None
        first, last = sorted(known.index(end) for end in ends)
        keys = known[first : last + 1]
    else:
        return None
    days = [date.fromisoformat(key) for key in keys]
    return min(days), max(days)
