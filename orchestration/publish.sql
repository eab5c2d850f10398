create table meta.publication as
select
    $version as version,
    now() as published_at,
    (select list(distinct drop_date order by drop_date) from warehouse.audit.ingested_files) as drop_dates,
    unnest($tables) as table_name,
    unnest($rows) as row_count
