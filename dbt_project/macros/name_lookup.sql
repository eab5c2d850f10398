{#- Name lookups built from the seeds, all through name_key (macros/name_key.sql).

    name_keys(), called with a query of (spelling, value, priority) as its body
    ({% call name_keys() %} select ... {% endcall %}): one value per key; when
    two spellings share a key the lowest priority wins (a canonical name before an alias),
    so a lookup never fans rows out. The test assert_name_keys_are_unambiguous lists keys
    that name two different values.

    best_name_match(names, keys): for each `name` of the relation `names`, the value its key
    finds in `keys`; a name that carries both scripts (`ARCFOX极狐`) is tried whole, then by
    its Latin part, then by its Chinese part. Run it on DISTINCT names: it is cheap there,
    and the sales rows join the result back. -#}

{% macro name_keys() -%}
    select key, {{ first_by('value', ['priority', 'value']) }} as value
    from (
        select {{ name_key('spelling') }} as key, value, priority
        from ({{ caller() }}) as spellings
        where spelling is not null
    ) as keyed
    where key <> ''
    group by key
{%- endmacro %}

{% macro best_name_match(names, keys) -%}
    select attempts.name, {{ first_by(keys ~ '.value', ['attempts.attempt']) }} as value
    from (
        select name, 1 as attempt, {{ name_key('name') }} as key from {{ names }}
        union all
        select name, 2, {{ name_key('name', 'latin') }} from {{ names }}
        where {{ name_key('name', 'latin') }} <> '' and {{ name_key('name', 'chinese') }} <> ''
        union all
        select name, 3, {{ name_key('name', 'chinese') }} from {{ names }}
        where {{ name_key('name', 'latin') }} <> '' and {{ name_key('name', 'chinese') }} <> ''
    ) as attempts
    inner join {{ keys }} on attempts.key = {{ keys }}.key
    group by attempts.name
{%- endmacro %}
