"""The duty stack at national-schedule size: how long mart_duty_stack takes to build.

    uv run python bench/duty_stack.py            # 13,000 lines x 30 partners, a dozen years
    uv run python bench/duty_stack.py --lines 2000 --workdir /tmp/stack   # smaller; keep files
    uv run python bench/duty_stack.py --partner-rates   # every FTA partner a rate of its own

Generates one raw tariff drop in the contract's raw form (Parquet with the
rate columns) straight into a warehouse's raw folder, as the ingest would leave a full
USITC-style schedule:
- 13,000 8-digit lines (`--lines`), MFN on each with a new rate every year 2014-2025;
- 20 FTA partners with a preferential rate on every line, cut every other year (6 steps),
  the same for every partner (as most are: free), or with `--partner-rates` a rate of each
  partner's own (no two partner lanes of a line then stack alike);
- column 2 for CU and KP on every line; Section 301 on CN for a third of the lines (3 steps);
  Section 232 on all origins for 50 headings from 2025-04-03 (an inherited 4-digit measure);
- 30 partners in all (the 20 FTA ones, CU, KP, CN and 7 more named by an MFN-free measure),
  so 13,000 x 31 lanes.
Then builds the tariff models with `dbt run` (the project parsed first, timed apart), runs
dbt's compiled SQL of the same models straight in DuckDB, and, as the same-run baseline,
the current measures, the lanes and the stack as they were before the speed-up of the
current measures and the lanes (`bench/duty_stack_before/`, compiled SQL of commit e24eca5)
on the same raw measures; checks that both give the same rows. Prints the seconds and writes
`bench/results/<YYYY-MM-DD>-duty-stack[-partner-rates]-<--name>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

# Run as a script, this folder is first on sys.path: its sibling modules import as such.
from contenders import _statement
from measure import measure

from orchestration.ingest.feeds import TARIFFS
from orchestration.ingest.raw_views import declare_raw_views
from orchestration.resources import AutotradeSettings, settings_from_environment

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BEFORE = BENCH / "duty_stack_before"
MODELS = [
    "stg_landing__tariff_measures",
    "int_tariff_measures__current",
    "int_tariff_lanes",
    "mart_duty_stack",
]
BEFORE_MODELS = MODELS[1:]
YEARS = list(range(2014, 2026))
FTA_PARTNERS = ["AU", "BH", "CA", "CL", "CO", "CR", "DO", "SV", "GT", "HN"]
FTA_PARTNERS += ["NI", "IL", "JO", "KR", "MA", "MX", "OM", "PA", "PE", "SG"]
OTHER_PARTNERS = ["EU", "GB", "JP", "IN", "VN", "BR", "TH"]
DROP = date(2025, 6, 1)


def lines(count: int) -> list[str]:
    """Distinct 8-digit codes, 40 per heading from heading 1000 on."""
    return [f"{1000 + i // 40:04d}{(i % 40) // 4 * 10:02d}{i % 4 * 10:02d}" for i in range(count)]


def measures(count: int, partner_rates: bool) -> pl.DataFrame:
    codes = pl.DataFrame({"hs_digits": lines(count)}).with_row_index("line")
    years = pl.DataFrame({"year": YEARS})
    mfn = codes.join(years, how="cross").select(
        pl.lit("*").alias("partner"),
        "hs_digits",
        pl.lit("MFN").alias("measure"),
        ((pl.col("line") % 7) + (pl.col("year") % 3) * 0.5).alias("rate_pct"),
        pl.date(pl.col("year"), 1, 1).alias("valid_from"),
        pl.when(pl.col("year") < YEARS[-1]).then(pl.date(pl.col("year"), 12, 31)).alias("valid_to"),
    )
    steps = pl.DataFrame({"year": YEARS[::2]})
    partners = pl.DataFrame({"partner": FTA_PARTNERS}).with_row_index("partner_no")
    preferential = (
        codes.join(partners, how="cross")
        .join(steps, how="cross")
        .select(
            "partner",
            "hs_digits",
            pl.lit("preferential").alias("measure"),
            (
                (pl.col("line") % 5) * (2025 - pl.col("year")) / 12
                + (pl.col("partner_no") / 100 if partner_rates else 0)
            ).alias("rate_pct"),
            pl.date(pl.col("year"), 1, 1).alias("valid_from"),
            pl.when(pl.col("year") < YEARS[-2])
            .then(pl.date(pl.col("year") + 1, 12, 31))
            .alias("valid_to"),
        )
    )
    column_2 = codes.join(pl.DataFrame({"partner": ["CU", "KP"]}), how="cross").select(
        "partner",
        "hs_digits",
        pl.lit("column_2").alias("measure"),
        (10 + pl.col("line") % 30).cast(pl.Float64).alias("rate_pct"),
        pl.lit(date(2014, 1, 1)).alias("valid_from"),
        pl.lit(None, pl.Date).alias("valid_to"),
    )
    section_301 = (
        codes.filter(pl.col("line") % 3 == 0)
        .join(
            pl.DataFrame(
                {
                    "rate_pct": [25.0, 7.5, 100.0],
                    "valid_from": [date(2018, 7, 6), date(2020, 2, 14), date(2024, 9, 27)],
                    "valid_to": [date(2020, 2, 13), date(2024, 9, 26), None],
                }
            ),
            how="cross",
        )
        .select(
            pl.lit("CN").alias("partner"),
            "hs_digits",
            pl.lit("section_301").alias("measure"),
            "rate_pct",
            "valid_from",
            "valid_to",
        )
    )
    headings = codes.select(pl.col("hs_digits").str.slice(0, 4)).unique().sort("hs_digits")
    section_232 = headings.head(50).select(
        pl.lit("*").alias("partner"),
        "hs_digits",
        pl.lit("section_232").alias("measure"),
        pl.lit(25.0).alias("rate_pct"),
        pl.lit(date(2025, 4, 3)).alias("valid_from"),
        pl.lit(None, pl.Date).alias("valid_to"),
    )
    # Partners named by one measure each (a retaliatory duty on the first heading), so that
    # every one of them gets a lane on every line.
    named = pl.DataFrame({"partner": OTHER_PARTNERS}).select(
        "partner",
        pl.lit(headings["hs_digits"][0]).alias("hs_digits"),
        pl.lit("retaliatory").alias("measure"),
        pl.lit(10.0).alias("rate_pct"),
        pl.lit(date(2019, 1, 1)).alias("valid_from"),
        pl.lit(None, pl.Date).alias("valid_to"),
    )
    return pl.concat([mfn, preferential, column_2, section_301, section_232, named])


def raw_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The measures in raw.tariffs' form (the contract's columns)."""
    digits = pl.col("hs_digits")
    return frame.with_row_index("line_number", offset=2).select(
        pl.lit(DROP).alias("drop_date"),
        pl.lit(f"tariffs/{DROP}/tariff_database_2025.txt").alias("source_file"),
        pl.col("line_number").cast(pl.Int64),
        pl.lit("US").alias("reporter"),
        "partner",
        pl.when(digits.str.len_chars() == 8)
        .then(
            pl.format("{}.{}.{}", *(digits.str.slice(at, n) for at, n in ((0, 4), (4, 2), (6, 2))))
        )
        .otherwise(digits)
        .alias("hs_code"),
        "measure",
        pl.lit(None, pl.String).alias("company"),
        "rate_pct",
        "valid_from",
        "valid_to",
        pl.lit("bench").alias("legal_basis"),
        pl.lit("bench").alias("source"),
        pl.lit(None, pl.String).alias("extra"),
        pl.lit(None, pl.String).alias("rate_text"),
        pl.lit(None, pl.Float64).alias("specific_amount"),
        pl.lit(None, pl.String).alias("specific_currency"),
        pl.lit(None, pl.String).alias("specific_unit"),
        pl.lit(False).alias("valid_until_next"),
    )


def make_warehouse(root: Path, count: int, partner_rates: bool) -> tuple[Path, int]:
    """A warehouse whose raw.tariffs holds the generated drop; the number of raw rows."""
    raw_dir = root / "warehouse" / "raw"
    partition = raw_dir / "tariffs" / f"drop_date={DROP}"
    partition.mkdir(parents=True)
    rows = raw_rows(measures(count, partner_rates))
    rows.write_parquet(partition / "schedule.parquet")
    database = root / "warehouse" / "autotrade.duckdb"
    with duckdb.connect(str(database)) as connection:
        declare_raw_views(connection, raw_dir, TARIFFS)
    return database, rows.height


def dbt(command: list[str], database: Path, target: Path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    memory_limit = settings_from_environment().duckdb_memory_limit
    settings = AutotradeSettings(warehouse_path=str(database), duckdb_memory_limit=memory_limit)
    result = measure(
        ["dbt", *command, "--target-path", str(target), "--vars", settings.dbt_vars()],
        env=env,
        cwd=REPO / "dbt_project",
    )
    if result.returncode:
        raise SystemExit(f"dbt {' '.join(command)} failed:\n{result.output[-3000:]}")
    return result


def model_seconds(target: Path) -> dict[str, float]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in results}


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with dbt's settings (the memory limit; insertion order not kept)."""
    config = settings_from_environment().duckdb_config | {"preserve_insertion_order": False}
    return duckdb.connect(str(database), config=config)


def timed(connection: duckdb.DuckDBPyConnection, statement: str) -> float:
    start = time.perf_counter()
    connection.execute(statement)
    return round(time.perf_counter() - start, 2)


def direct(database: Path, target: Path) -> dict[str, float]:
    """dbt's compiled SQL of the same models, run straight in DuckDB."""
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    with connect(database) as connection:
        return {name: timed(connection, _statement(nodes[name], nodes, target)) for name in MODELS}


def previous(database: Path) -> tuple[dict[str, float], bool]:
    """The three tariff models as they were before this speed-up (compiled SQL), in schema
    previous, on the same raw measures; and whether their lanes and stack have the same rows
    as the models'."""
    with connect(database) as connection:
        connection.execute("create schema if not exists previous")
        seconds = {
            model: timed(
                connection,
                f"create or replace table previous.{model} as "
                + (BEFORE / f"{model}.sql").read_text(),
            )
            for model in BEFORE_MODELS
        }
        differing = sum(
            connection.execute(
                f"select count(*) from ((select * from {ours} except all "
                f"select * from previous.{model}) union all "
                f"(select * from previous.{model} except all select * from {ours}))"
            ).fetchone()[0]
            for model, ours in zip(
                BEFORE_MODELS,
                [f"intermediate.{m}" for m in BEFORE_MODELS[:2]] + ["marts.mart_duty_stack"],
                strict=True,
            )
        )
    return seconds, differing == 0


def bench(root: Path, count: int, partner_rates: bool) -> dict:
    started = time.perf_counter()
    database, raw = make_warehouse(root, count, partner_rates)
    generated = time.perf_counter() - started
    target = root / "target"
    parse = dbt(["parse"], database, target)
    build = dbt(["run", "--select", *MODELS], database, target)
    dbt_models = model_seconds(target)
    with duckdb.connect(str(database), read_only=True) as connection:
        lanes, stacked_lanes, stack_rows = connection.execute(
            "select count(*), count(distinct stack_lane_id), "
            "(select count(*) from marts.mart_duty_stack) from intermediate.int_tariff_lanes"
        ).fetchone()
    sql = direct(database, target)
    before, same_rows = previous(database)
    return {
        "lines": count,
        "partner_rates": partner_rates,
        "raw_rows": raw,
        "lanes": lanes,
        "stacked_lanes": stacked_lanes,
        "mart_rows": stack_rows,
        "generate_seconds": round(generated, 2),
        "dbt_parse_seconds": round(parse.seconds, 2),
        "dbt_run_seconds": round(build.seconds, 2),
        "dbt_run_peak_mib": round(build.tree_peak_mib),
        "dbt_model_seconds": dbt_models,
        "direct_sql_seconds": sql,
        "previous_sql_seconds": before,
        "same_rows_as_previous": same_rows,
        "memory_limit": settings_from_environment().duckdb_config.get("memory_limit"),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=13_000)
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    parser.add_argument(
        "--partner-rates", action="store_true", help="a preferential rate of each partner's own"
    )
    parser.add_argument("--name", help="a suffix of the results file, to keep another run's")
    args = parser.parse_args(argv)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="duty_stack_bench_"))
    if args.workdir:
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
    try:
        result = bench(root, args.lines, args.partner_rates)
    finally:
        if not args.workdir:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result, indent=2))
    name = "duty-stack-partner-rates" if args.partner_rates else "duty-stack"
    name += f"-{args.name}" if args.name else ""
    out = BENCH / "results" / f"{date.today().isoformat()}-{name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
