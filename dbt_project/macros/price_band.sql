{#- The contract's price bands by trim MSRP in yuan; a missing price is 'unknown'. -#}
{% macro price_band(msrp_cny) -%}
    case
        when {{ msrp_cny }} is null then 'unknown'
        when {{ msrp_cny }} < 200000 then '<200k'
        when {{ msrp_cny }} < 300000 then '200k-300k'
        when {{ msrp_cny }} < 500000 then '300k-500k'
        else '500k+'
    end
{%- endmacro %}
