{#- The HS codes a code falls under, itself included, as a list: '87038000' ->
    ['87', '8703', '870380', '87038000']. Matching a lane to the measures filed at each of
    these codes is an equi-join, much faster than a prefix comparison over all pairs. -#}
{% macro hs_prefixes(digits) -%}
    {{ array_map_filter(array_of([2, 4, 6, 8, 10]), 'n', 'left(' ~ digits ~ ', n)', 'n <= length(' ~ digits ~ ')') }}
{%- endmacro %}

{#- Dotted form of an HS code's digits: '87038000' -> '8703.80.00'. -#}
{% macro dotted_hs(digits) -%}
    concat_ws(
        '.',
        left({{ digits }}, 4),
        nullif(substr({{ digits }}, 5, 2), ''),
        nullif(substr({{ digits }}, 7, 2), ''),
        nullif(substr({{ digits }}, 9, 2), '')
    )
{%- endmacro %}
