{#- What a data test reads (dbt calls this for every generic test; a `where` config filters
    it). The incremental sales tables and mart_model_period are tested on the rows their
    latest build wrote, by their build stamp: a daily run checks its new months, not five
    years again. A full refresh writes every row with one stamp, so it checks them all. Every
    test of these tables is on a key that includes the rebuilt unit (drop, month or label),
    so checking whole units is exact. -#}
{% macro get_where_subquery(relation) -%}
    {%- set stamps = {
        'int_sales__canonicalised': 'canonicalised_at',
        'int_sales__restated': 'restated_at',
        'int_sales__by_period': 'by_period_at',
        'mart_model_period': 'built_at',
    } -%}
    {%- set where = config.get('where') -%}
    {%- set stamp = stamps.get(relation.identifier) -%}
    {%- if stamp -%}
        {%- set latest = stamp ~ ' = (select max(' ~ stamp ~ ') from ' ~ relation ~ ')' -%}
        {%- set where = '(' ~ where ~ ') and ' ~ latest if where else latest -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
