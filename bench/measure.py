"""Run one contender in its own process and measure its wall time and peak memory.

Two peaks are taken: ``peak_mib`` is ``ru_maxrss`` from ``wait4`` (the largest single
process of the tree: the contender or any child it waited for), ``tree_peak_mib`` the largest
sum of resident memory over the whole process tree, sampled every 50 ms from ``/proc`` (it
catches e.g. Dagster and its dbt subprocess being resident at the same time).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20
SAMPLE_SECONDS = 0.05


@dataclass
class Measurement:
    seconds: float
    peak_mib: float
    tree_peak_mib: float
    returncode: int
    output: str
    detail: dict | None = None

    def as_dict(self) -> dict:
        """The numbers, with the contender's own report (or ``detail``, if set) as detail."""
        numbers = {k: v for k, v in asdict(self).items() if k not in ("output", "detail")}
        return numbers | {"detail": self.detail if self.detail is not None else self.result()}

    def result(self) -> dict:
        """The JSON object the contender printed as its last line of output, if any."""
        lines = self.output.strip().splitlines()
        try:
            return json.loads(lines[-1]) if lines else {}
        except json.JSONDecodeError:
            return {}


def _children() -> dict[int, list[int]]:
    """Every live process's children, from ``/proc/<pid>/stat``."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_rss_mib(root: int) -> float:
    """Resident memory of ``root`` and all its descendants, in MiB."""
    tree, pending, pages = _children(), [root], 0
    while pending:
        pid = pending.pop()
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
        pending += tree.get(pid, [])
    return pages * PAGE_MIB


def measure(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None):
    """Run ``argv`` to completion; return its time, peaks, exit code and output."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = _drain(process, output)
    tree_peak = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, tree_rss_mib(process.pid))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    reader.join()
    return Measurement(
        seconds=round(seconds, 2),
        peak_mib=round(usage.ru_maxrss / 1024, 1),
        tree_peak_mib=round(max(tree_peak, usage.ru_maxrss / 1024), 1),
        returncode=os.waitstatus_to_exitcode(status),
        output="".join(output),
    )


def _drain(process: subprocess.Popen, sink: list[str]):
    """Read the process's output on a thread, so a full pipe never blocks it."""
    thread = threading.Thread(target=lambda: sink.extend(process.stdout), daemon=True)
    thread.start()
    return thread
