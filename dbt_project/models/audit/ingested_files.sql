{#- The manifest of landed files: one row per feed, drop and file, with its SHA-256, status
    and line counts (raw_rows: the raw rows its loaded lines became). -#}
select
    feed,
    drop_date,
    source_file,
    sha256,
    bytes,
    format,
    encoding,
    status,
    message,
    extra_columns,
    rows_in,
    rows_loaded,
    rows_quarantined,
    raw_rows,
    ingested_at
from {{ ref('stg_landing__ingested_files') }}
