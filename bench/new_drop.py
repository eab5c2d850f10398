"""A new drop to published, at 5 years of 1M-row history: this code, without compiled
bytecode, and (``--against``) the code of an earlier commit.

    python bench/new_drop.py                     # 1M rows over 60 monthly drops, 3 rounds
    python bench/new_drop.py --against a4307de   # and the code at that commit, alternating
    python bench/new_drop.py --rows 100000 --rounds 2 --workdir /tmp/new-drop

Builds a warehouse from ``--rows`` rows of history in 60 monthly drops (bench/generate.py,
the bundled tariff drops beside them), then lands one new month's drop at a time and runs
``python -m orchestration.run`` on it, ``--rounds`` times in each mode, the modes
alternating:

- ``bytecode``: as ``make install`` leaves the environment (``uv sync --compile-bytecode``);
- ``no bytecode``: ``PYTHONPYCACHEPREFIX`` pointed at an empty folder, so Python finds no
  ``.pyc`` and compiles every module it imports, as every run did before where
  ``PYTHONDONTWRITEBYTECODE`` is set or the environment is read-only;
- ``code at <ref>`` (with ``--against <ref>``): the pipeline and dbt project of that commit,
  checked out in a git worktree under the work folder, on the same warehouse and the same
  environment: the same-run baseline of a change.

The run with nothing new follows, beside a bare interpreter start. Prints the medians and
writes ``bench/results/<YYYY-MM-DD>-new-drop[-against-<ref>].json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from datetime import date
from pathlib import Path

# Run as a script, this folder is first on sys.path: its sibling modules import as such.
from generate import add_months, drop_date, generate, history_months
from measure import measure
from run import (
    BENCH,
    HISTORY_MONTHS,
    NOTHING_NEW,
    PYTHON,
    REPO,
    checked,
    machine,
    make_landing,
    pipeline_run,
)

# Each mode: the variables set in the run's environment, and the checkout it runs.
MODES = {
    "bytecode": ({}, None),
    "no bytecode": ({"PYTHONPYCACHEPREFIX": "{work}/no-pycache"}, None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of history")
    parser.add_argument("--rounds", type=int, default=3, help="new drops in each mode")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--against", metavar="REF", help="also run the code of this commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        # The earlier code first in each round: the nothing-new run at the end must follow
        # a run of this code, whose record it reads.
        baseline = {}
        if args.against:
            baseline[f"code at {args.against}"] = ({}, checkout(args.against, Path(tmp)))
        try:
            results = bench(Path(tmp), args.rows, args.rounds, baseline | MODES)
        finally:
            for _, code in baseline.values():
                git("worktree", "remove", "--force", str(code))
    results |= {"rows": args.rows, "machine": machine(), "against": args.against}
    against = f"-against-{args.against}" if args.against else ""
    out = BENCH / "results" / f"{date.today().isoformat()}-new-drop{against}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["median_seconds"], indent=2))
    print(f"written {out.relative_to(BENCH.parent)}")


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True
    ).stdout


def checkout(ref: str, work: Path) -> Path:
    """The commit ``ref`` checked out in a git worktree under ``work``."""
    folder = work / f"code-{ref}"
    git("worktree", "add", "--detach", str(folder), ref)
    return folder


def bench(work: Path, rows: int, rounds: int, modes: dict) -> dict:
    months = history_months(HISTORY_MONTHS)
    landing = work / "landing"
    make_landing(landing, rows // len(months), months)
    full = pipeline_run(landing, work)
    runs: dict[str, list[dict]] = {mode: [] for mode in modes}
    month = months[-1]
    for number in range(rounds * len(modes)):
        mode = list(modes)[number % len(modes)]
        variables, code = modes[mode]
        month = add_months(month, 1)
        generate(landing, rows // len(months), [month])
        extra = {key: value.format(work=work) for key, value in variables.items()}
        measured = pipeline_run(landing, work, drop_date(month), extra, code or REPO)
        runs[mode].append(measured.as_dict() | {"month": month.isoformat()})
    nothing_new = pipeline_run(landing, work, drop_date(month))
    bare = checked(measure([PYTHON, "-c", "pass"]), "python start")
    medians = {mode: statistics.median(r["seconds"] for r in runs[mode]) for mode in modes}
    return {
        "full_run": full.as_dict(),
        "new_drop": runs,
        "median_seconds": medians
        | {NOTHING_NEW: nothing_new.seconds, "python -c pass (floor)": bare.seconds},
    }


if __name__ == "__main__":
    main()
