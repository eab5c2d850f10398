"""dbt's command line, run as a child that dies with the process that started it.

Killing a run (even ``kill -9``) must stop its ``dbt build``: otherwise dbt is re-parented
and goes on writing the warehouse after the run lock is gone. Linux kills a process when its
parent dies if the process asked for it (``PR_SET_PDEATHSIG``); this asks, makes sure the
parent is still the one that started it (it may have died before the request), then runs dbt
in this process. It is installed as the ``autotrade-dbt`` command beside the interpreter
(``[project.scripts]`` in pyproject.toml), the executable of the dbt resource.
"""

import ctypes
import os
import signal
import sys

from orchestration import process_gc

PR_SET_PDEATHSIG = 1


def bind_to_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        sys.exit(f"the process that started dbt (pid {parent}) has ended; dbt not run")


def main() -> None:
    # Read before anything slow: the parent that started this process, while it still is.
    bind_to_parent(os.getppid())
    with process_gc.importing():
        from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    try:
        cli()  # exits: click's standalone mode ends with SystemExit
    finally:
        process_gc.before_exit()


if __name__ == "__main__":
    main()
