{#- Select each column of `relation` named in `defaults` when the relation has it, else its
    default (a typed SQL literal), under the same name. It lets a model read columns that a
    newer ingest adds while older raw files (and an older ingest) still lack them. Columns
    are looked up only when dbt executes: at parse time every default is used. -#}
{% macro columns_or_defaults(relation, defaults) -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name, default in defaults.items() %}
        {{ name if name in present else default }} as {{ name }}{{ "," if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
