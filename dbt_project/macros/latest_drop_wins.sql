{#- Keep one version per key: the one from the latest drop; within a drop the last file in
    name order, then the last line. Sources restate by sending a row again. -#}
{% macro latest_drop_wins(keys) -%}
    qualify row_number() over (
        partition by {{ keys | join(', ') }}
        order by drop_date desc, source_file desc, line_number desc
    ) = 1
{%- endmacro %}
