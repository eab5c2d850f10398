"""Run one contender in its own process and measure its wall time and peak memory.

Two peaks are taken, both from ``/proc`` every 50 ms: ``peak_mib`` is the largest single
process of the tree (the high-water mark ``VmHWM`` of the contender or any child of it),
``tree_peak_mib`` the largest sum of resident memory over the whole process tree (it catches
e.g. Dagster and its dbt subprocess being resident at the same time).

Not ``ru_maxrss`` from ``wait4``: Linux carries the spawning process's resident size into
the child's ``ru_maxrss`` at ``exec``, so a bench that generated 5M rows in memory before
spawning reported its own 1.5 GB for every contender.
"""

from __future__ import annotations

import json
import os
import re
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
    # User plus system time of the contender and the children it waited for: on a shared
    # machine it moves far less than the wall time.
    cpu_seconds: float
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


def _tree(root: int) -> list[int]:
    """``root`` and all its live descendants."""
    tree, pending, pids = _children(), [root], []
    while pending:
        pid = pending.pop()
        pids.append(pid)
        pending += tree.get(pid, [])
    return pids


def _rss_mib(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MIB
    except OSError:
        return 0.0


def _high_water_mib(pid: int) -> float:
    """The process's peak resident memory so far (``VmHWM``), in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    kib = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(kib.group(1)) / 1024 if kib else 0.0


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
    # Popen returns once the child has exec'd: every sample is the contender's own memory.
    peak = tree_peak = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        pids = _tree(process.pid)
        peak = max(peak, *map(_high_water_mib, pids))
        tree_peak = max(tree_peak, sum(map(_rss_mib, pids)))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    reader.join()
    return Measurement(
        seconds=round(seconds, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        peak_mib=round(peak, 1),
        tree_peak_mib=round(max(tree_peak, peak), 1),
        returncode=os.waitstatus_to_exitcode(status),
        output="".join(output),
    )


def _drain(process: subprocess.Popen, sink: list[str]):
    """Read the process's output on a thread, so a full pipe never blocks it."""
    thread = threading.Thread(target=lambda: sink.extend(process.stdout), daemon=True)
    thread.start()
    return thread
