{#- Both manifests have the ingest's one manifest schema (orchestration/ingest/store.py). -#}
{%- set columns = 'feed, drop_date, source_file, sha256, bytes, format, encoding, status, message, extra_columns, rows_in, rows_loaded, rows_quarantined, raw_rows, ingested_at' -%}
with sales as (
    select {{ columns }} from {{ source('landing', 'sales_files') }}
),

tariffs as (
    select {{ columns }} from {{ source('landing', 'tariffs_files') }}
),

unioned as (
    select * from sales
    union all
    select * from tariffs
)

select * from unioned
