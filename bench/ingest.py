"""Ingest of one large sales file beside the Polars floor, measured in the same run.

    python bench/ingest.py                      # one 5M-row file (~340 MiB), 3 rounds
    python bench/ingest.py --rows 1000000 --rounds 5 --workdir /tmp/ingest-bench

Generates one monthly drop of ``--rows`` rows (bench/generate.py), then runs, each in its own
process and in alternating order, autotrade's ``ingest_drop`` on it and the floor
``pl.scan_csv(file).sink_parquet(...)``, ``--rounds`` times, each round into fresh folders.
The machine may be shared, so each round gives ratios of its own; the table shows the
medians of each figure and of the rounds' ratios. CPU time stands beside the wall time: on a
busy machine it moves far less. Prints the table and writes
``bench/results/<YYYY-MM-DD>-ingest[-<label>].json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from datetime import date
from pathlib import Path

# Run as a script, this folder is first on sys.path: its sibling modules import as such.
from generate import LAST_HISTORY_MONTH, generate
from run import BENCH, contender, machine, ratio

OURS, FLOOR = "autotrade-ingest", "polars-floor"
TIME_TARGET, MEMORY_TARGET, GOAL = 1.5, 1.5, 1.25


def rounds(landing: Path, work: Path, count: int) -> list[dict]:
    """``count`` rounds of both contenders, the floor first in even rounds."""
    results = []
    for number in range(count):
        order = (FLOOR, OURS) if number % 2 == 0 else (OURS, FLOOR)
        measured = {}
        for name in order:
            out = work / f"round-{number}" / name
            measured[name] = contender(name, landing, out).as_dict()
            shutil.rmtree(out, ignore_errors=True)
        results.append(measured)
    return results


def summary(results: list[dict]) -> dict:
    """Medians over the rounds: each contender's time and peak, and the per-round ratios."""

    def median(name: str, key: str) -> float:
        return round(statistics.median(r[name][key] for r in results), 2)

    def ratios(key: str) -> float:
        return statistics.median(ratio(r[OURS][key], r[FLOOR][key]) for r in results)

    keys = ("seconds", "cpu_seconds", "peak_mib")
    return {key: {name: median(name, key) for name in (OURS, FLOOR)} for key in keys} | {
        "time_ratio": ratios("seconds"),
        "cpu_ratio": ratios("cpu_seconds"),
        "memory_ratio": ratios("peak_mib"),
    }


def report(result: dict) -> str:
    s = result["summary"]
    lines = [
        f"{result['rows']:,} rows, {result['csv_mib']} MiB CSV, {len(result['rounds'])} rounds",
        "| contender | time (s) | CPU time (s) | peak RSS (MiB) |",
        "|---|---:|---:|---:|",
        *(
            f"| {n} | {s['seconds'][n]:.2f} | {s['cpu_seconds'][n]:.2f} | {s['peak_mib'][n]:.0f} |"
            for n in (OURS, FLOOR)
        ),
        "",
        f"time vs floor:   {s['time_ratio']:.2f}x (target <= {TIME_TARGET}x, goal {GOAL}x)",
        f"CPU vs floor:    {s['cpu_ratio']:.2f}x",
        f"memory vs floor: {s['memory_ratio']:.2f}x (target <= {MEMORY_TARGET}x, goal {GOAL}x)",
    ]
    return "\n".join(lines)


def check_rows(results: list[dict], rows: int) -> None:
    """Both contenders read every row: loaded plus quarantined is the file's rows."""
    for measured in results:
        ours, floor = measured[OURS]["detail"], measured[FLOOR]["detail"]
        if ours["rows_loaded"] + ours["rows_quarantined"] != rows or floor["rows_loaded"] != rows:
            raise SystemExit(f"rows differ: {rows} generated, autotrade {ours}, floor {floor}")


def benchmark(rows: int, count: int, work: Path) -> dict:
    landing = work / "landing"
    print(f"generating one drop of {rows:,} rows", flush=True)
    (path,) = generate(landing, rows, [LAST_HISTORY_MONTH])
    results = rounds(landing, work, count)
    check_rows(results, rows)
    return {
        "rows": rows,
        "csv_mib": round(path.stat().st_size / 2**20, 1),
        "machine": machine(),
        "rounds": results,
        "summary": summary(results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows of the file")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both contenders")
    parser.add_argument("--workdir", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument("--label", help="suffix of the results file, e.g. before")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="autotrade-ingest-bench-"))
    try:
        result = benchmark(args.rows, args.rounds, work)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    suffix = f"-{args.label}" if args.label else ""
    out = BENCH / "results" / f"{date.today().isoformat()}-ingest{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("\n" + report(result) + f"\n\nwritten: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
