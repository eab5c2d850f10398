{#- Every input row that could not be loaded, with why: raw rows in = staged rows +
    quarantined rows, per file (see audit.ingested_files). -#}
select
    feed,
    source_file,
    line_number,
    field,
    value,
    reason,
    drop_date
from {{ ref('stg_landing__quarantined_rows') }}
