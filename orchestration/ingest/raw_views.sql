create or replace view {view} as
select *
from read_parquet({files}, union_by_name = true, hive_partitioning = false)
