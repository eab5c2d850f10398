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
    {#- The full-width apostrophe is left to the separators: an ASCII one needs escaping,
        which differs between the engines' literals. -#}
    {%- set full_width = '！＂＃＄％＆（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　' -%}
    {%- set ascii = '!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~ ' -%}
    {%- set separators -%}[\s\x{00a0}\-_·•・.,\x27＇’/&()]{%- endset -%}
    {%- set folded = regexp_replace_all(
        'lower(translate(' ~ expr ~ ', ' ~ sql_text(full_width) ~ ', ' ~ sql_text(ascii) ~ '))',
        separators, ''
    ) -%}
    {%- if script == 'latin' -%}
        {%- set folded = regexp_replace_all(folded, '\\p{Han}', '') -%}
    {%- elif script == 'chinese' -%}
        {%- set folded = regexp_replace_all(folded, '\\P{Han}', '') -%}
    {%- elif script is not none -%}
        {{ exceptions.raise_compiler_error("name_key: script must be 'latin' or 'chinese'") }}
    {%- endif -%}
    {%- set company = regexp_replace_all(folded, '(.)(coltd|ltd|limited|inc|incorporated|corporation|corp|group|holdings|holding|international|intl|股份有限公司|有限公司|集团|控股)$', '\\1') -%}
    {{ regexp_replace_all(company, '(.)(汽车|汽車|automobile|auto|motors|motor|cars)$', '\\1') }}
{%- endmacro %}
