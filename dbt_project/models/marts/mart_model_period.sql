{#- Model leaders: one row per reporting label, brand and model, with units, the change on the
    same label a year earlier and the model's rank in the whole market. -#}
with model_units as (
    {{ units_by_period(['brand', 'model']) }}
),

changed as (
    {{ with_yoy_pct('model_units', ['brand', 'model']) }}
),

final as (
    select
        period_type,
        period_label,
        brand,
        model,
        units,
        yoy_pct,
        cast(dense_rank() over (partition by period_type, period_label order by units desc) as bigint)
            as rank
    from changed
)

select * from final
