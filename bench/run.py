"""autotrade's benchmark: how fast, how big, against what a user would write instead.

    python bench/run.py --quick   # CI size: 1M rows over 60 monthly drops (< 5 min, 2 cores)
    python bench/run.py           # full: 10M rows over 60 monthly drops
    python bench/run.py --rows 50000000   # 50M, if the disk allows (about 4 GB of CSV)

Generates the drops (bench/generate.py), then measures, each contender in its own process
(bench/contenders.py, bench/measure.py) on the same files in the same run:

1. ingest: autotrade's ``ingest_drop`` vs the Polars floor, pandas + DuckDB, DuckDB alone;
2. models: ``dbt build`` vs dbt's compiled SQL run straight in DuckDB;
3. checks: every Great Expectations suite, as a share of a full run;
4. memory: peak RSS of a full run (``python -m orchestration.run``);
5. incremental: a new day's run (``--from`` its drop) over 1 year vs 5 years of history,
   then the same run again with nothing new, beside a bare interpreter start.

Prints a table and writes ``bench/results/<YYYY-MM-DD>[-full].json`` with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from datetime import date
from importlib import metadata
from pathlib import Path

# Run as a script, this folder is first on sys.path: its sibling modules import as such.
from generate import add_months, drop_date, generate, history_months
from measure import Measurement, measure

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
HISTORY_MONTHS, SHORT_HISTORY_MONTHS = 60, 12
QUICK_ROWS, FULL_ROWS = 1_000_000, 10_000_000
FULL_RUN = "full, 5 years"
NOTHING_NEW = "nothing new, 5 years loaded"
PACKAGES = ["polars", "duckdb", "pandas", "dbt-core", "dbt-duckdb", "dagster", "great-expectations"]


def environment(landing: Path | None = None, warehouse: Path | None = None) -> dict[str, str]:
    """The child's environment: the venv's tools on PATH, the bench's locations, no
    DAGSTER_HOME (each run gets an ephemeral instance, never the repository's)."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    if landing:
        env["AUTOTRADE_LANDING"] = str(landing)
    if warehouse:
        env["AUTOTRADE_WAREHOUSE"] = str(warehouse)
        env["AUTOTRADE_PUBLISH"] = str(warehouse.parent.parent / "published")
    return env


def checked(result: Measurement, what: str) -> Measurement:
    """The measurement, or stop the benchmark with the contender's output if it failed."""
    if result.returncode != 0:
        sys.exit(f"{what} failed (exit {result.returncode}):\n{result.output[-4000:]}")
    print(f"  {what}: {result.seconds:.1f} s, peak {result.peak_mib:.0f} MiB", flush=True)
    return result


def contender(name: str, *args: Path | str) -> Measurement:
    """One workload of bench/contenders.py in its own process."""
    argv = [PYTHON, str(BENCH / "contenders.py"), name, *map(str, args)]
    return checked(measure(argv, env=environment(), cwd=REPO), name)


def pipeline_run(
    landing: Path,
    root: Path,
    first: date | None = None,
    extra: dict[str, str] | None = None,
    code: Path = REPO,
) -> Measurement:
    """``python -m orchestration.run`` (ingest, dbt, GX, publish) over the landing folder,
    from drop ``first`` on if given, with its warehouse under ``root`` (and the variables
    ``extra`` set in the run's environment), the pipeline's code (and dbt project) read from
    the checkout ``code``.

    dbt reuses its parse of the project only under the same profile, i.e. the same warehouse
    path, and the bench alternates between warehouses: an unmeasured load of the definitions
    first prepares the project's manifest for this one, as a deployment with one warehouse
    finds it."""
    argv = [PYTHON, "-m", "orchestration.run"] + (["--from", first.isoformat()] if first else [])
    env = environment(landing, root / "warehouse" / "autotrade.duckdb") | (extra or {})
    warm = [PYTHON, "-m", "orchestration.dbt_project"]
    checked(measure(warm, env=env, cwd=code), f"parse for {root.name}")
    return checked(measure(argv, env=env, cwd=code), f"run {root.name} from {first or 'start'}")


def make_landing(landing: Path, rows_per_drop: int, months: list[date]) -> None:
    """Sales drops for ``months`` plus the bundled tariff drops (so every mart has rows)."""
    generate(landing, rows_per_drop, months)
    shutil.copytree(REPO / "sample" / "landing" / "tariffs", landing / "tariffs")


def bench_ingest(landing: Path, work: Path) -> dict[str, Measurement]:
    """Contest 1: the same sales files through four ingest paths."""
    return {
        "autotrade ingest_drop": contender("autotrade-ingest", landing, work / "raw"),
        "polars scan_csv.sink_parquet (floor)": contender("polars-floor", landing, work / "pq"),
        "pandas read_csv + duckdb insert": contender("pandas-duckdb", landing, work / "pd.duckdb"),
        "duckdb create table as read_csv": contender("duckdb-ctas", landing, work / "dd.duckdb"),
    }


def copy_warehouse(warehouse: Path, folder: Path) -> Path:
    """A copy of the warehouse file under the same name (dbt's compiled SQL names the
    database after the file), its raw views still reading the original raw Parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(warehouse, folder / warehouse.name))


def bench_models(warehouse: Path, work: Path) -> dict[str, Measurement]:
    """Contest 2: ``dbt build --full-refresh`` vs its compiled model SQL run directly, each on
    its own copy of the warehouse a full run left (raw views, seeds and snapshot in place).
    Full refresh: on a built warehouse a plain ``dbt build`` rebuilds nothing incremental.
    The project is parsed beforehand (timed apart), as a daily run finds it."""
    target = work / "target"
    project = str(REPO / "dbt_project")
    options = ["--project-dir", project, "--profiles-dir", project]
    options += ["--target-path", str(target), "--log-path", str(work / "logs")]
    build_env = environment(warehouse=copy_warehouse(warehouse, work / "dbt"))
    # Parsed first, as every run after the first finds the project parsed (partial parsing).
    dbt = str(VENV_BIN / "dbt")
    parsed = checked(measure([dbt, "parse", *options], env=build_env, cwd=project), "dbt parse")
    build = [dbt, "build", "--full-refresh", *options]
    built = checked(measure(build, env=build_env, cwd=project), "dbt build")
    built.detail = dbt_phases(target / "run_results.json", built.seconds)
    built.detail["parse_seconds_before"] = round(parsed.seconds, 2)
    direct = contender("direct-sql", copy_warehouse(warehouse, work / "direct"), target)
    return {"dbt build (models, snapshot, seeds, tests)": built, "compiled SQL in DuckDB": direct}


def dbt_phases(run_results: Path, wall_seconds: float) -> dict:
    """Where ``dbt build``'s time went: node execution time summed per resource type, and
    wall time minus that sum as ``overhead`` (start-up, parsing, scheduling). dbt runs two
    nodes at once, so the sum can exceed the wall time and ``overhead`` go negative."""
    phases: dict[str, float] = {}
    for result in json.loads(run_results.read_text())["results"]:
        kind = result["unique_id"].split(".")[0]
        phases[kind] = phases.get(kind, 0.0) + result["execution_time"]
    phases["overhead"] = wall_seconds - sum(phases.values())
    return {kind: round(seconds, 2) for kind, seconds in phases.items()}


def bench_incremental(landing: Path, work: Path, rows_per_drop: int, runs: dict) -> dict:
    """Contest 5: a new day's drop run with ``--from`` on 5 years vs 1 year of history; then
    the 5-year run again with nothing new, beside its floor, an interpreter that does nothing.

    The 5-year warehouse is the one ``runs[FULL_RUN]`` built; the 1-year one is built here."""
    new_month = add_months(history_months(HISTORY_MONTHS)[-1], 1)
    short = work / "short"
    make_landing(short / "landing", rows_per_drop, history_months(SHORT_HISTORY_MONTHS))
    runs["full, 1 year"] = pipeline_run(short / "landing", short)
    for folder in (landing, short / "landing"):
        generate(folder, rows_per_drop, [new_month])
    return {
        "new day, 1 year loaded": pipeline_run(short / "landing", short, drop_date(new_month)),
        "new day, 5 years loaded": pipeline_run(landing, work / "long", drop_date(new_month)),
        NOTHING_NEW: pipeline_run(landing, work / "long", drop_date(new_month)),
        "python -c pass (floor)": checked(measure([PYTHON, "-c", "pass"]), "python start"),
    }


def machine() -> dict:
    """Cores, memory, CPU, OS and the versions of what was measured."""
    meminfo = Path("/proc/meminfo").read_text().split()
    cpu = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line]
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 2**20, 1),
        "cpu": cpu[0].split(":", 1)[1].strip() if cpu else platform.processor(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: metadata.version(name) for name in PACKAGES},
    }


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")


def goals(ingest: dict, models: dict, checks: Measurement, runs: dict, incr: dict) -> list:
    """Each goal: what was measured, the goal, and whether it was met."""
    ours, floor, pandas_path = (ingest[k] for k in list(ingest)[:3])
    built, direct = models.values()
    one_year, five_years = incr["new day, 1 year loaded"], incr["new day, 5 years loaded"]
    full = runs[FULL_RUN]
    growth = round(100 * (five_years.seconds / one_year.seconds - 1), 1)
    rows = [
        ("ingest time vs floor", ratio(ours.seconds, floor.seconds), "<=", 1.25),
        ("ingest peak RSS vs floor", ratio(ours.peak_mib, floor.peak_mib), "<=", 1.5),
        ("pandas path time / ingest time", ratio(pandas_path.seconds, ours.seconds), ">=", 1.8),
        ("dbt build vs compiled SQL", ratio(built.seconds, direct.seconds), "<=", 1.5),
        ("GX suites, % of full run", round(100 * checks.seconds / full.seconds, 1), "", None),
        ("full run tree peak RSS (MiB)", full.tree_peak_mib, "<=", 2048),
        ("new day: 5y vs 1y history (+%)", growth, "<=", 20),
        ("nothing new: run time (s)", round(incr[NOTHING_NEW].seconds, 2), "<=", 3),
    ]
    return [
        {"goal": g, "value": v, "target": f"{op} {t}" if t else "report", "met": _met(v, op, t)}
        for g, v, op, t in rows
    ]


def _met(value: float, op: str, target: float | None) -> bool | None:
    if target is None:
        return None
    return value <= target if op == "<=" else value >= target


def table(sections: dict[str, dict[str, Measurement]], floor: Measurement) -> str:
    """The measurements as a Markdown table (ingest ratios against the floor)."""
    lines = [
        "| contest | contender | time (s) | peak RSS (MiB) | tree peak (MiB) | time / floor |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for section, results in sections.items():
        for name, m in results.items():
            vs = f"{ratio(m.seconds, floor.seconds):.2f}x" if section == "ingest" else ""
            lines.append(
                f"| {section} | {name} | {m.seconds:.1f} | {m.peak_mib:.0f} "
                f"| {m.tree_peak_mib:.0f} | {vs} |"
            )
    return "\n".join(lines)


def goal_table(rows: list[dict]) -> str:
    lines = ["| goal | measured | target | met |", "|---|---:|---|---|"]
    for row in rows:
        met = {True: "yes", False: "NO", None: "-"}[row["met"]]
        lines.append(f"| {row['goal']} | {row['value']} | {row['target']} | {met} |")
    return "\n".join(lines)


def benchmark(rows: int, work: Path) -> dict:
    """Generate, measure every contest, and return the results as one JSON-able dict."""
    rows_per_drop = rows // HISTORY_MONTHS
    landing = work / "long" / "landing"
    print(f"generating {rows_per_drop * HISTORY_MONTHS} rows in {HISTORY_MONTHS} drops", flush=True)
    make_landing(landing, rows_per_drop, history_months(HISTORY_MONTHS))
    csv_bytes = sum(p.stat().st_size for p in (landing / "sales").glob("*/*.csv"))
    ingest = bench_ingest(landing, work / "ingest")
    runs = {FULL_RUN: pipeline_run(landing, work / "long")}
    warehouse = work / "long" / "warehouse" / "autotrade.duckdb"
    models = bench_models(warehouse, work / "models")
    checks = contender("gx-suites", warehouse)
    incremental = bench_incremental(landing, work, rows_per_drop, runs)
    sections = {
        "ingest": ingest,
        "models": models,
        "checks": {"all GX suites": checks},
        "full run": runs,
        "incremental": incremental,
    }
    return {
        "rows": rows_per_drop * HISTORY_MONTHS,
        "drops": HISTORY_MONTHS,
        "csv_mib": round(csv_bytes / 2**20, 1),
        "machine": machine(),
        "measurements": {s: {n: m.as_dict() for n, m in r.items()} for s, r in sections.items()},
        "goals": goals(ingest, models, checks, runs, incremental),
        "table": table(sections, ingest["polars scan_csv.sink_parquet (floor)"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows (CI size)")
    parser.add_argument("--rows", type=int, help=f"rows of history (default {FULL_ROWS:,})")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    args = parser.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="autotrade-bench-"))
    try:
        results = benchmark(rows, work) | {"mode": "quick" if args.quick else "full"}
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    suffix = "" if args.quick else "-full"
    out = BENCH / "results" / f"{date.today().isoformat()}{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{results['rows']:,} rows, {results['drops']} drops, {results['csv_mib']} MiB CSV")
    print(results["table"] + "\n\n" + goal_table(results["goals"]) + f"\n\nwritten: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
