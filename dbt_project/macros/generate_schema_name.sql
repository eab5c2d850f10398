{#- Schemas are named for their layer (staging, marts, ...), not prefixed with the target's
    schema: BI and the contract address marts.mart_brand_band_period as it stands. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
