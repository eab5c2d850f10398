{#- Snapshots on Spark's plain Parquet tables. dbt-spark's own snapshot needs Delta, Iceberg
    or Hudi (it MERGEs into the table); Parquet takes no MERGE, so here each run computes the
    table dbt's merge would leave - the rows it holds, the current versions that changed or
    disappeared closed (dbt_valid_to), the new versions added - into a scratch table and
    overwrites the snapshot with it. dbt-core's own macros build the first table and find
    the changes, so the strategy, check_cols and hard_deletes behave as on DuckDB. On a
    cluster with Delta or Iceberg, set file_format and dbt-spark's snapshot takes over
    (docs/scale.md). -#}
{% materialization snapshot, adapter='spark' %}
    {%- set target_relation = api.Relation.create(
        schema=model.schema, identifier=model.alias, type='table'
    ) -%}
    {%- set existing = adapter.get_relation(database=none, schema=model.schema, identifier=model.alias) -%}
    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(target_relation) -%}
    {%- endif -%}
    {{ run_hooks(pre_hooks) }}
    {%- set strategy = strategy_dispatch(config.get('strategy'))(
        model, "snapshotted_data", "source_data", model['config'], existing is not none
    ) -%}
    {%- if existing is none -%}
        {%- set final_sql = create_table_as(
            False, target_relation, build_snapshot_table(strategy, model['compiled_code'])
        ) -%}
    {%- else -%}
        {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
        {%- set valid_to, scd_id = names.dbt_valid_to, names.dbt_scd_id -%}
        {%- set columns = adapter.get_columns_in_relation(existing) | map(attribute='name') | list -%}
        {%- set changes = target_relation.incorporate(path={'schema': none, 'identifier': model.alias ~ '__dbt_changes'}) -%}
        {%- set rewritten = target_relation.incorporate(path={'identifier': model.alias ~ '__dbt_rewritten'}) -%}
        {%- do run_query(create_temporary_view(changes, snapshot_staging_table(strategy, model['compiled_code'], existing))) -%}
        {%- do adapter.drop_relation(rewritten) -%}
        {% call statement('rewrite') %}
            create table {{ rewritten }} using parquet as
            select
                {%- for column in columns %}
                {% if column == valid_to -%}
                case
                    when snapshotted.{{ valid_to }} is null and closing.{{ scd_id }} is not null
                        then closing.{{ valid_to }}
                    else snapshotted.{{ valid_to }}
                end as {{ valid_to }}
                {%- else -%}
                snapshotted.{{ column }}
                {%- endif %}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ existing }} as snapshotted
            left join (
                select * from {{ changes }} where dbt_change_type in ('update', 'delete')
            ) as closing
                on snapshotted.{{ scd_id }} = closing.{{ scd_id }}
            union all
            select {{ columns | join(', ') }} from {{ changes }} where dbt_change_type = 'insert'
        {% endcall %}
        {%- set final_sql = 'insert overwrite table ' ~ existing ~ ' select * from ' ~ rewritten -%}
    {%- endif -%}
    {% call statement('main') %}{{ final_sql }}{% endcall %}
    {%- if existing is not none -%}
        {%- do adapter.drop_relation(rewritten) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks) }}
    {{ adapter.commit() }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
