"""Daily partitions keyed by drop date: the date folder a file lands in."""

from dagster import DailyPartitionsDefinition

# end_offset=1: a drop dated today is a partition today, not tomorrow.
DROP_DATES = DailyPartitionsDefinition(start_date="2020-01-01", end_offset=1)
