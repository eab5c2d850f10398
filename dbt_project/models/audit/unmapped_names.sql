{#- Every name a sales file sent that the name seeds do not know, with how much it weighs:
    what to add to the seeds next. A group is listed only where it decided nothing: the
    row's brand did not place it either and it fell in group Unassigned. -#}
{%- set unmapped = {
    'brand': ('brand_as_sent', 'not is_known_brand'),
    'group': ('group_as_sent', "group_name = 'Unassigned' and group_as_sent is not null"),
    'powertrain': ('powertrain', 'not is_known_powertrain'),
} %}

with lines as (
    {%- for field, (value, condition) in unmapped.items() %}
    select '{{ field }}' as field, {{ value }} as value, drop_date, source_file, line_number, units
    from {{ ref('int_sales__canonicalised') }}
    where {{ condition }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{#- The lines that are the current version of their month and trim: the units the marts count. -#}
current_lines as (
    select drop_date, source_file, line_number from {{ ref('int_sales__restated') }}
),

final as (
    select
        'sales' as feed,
        lines.field,
        lines.value,
        coalesce(sum(lines.units) filter (where current_lines.line_number is not null), 0)::bigint
            as units,
        count(*) as rows,
        min(lines.drop_date) as first_drop,
        max(lines.drop_date) as last_drop,
        {{ sorted_distinct_list('lines.source_file') }} as files
    from lines
    left join current_lines
        on lines.drop_date = current_lines.drop_date
        and lines.source_file = current_lines.source_file
        and lines.line_number = current_lines.line_number
    group by lines.field, lines.value
)

select * from final
