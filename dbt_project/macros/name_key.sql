{#- The key two spellings of a name share when they differ only in what sources vary: case,
    full-width forms (ＢＹＤ), separators (spaces - _ · • . , ' ’ / & ( )), a trailing company
    form (Inc., Co., Ltd., Group, Holdings, International, 集团, 有限公司, 控股: `Li Auto Inc.`)
    and then a trailing 汽车 / 汽車 / Auto / Automobile / Motors / Motor / Cars (each removed
    only when something remains; after the separators, so `Li Auto`, `LiAuto` and `理想汽车`
    lose theirs alike).
    Every name lookup (brands, manufacturers, groups, models, powertrains) compares keys of
    this one function, on both sides: the seeds and the names as sent.

    `script` keeps one part of a name that carries both scripts (`ARCFOX极狐`): 'latin'
    drops the Chinese characters, 'chinese' keeps only them; none keeps the whole name. -#}
{% macro name_key(expr, script=none) -%}
    {%- set folded -%}
        regexp_replace(
            lower(translate({{ expr }}, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ ')),
            '[\s\x{00a0}\-_·•・.,''’/&()]', '', 'g'
        )
    {%- endset -%}
    {%- if script == 'latin' -%}
        {%- set folded = "regexp_replace(" ~ folded ~ ", '\\p{Han}', '', 'g')" -%}
    {%- elif script == 'chinese' -%}
        {%- set folded = "regexp_replace(" ~ folded ~ ", '\\P{Han}', '', 'g')" -%}
    {%- elif script is not none -%}
        {{ exceptions.raise_compiler_error("name_key: script must be 'latin' or 'chinese'") }}
    {%- endif -%}
    {%- set company = "regexp_replace(" ~ folded ~ ", '(.)(coltd|ltd|limited|inc|incorporated|corporation|corp|group|holdings|holding|international|intl|股份有限公司|有限公司|集团|控股)$', '\\1')" -%}
    regexp_replace({{ company }}, '(.)(汽车|汽車|automobile|auto|motors|motor|cars)$', '\1')
{%- endmacro %}
