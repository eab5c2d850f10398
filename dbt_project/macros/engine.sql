{#- The SQL that differs between the engines (DuckDB, Spark), one macro per construct; every
    model is written once against these (docs/scale.md). Each has a default__ (DuckDB) and a
    spark__ implementation. -#}

{#- A string as an SQL literal. Spark reads backslashes in literals as escapes; DuckDB does not. -#}
{% macro sql_text(value) -%}{{ return(adapter.dispatch('sql_text')(value)) }}{%- endmacro %}
{% macro default__sql_text(value) -%}'{{ value | replace("'", "''") }}'{%- endmacro %}
{% macro spark__sql_text(value) -%}'{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'{%- endmacro %}

{#- Replace every match of `pattern` (RE2 syntax, \1 for a group) with `replacement`. Spark's
    regexes are Java's: \p{IsHan} for a script, $1 for a group, global by default. -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ sql_text(pattern) }}, {{ sql_text(replacement) }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ sql_text(pattern | replace('\\p{Han}', '\\p{IsHan}') | replace('\\P{Han}', '\\P{IsHan}')) }}, {{ sql_text(replacement | replace('\\1', '$1')) }})
{%- endmacro %}

{#- True where `expr` has a match of `pattern`. -#}
{% macro regexp_contains(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regexp_contains(expr, pattern) -%}regexp_matches({{ expr }}, {{ sql_text(pattern) }}){%- endmacro %}
{% macro spark__regexp_contains(expr, pattern) -%}({{ expr }} rlike {{ sql_text(pattern) }}){%- endmacro %}

{#- CTE hints: DuckDB materialises a CTE read twice unless told not to; Spark has no hint. -#}
{% macro cte_materialized(materialize) -%}
    {{ return(adapter.dispatch('cte_materialized')(materialize)) }}
{%- endmacro %}
{% macro default__cte_materialized(materialize) -%}{{ 'materialized' if materialize else 'not materialized' }}{%- endmacro %}
{% macro spark__cte_materialized(materialize) -%}{%- endmacro %}

{#- Joins that keep the left rows with (semi) or without (anti) a match. -#}
{% macro semi_join() -%}{{ return(adapter.dispatch('semi_join')()) }}{%- endmacro %}
{% macro default__semi_join() -%}semi join{%- endmacro %}
{% macro spark__semi_join() -%}left semi join{%- endmacro %}
{% macro anti_join() -%}{{ return(adapter.dispatch('anti_join')()) }}{%- endmacro %}
{% macro default__anti_join() -%}anti join{%- endmacro %}
{% macro spark__anti_join() -%}left anti join{%- endmacro %}

{#- `value` of the row that sorts first by `keys` (a list of expressions). -#}
{% macro first_by(value, keys) -%}{{ return(adapter.dispatch('first_by')(value, keys)) }}{%- endmacro %}
{% macro default__first_by(value, keys) -%}first({{ value }} order by {{ keys | join(', ') }}){%- endmacro %}
{% macro spark__first_by(value, keys) -%}min_by({{ value }}, struct({{ keys | join(', ') }})){%- endmacro %}

{#- The distinct non-null values of `expr` as a sorted list. -#}
{% macro sorted_distinct_list(expr) -%}{{ return(adapter.dispatch('sorted_distinct_list')(expr)) }}{%- endmacro %}
{% macro default__sorted_distinct_list(expr) -%}list(distinct {{ expr }} order by {{ expr }}) filter (where {{ expr }} is not null){%- endmacro %}
{% macro spark__sorted_distinct_list(expr) -%}array_sort(collect_set({{ expr }})){%- endmacro %}

{#- The values of `expr` joined by `separator`, in their own sort order. -#}
{% macro sorted_string_agg(expr, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg')(expr, separator)) }}
{%- endmacro %}
{% macro default__sorted_string_agg(expr, separator) -%}string_agg({{ expr }}, {{ separator }} order by {{ expr }}){%- endmacro %}
{% macro spark__sorted_string_agg(expr, separator) -%}array_join(array_sort(collect_list({{ expr }})), {{ separator }}){%- endmacro %}

{#- A whole row of the relation aliased `alias` as one text value. -#}
{% macro row_as_text(alias) -%}{{ return(adapter.dispatch('row_as_text')(alias)) }}{%- endmacro %}
{% macro default__row_as_text(alias) -%}cast({{ alias }} as varchar){%- endmacro %}
{% macro spark__row_as_text(alias) -%}to_json(struct({{ alias }}.*)){%- endmacro %}

{#- An array literal, and the distinct elements of one. -#}
{% macro array_of(items) -%}{{ return(adapter.dispatch('array_of')(items)) }}{%- endmacro %}
{% macro default__array_of(items) -%}[{{ items | join(', ') }}]{%- endmacro %}
{% macro spark__array_of(items) -%}array({{ items | join(', ') }}){%- endmacro %}
{% macro distinct_elements(array) -%}{{ return(adapter.dispatch('distinct_elements')(array)) }}{%- endmacro %}
{% macro default__distinct_elements(array) -%}list_distinct({{ array }}){%- endmacro %}
{% macro spark__distinct_elements(array) -%}array_distinct({{ array }}){%- endmacro %}

{#- `element` for each element of `array` where `condition` holds, both over `variable`. -#}
{% macro array_map_filter(array, variable, element, condition) -%}
    {{ return(adapter.dispatch('array_map_filter')(array, variable, element, condition)) }}
{%- endmacro %}
{% macro default__array_map_filter(array, variable, element, condition) -%}
    list_transform(list_filter({{ array }}, lambda {{ variable }}: {{ condition }}), lambda {{ variable }}: {{ element }})
{%- endmacro %}
{% macro spark__array_map_filter(array, variable, element, condition) -%}
    transform(filter({{ array }}, {{ variable }} -> {{ condition }}), {{ variable }} -> {{ element }})
{%- endmacro %}

{#- In a FROM list after a relation: one row per element of `array` (which may read that
    relation's columns), as `alias`.`column`. -#}
{% macro cross_unnest(array, alias, column) -%}
    {{ return(adapter.dispatch('cross_unnest')(array, alias, column)) }}
{%- endmacro %}
{% macro default__cross_unnest(array, alias, column) -%}, unnest({{ array }}) as {{ alias }}({{ column }}){%- endmacro %}
{% macro spark__cross_unnest(array, alias, column) -%} lateral view explode({{ array }}) {{ alias }} as {{ column }}{%- endmacro %}

{#- A number for each row of a result, distinct, in no particular order (nothing sorted). -#}
{% macro row_id() -%}{{ return(adapter.dispatch('row_id')()) }}{%- endmacro %}
{% macro default__row_id() -%}row_number() over (){%- endmacro %}
{% macro spark__row_id() -%}monotonically_increasing_id(){%- endmacro %}

{#- In a select list: one row per integer from `start` up to, not including, `stop`. -#}
{% macro unnest_range(start, stop) -%}{{ return(adapter.dispatch('unnest_range')(start, stop)) }}{%- endmacro %}
{% macro default__unnest_range(start, stop) -%}unnest(range({{ start }}, {{ stop }})){%- endmacro %}
{% macro spark__unnest_range(start, stop) -%}explode(sequence({{ start }}, {{ stop }} - 1)){%- endmacro %}

{#- A date as text in strftime's `format` (%Y, %m). -#}
{% macro format_date(date, format) -%}{{ return(adapter.dispatch('format_date')(date, format)) }}{%- endmacro %}
{% macro default__format_date(date, format) -%}strftime({{ date }}, '{{ format }}'){%- endmacro %}
{% macro spark__format_date(date, format) -%}date_format({{ date }}, '{{ format | replace('%Y', 'yyyy') | replace('%m', 'MM') }}'){%- endmacro %}

{#- Contracts name DuckDB's types; Spark checks them under its own names. -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_types = {
        'varchar': 'string',
        'varchar[]': 'array<string>',
        'timestamp with time zone': 'timestamp_ltz',
    } -%}
    cast({{ field }} as {{ spark_types.get(type | lower, type) }})
{%- endmacro %}

{#- Free text as the ingest loads it (as sent), trimmed of Unicode whitespace (the characters
    Polars' strip_chars removes, which the ingest's check of blank required fields uses too),
    and empty read as null. -#}
{% macro trimmed_text(expr) -%}
    {%- set whitespace = '\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000' -%}
    {{ return(adapter.dispatch('trimmed_text')(expr, sql_text(whitespace))) }}
{%- endmacro %}
{% macro default__trimmed_text(expr, whitespace) -%}nullif(trim({{ expr }}, {{ whitespace }}), ''){%- endmacro %}
{% macro spark__trimmed_text(expr, whitespace) -%}nullif(trim(both {{ whitespace }} from {{ expr }}), ''){%- endmacro %}

{#- A code (ISO country, reporter) as the ingest loads it: trimmed, empty read as null, in
    upper case (`cn` and `CN` are one). -#}
{% macro trimmed_code(expr) -%}upper({{ trimmed_text(expr) }}){%- endmacro %}
