"""Spark local vs DuckDB on the same drops: ``python bench/engines.py [--rows N]``.

For each engine, on the same generated drops in the same run (bench/generate.py, as
bench/run.py makes them):

1. the whole pipeline, ``AUTOTRADE_ENGINE=<engine> python -m orchestration.run`` (ingest,
   dbt, the checks, publish): wall time and the process tree's peak memory;
2. ``dbt build --full-refresh`` alone on the warehouse that run built, its wall time split
   into dbt's node time per resource type and the rest (``overhead``: start-up, parsing and,
   on Spark, the JVM and its catalog).

Writes ``bench/results/<YYYY-MM-DD>-engines-<rows>.json``; the figures are in
docs/benchmarks.md ("Spark local vs DuckDB").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

from generate import history_months
from measure import measure
from run import (
    HISTORY_MONTHS,
    PYTHON,
    REPO,
    checked,
    dbt_phases,
    environment,
    machine,
    make_landing,
)

sys.path.insert(0, str(REPO))
from orchestration.resources import AutotradeSettings  # noqa: E402

ENGINES = ("duckdb", "spark")


def bench_engine(landing: Path, root: Path, engine: str) -> dict:
    warehouse = root / "warehouse" / "autotrade.duckdb"
    env = environment(landing, warehouse) | {"AUTOTRADE_ENGINE": engine}
    settings = AutotradeSettings(warehouse_path=str(warehouse), engine=engine)
    run = checked(measure([PYTHON, "-m", "orchestration.run"], env=env, cwd=REPO), engine)
    target = root / "target"
    build = [
        str(Path(PYTHON).parent / "dbt"),
        "build",
        "--full-refresh",
        "--project-dir",
        str(REPO / "dbt_project"),
        "--profiles-dir",
        str(REPO / "dbt_project"),
        "--target-path",
        str(target),
        *settings.dbt_arguments(),
    ]
    built = checked(measure(build, env=env, cwd=REPO / "dbt_project"), f"dbt build on {engine}")
    return {
        "pipeline_seconds": run.seconds,
        "pipeline_tree_peak_mib": run.tree_peak_mib,
        "dbt_build_seconds": built.seconds,
        "dbt_build_phases": dbt_phases(target / "run_results.json", built.seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of sales history")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        landing = Path(work) / "landing"
        make_landing(landing, args.rows // HISTORY_MONTHS, history_months(HISTORY_MONTHS))
        results = {engine: bench_engine(landing, Path(work) / engine, engine) for engine in ENGINES}
    report = {"rows": args.rows, "machine": machine(), "engines": results}
    out = REPO / "bench" / "results" / f"{date.today().isoformat()}-engines-{args.rows}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
