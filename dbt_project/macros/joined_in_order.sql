{#- An aggregate: the `text` of a group's rows where `condition` holds, joined by ' + ' in
    the order of `key`; null when there are none. The same as string_agg(text, ' + ' order
    by key) filter (where condition), which DuckDB runs as a sort per group: over hundreds of
    thousands of small groups this list sort is many times faster. Neither key nor text may
    hold chr(1), which separates them. -#}
{% macro joined_in_order(key, text, condition) -%}
    {{ return(adapter.dispatch('joined_in_order')(key, text, condition)) }}
{%- endmacro %}

{% macro default__joined_in_order(key, text, condition) -%}
    array_to_string(
        list_transform(
            list_sort(list({{ key }} || chr(1) || ({{ text }})) filter (where {{ condition }})),
            lambda keyed: split_part(keyed, chr(1), 2)
        ),
        ' + '
    )
{%- endmacro %}

{#- Spark: the list sort the same way; a group with no such rows gives null, as in DuckDB. -#}
{% macro spark__joined_in_order(key, text, condition) -%}
    nullif(array_join(
        transform(
            array_sort(collect_list(case when {{ condition }} then {{ key }} || chr(1) || ({{ text }}) end)),
            keyed -> split_part(keyed, chr(1), 2)
        ),
        ' + '
    ), '')
{%- endmacro %}
