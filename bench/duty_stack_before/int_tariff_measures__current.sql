-- The same-run baseline of bench/duty_stack.py: int_tariff_measures__current as committed before the tariff models' speed-up
-- of stackperf2 (commit e24eca5), compiled by dbt. Reads and writes schema previous.
with measures as (
    select * from "autotrade"."staging"."stg_landing__tariff_measures"
),

latest as (
    select *
    from measures
    qualify row_number() over (
        partition by reporter, partner, hs_digits, measure, coalesce(company, ''), valid_from
        order by drop_date desc, source_file desc, line_number desc
    ) = 1
),

dated as (
    select
        * replace (
            case
                when valid_until_next and valid_to is null
                    then cast(
                        lead(valid_from) over (
                            partition by reporter, partner, hs_digits, measure, coalesce(company, '')
                            order by valid_from
                        ) - interval 1 day as date
                    )
                else valid_to
            end as valid_to
        )
    from latest
)

select * from dated