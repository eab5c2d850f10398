{#- The keys under which a measure for a lane may be filed, one row per combination:
    the lane's partner or '*' (all origins), the lane's HS code or one it falls under, the
    lane's company or none ('' for none). A measure applies to the lane when its reporter,
    partner, hs_digits and coalesce(company, '') equal one row's (an equi-join: much faster
    than comparing prefixes over all pairs). `lanes` is a relation with lane_id, reporter,
    partner, hs_digits and company. -#}
{% macro lane_keys(lanes) -%}
    select {{ lanes }}.lane_id, {{ lanes }}.reporter, partner_key, hs_key, company_key
    from {{ lanes }}
        {{ cross_unnest(distinct_elements(array_of([lanes ~ '.partner', "'*'"])), 'partners', 'partner_key') }}
        {{ cross_unnest(hs_prefixes(lanes ~ '.hs_digits'), 'codes', 'hs_key') }}
        {{ cross_unnest(
            distinct_elements(array_of(["''", "coalesce(" ~ lanes ~ ".company, '')"])), 'companies', 'company_key'
        ) }}
{%- endmacro %}
