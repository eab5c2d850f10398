{#- The raw layer is engine-neutral Parquet (orchestration/ingest/store.py). DuckDB reads it
    through the `raw` views the ingest declares; Spark gets one external table per source
    over the same folders, declared again at the start of every dbt invocation so it sees
    the drops and columns that landed since (mergeSchema: files without a newer column read
    it as null, as DuckDB's union_by_name does). -#}
{% macro declare_raw_sources() -%}
    {{ return(adapter.dispatch('declare_raw_sources')()) }}
{%- endmacro %}

{% macro default__declare_raw_sources() -%}{%- endmacro %}

{% macro spark__declare_raw_sources() -%}
    {%- if execute -%}
        {%- set raw_dir = var('autotrade_raw_dir') -%}
        {%- for source in graph.sources.values() | selectattr('source_name', 'equalto', 'landing') -%}
            {%- if loop.first -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- endif -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
            {%- do run_query(
                'create table ' ~ source.schema ~ '.' ~ source.identifier ~ ' using parquet options ('
                ~ 'path ' ~ sql_text(raw_dir ~ '/' ~ source.identifier) ~ ', '
                ~ "recursiveFileLookup 'true', mergeSchema 'true')"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
