"""mart_duty_stack and int_tariff_lanes against a straightforward formulation of the rules in
docs/tariffs.md, on random schedules.

The schedules are written as tariff files in the feed's own columns, ingested by the real
ingest and built by the real dbt models. The reference is plain SQL over the same measures:
lanes from prefix comparisons, every day of the period one by one, the winner of each role by
sorting on the rules as written, the parts joined by an ordered string_agg. The mart, cut
into days, must give the same stack on every lane and day, and no two consecutive intervals
of a lane may hold the same stack.
"""

import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.feeds import TARIFFS
from orchestration.ingest.ingest import ingest_drop
from orchestration.ingest.raw_views import declare_raw_views
from tests.conftest import REPO, settings_in

DROP = date(2025, 6, 1)
MODELS = [
    "stg_landing__tariff_measures",
    "int_tariff_measures__current",
    "int_tariff_lanes",
    "mart_duty_stack",
]
# One random schedule per reporter: lanes and stacks are per reporter, so the schedules
# stay independent in one build.
SEEDS = {"US": 1, "EU": 2, "CN": 3, "KR": 4, "CA": 5}
CODES = [
    "8704.21", "8703", "8703.80", "8703.80.00", "8703.80.10", "8703.23", "8703.23.01",
    "2208", "2208.20", "2208.20.30", "0406.10",
]  # fmt: skip
PARTNERS = ["*", "*", "*", "KR", "KR", "JP", "CU"]
MEASURES = ["MFN", "MFN", "MFN", "preferential", "column_2", "applied", "section_301", "AD"]
COMPANIES = [None, None, None, "Alpha Co.", "Beta Ltd"]
RATES = ["0", "2.5", "10", "25", "7.5", "Free", "1.9¢/kg", "$1.50/doz. + 4%"]
# Few distinct dates, so that starts coincide and ends meet starts.
STARTS = [date(2020, 1, 1) + timedelta(days=61 * n) for n in range(14)]
FIRST_DAY, LAST_DAY = date(2019, 12, 1), date(2023, 12, 31)


def schedule(reporter: str, seed: int) -> list[list[str]]:
    """About 40 measures, unique per reporter, partner, code, measure, company and start.
    JP repeats some of KR's measures as they are, so that lanes of different partners with
    measures of their own share a stack; MX repeats them with one field of one changed, so
    that lanes that must not share one differ in a single field."""
    rng = random.Random(seed)
    rows = {}
    for _ in range(40):
        partner, hs_code = rng.choice(PARTNERS), rng.choice(CODES)
        measure, company = rng.choice(MEASURES), rng.choice(COMPANIES)
        valid_from = rng.choice(STARTS)
        valid_to = rng.choice([None, rng.choice(STARTS) - timedelta(days=1)])
        if valid_to is not None and valid_to < valid_from:
            valid_to = None
        add(
            rows,
            [reporter, partner, hs_code, measure, company or "", rng.choice(RATES)]
            + [valid_from.isoformat(), valid_to.isoformat() if valid_to else ""],
        )
    korean = [row for (partner, *_), row in rows.items() if partner == "KR"]
    for row in korean:
        if rng.random() < 0.7:
            add(rows, [row[0], "JP", *row[2:]])
    # MX: all of KR's measures, one of them with one field changed (a field per reporter)
    # to a value no other measure has: the first that adds to the stack, as a base rate may
    # be hidden by one that replaces it.
    field, value = CHANGES[list(SEEDS).index(reporter)]
    adding = [row for row in korean if row[3] in ("section_301", "AD")]
    for row in korean:
        changed = [row[0], "MX", *row[2:]]
        if row is (adding or korean)[0]:
            changed[field] = value(row)
        add(rows, changed)
    return list(rows.values())


def add(rows: dict, row: list[str]) -> None:
    rows[(row[1], row[2], row[3], row[4], row[6])] = row


# (field, new value from the row) for MX's changed copy of a KR measure, one per reporter:
# the code, the measure, the company, the rate, the end.
CHANGES = [
    (2, lambda row: "8703.80.00" if row[2] != "8703.80.00" else "8703"),
    (3, lambda row: "safeguard"),
    (4, lambda row: "Gamma SA"),
    (5, lambda row: "33"),
    (7, lambda row: "" if row[7] else str(date.fromisoformat(row[6]) + timedelta(days=90))),
]


def write_schedule(path: Path) -> None:
    header = "reporter,partner,hs_code,measure,company,rate_pct,valid_from,valid_to"
    lines = [header]
    for reporter, seed in SEEDS.items():
        lines += [",".join(f'"{value}"' for value in row) for row in schedule(reporter, seed)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The random schedules ingested and built by the tariff models with `dbt run`."""
    root = tmp_path_factory.mktemp("duty_stack_reference")
    folder = root / "landing" / "tariffs" / DROP.isoformat()
    folder.mkdir(parents=True)
    write_schedule(folder / "schedules.csv")
    database = root / "warehouse" / "autotrade.duckdb"
    raw = database.parent / "raw"
    report = ingest_drop(TARIFFS, root / "landing", raw, DROP)
    assert [f["status"] for f in report.files] == ["loaded"], report.files
    assert report.files[0]["rows_quarantined"] == 0
    with duckdb.connect(str(database)) as connection:
        declare_raw_views(connection, raw, TARIFFS)
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "run", "--select", *MODELS]
        + ["--target-path", str(root / "target"), "--log-path", str(root / "logs")]
        + settings_in(root, root / "landing").dbt_arguments(),
        cwd=REPO / "dbt_project",
        check=True,
        capture_output=True,
    )
    return database


REFERENCE = f"""
with measures as (
    select
        *,
        case
            when measure = 'applied' then 'observed'
            when measure in ('MFN', 'preferential', 'column_2') then 'base'
            else measure
        end as stack_role,
        cast(specific_amount as varchar)
        || coalesce(' ' || specific_currency, '')
        || coalesce('/' || specific_unit, '') as specific_duty
    from intermediate.int_tariff_measures__current
),

codes as (select distinct reporter, hs_digits from measures),

lines as (
    select * from codes
    where not exists (
        select 1 from codes as longer
        where longer.reporter = codes.reporter
            and longer.hs_digits <> codes.hs_digits
            and starts_with(longer.hs_digits, codes.hs_digits)
    )
),

partners as (
    select distinct reporter, partner from measures
    union
    select distinct reporter, '*' from measures
),

lanes as (
    select lines.reporter, partners.partner, lines.hs_digits, cast(null as varchar) as company
    from lines inner join partners using (reporter)
    union
    select lines.reporter, partners.partner, lines.hs_digits, measures.company
    from lines
    inner join partners using (reporter)
    inner join measures
        on measures.reporter = lines.reporter
        and starts_with(lines.hs_digits, measures.hs_digits)
        and measures.partner in (partners.partner, '*')
    where measures.company is not null
),

days as (
    select cast(day as date) as day
    from generate_series(date '{FIRST_DAY}', date '{LAST_DAY}', interval 1 day) as days(day)
),

in_force as (
    select lanes.reporter, lanes.partner, lanes.hs_digits, lanes.company, days.day, measures.*
        exclude (reporter, partner, hs_digits, company),
        measures.company as measure_company,
        row_number() over (
            partition by lanes.reporter, lanes.partner, lanes.hs_digits, lanes.company, days.day,
                measures.stack_role
            order by
                case measures.measure when 'column_2' then 1 when 'preferential' then 2 else 3 end,
                measures.company is null,
                length(measures.hs_digits) desc,
                measures.partner = '*',
                measures.valid_from desc
        ) as rank
    from lanes
    inner join measures
        on measures.reporter = lanes.reporter
        and measures.partner in (lanes.partner, '*')
        and starts_with(lanes.hs_digits, measures.hs_digits)
        and (measures.company is null or measures.company = lanes.company)
    inner join days
        on days.day >= measures.valid_from
        and (measures.valid_to is null or days.day <= measures.valid_to)
),

winners as (
    select
        *,
        measure || ' '
        || case
            when specific_amount is null then cast(rate_pct as varchar) || '%'
            when rate_pct = 0 then specific_duty
            else '(' || cast(rate_pct as varchar) || '% + ' || specific_duty || ')'
        end
        || coalesce(' (' || measure_company || ')', '') as component
    from in_force
    where rank = 1
)

select
    reporter,
    partner,
    hs_digits,
    company,
    day,
    coalesce(sum(rate_pct) filter (where stack_role <> 'observed'), 0) as total_rate_pct,
    coalesce(
        string_agg(component, ' + ' order by stack_role <> 'base', lower(measure))
            filter (where stack_role <> 'observed'),
        ''
    ) as components,
    string_agg(measure || ' ' || specific_duty, ' + ' order by stack_role <> 'base', lower(measure))
        filter (where stack_role <> 'observed' and specific_duty is not null) as specific_duties,
    max(rate_pct) filter (where stack_role = 'observed') as observed_rate_pct
from winners
group by reporter, partner, hs_digits, company, day
"""

MART_BY_DAY = f"""
select
    reporter, partner, replace(hs_code, '.', '') as hs_digits, company, cast(day as date) as day,
    total_rate_pct, components, specific_duties, observed_rate_pct
from marts.mart_duty_stack,
    generate_series(valid_from, coalesce(valid_to, date '{LAST_DAY}'), interval 1 day) as days(day)
"""


def differences(connection, left: str, right: str) -> list[tuple]:
    return connection.execute(
        f"select * from ({left}) except all select * from ({right}) order by all limit 5"
    ).fetchall()


def test_the_schedules_cover_what_the_stack_must_handle(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        measures, specific, open_ended = connection.execute(
            "select count(distinct measure), count(specific_amount), count(*) - count(valid_to) "
            "from intermediate.int_tariff_measures__current"
        ).fetchone()
        lanes, stacks, shared_own = connection.execute(
            "select count(*), count(distinct stack_lane_id), "
            "(select count(*) from (select stack_lane_id from intermediate.int_tariff_lanes "
            " group by stack_lane_id having count(*) > 1 and bool_and(partner <> '*')))"
            "from intermediate.int_tariff_lanes"
        ).fetchone()
    assert measures > len(set(MEASURES)) and specific > 0 and open_ended > 0
    # Lanes share stacks, also lanes with measures of their own (no '*' lane among them).
    assert stacks < lanes and shared_own > 0


def test_the_lanes_are_the_reference_lanes(warehouse):
    lanes = REFERENCE[: REFERENCE.index("days as (")].rstrip().rstrip(",")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        built = "select reporter, partner, hs_digits, company from intermediate.int_tariff_lanes"
        reference = f"{lanes}\nselect * from lanes"
        assert differences(connection, built, reference) == []
        assert differences(connection, reference, built) == []


def test_every_lane_and_day_has_the_reference_stack(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (days,) = connection.execute(f"select count(*) from ({REFERENCE})").fetchone()
        assert days > 100_000
        assert differences(connection, MART_BY_DAY, REFERENCE) == []
        assert differences(connection, REFERENCE, MART_BY_DAY) == []


def test_consecutive_intervals_of_a_lane_differ(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        same = connection.execute(
            "select count(*) from marts.mart_duty_stack as earlier "
            "inner join marts.mart_duty_stack as later "
            "on (earlier.reporter, earlier.partner, earlier.hs_code) "
            "= (later.reporter, later.partner, later.hs_code) "
            "and earlier.company is not distinct from later.company "
            "and later.valid_from = earlier.valid_to + 1 "
            "and earlier.components = later.components "
            "and earlier.observed_rate_pct is not distinct from later.observed_rate_pct"
        ).fetchone()
    assert same == (0,)
