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
  checked out in a git worktree under the work folder, in the same environment, on a copy of
  the built warehouse of its own, fed every new drop just before this code's run of it: the
  same-run baseline of a change.

Every run records itself as ``make run`` does: in a Dagster instance of its own
(``DAGSTER_HOME``, with the ``dagster_home/dagster.yaml`` of the code it runs), whose event
log the run writes as it goes. The run with nothing new follows, beside a bare interpreter
start. Prints the medians and writes
``bench/results/<YYYY-MM-DD>-new-drop[-against-<ref>].json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
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

# Each mode of this code: the variables set in the run's environment.
MODES = {
    "bytecode": {},
    "no bytecode": {"PYTHONPYCACHEPREFIX": "{work}/no-pycache"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of history")
    parser.add_argument("--rounds", type=int, default=3, help="new drops in each mode")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--against", metavar="REF", help="also run the code of this commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        baseline = None
        if args.against:
            baseline = (f"code at {args.against}", checkout(args.against, Path(tmp)))
        try:
            results = bench(Path(tmp), args.rows, args.rounds, baseline)
        finally:
            if baseline:
                git("worktree", "remove", "--force", str(baseline[1]))
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


def bench(work: Path, rows: int, rounds: int, baseline: tuple[str, Path] | None) -> dict:
    """``rounds`` new drops per mode of this code, the modes alternating. ``baseline`` (a
    name and a checkout of an earlier commit) runs every new drop too, just before this code
    does, on a copy of the built warehouse of its own: the two commits' dbt projects may
    differ, and on one warehouse each would undo the other's work (a table the other builds
    incrementally, the seeds' record)."""
    months = history_months(HISTORY_MONTHS)
    landing = work / "landing"
    make_landing(landing, rows // len(months), months)
    full = pipeline_run(landing, work)
    if baseline:
        shutil.copytree(work / "warehouse", work / "baseline" / "warehouse")
    runs: dict[str, list[dict]] = {
        mode: [] for mode in [*([baseline[0]] if baseline else []), *MODES]
    }
    month = months[-1]
    for number in range(rounds * len(MODES)):
        mode = list(MODES)[number % len(MODES)]
        month = add_months(month, 1)
        generate(landing, rows // len(months), [month])
        if baseline:
            name, code = baseline
            root = work / "baseline"
            measured = pipeline_run(landing, root, drop_date(month), instance(root, code), code)
            runs[name].append(measured.as_dict() | {"month": month.isoformat()})
        extra = {key: value.format(work=work) for key, value in MODES[mode].items()}
        measured = pipeline_run(landing, work, drop_date(month), extra | instance(work, REPO))
        runs[mode].append(measured.as_dict() | {"month": month.isoformat()})
    nothing_new = pipeline_run(landing, work, drop_date(month), instance(work, REPO))
    bare = checked(measure([PYTHON, "-c", "pass"]), "python start")
    medians = {
        mode: statistics.median(r["seconds"] for r in measured) for mode, measured in runs.items()
    }
    return {
        "full_run": full.as_dict(),
        "new_drop": runs,
        "median_seconds": medians
        | {NOTHING_NEW: nothing_new.seconds, "python -c pass (floor)": bare.seconds},
    }


def instance(root: Path, code: Path) -> dict[str, str]:
    """``DAGSTER_HOME`` as ``make run`` has it: a folder under ``root`` with the checkout
    ``code``'s instance configuration."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(code / "dagster_home" / "dagster.yaml", home)
    return {"DAGSTER_HOME": str(home)}


if __name__ == "__main__":
    main()
