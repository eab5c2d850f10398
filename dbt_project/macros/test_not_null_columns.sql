{#- No row has a null in any of these columns. One query over the model for all of them,
    returning a row for each column that has nulls: its name and how many (the failures
    count the nulls, as one not_null test per column would). One test per model rather than
    per column: each test is a node of the run, about 20 ms of dbt and Dagster apiece on
    every drop (docs/benchmarks.md). -#}
{% test not_null_columns(model, columns) %}
{{ config(fail_calc='coalesce(sum(null_rows), 0)') }}
with null_counts as (
    select
    {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{% for column in columns -%}
select '{{ column }}' as column_name, nulls_{{ loop.index }} as null_rows
from null_counts
where nulls_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
{% endtest %}
