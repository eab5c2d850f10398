"""Python's cyclic garbage collector in a process that does one job and exits: ``make run``
(``orchestration.run``) and its dbt children (``orchestration.dbt_child``).

Such a process makes two kinds of objects the collector walks for nothing: what its imports
make (Dagster, dbt and GX are 0.5 million objects), which lives as long as the process, and
everything left at exit, which the interpreter walks once more before it ends (1.8 s after a
new drop's run). Freezing (``gc.freeze``) moves objects out of the collector's sight; they
are still freed when nothing refers to them, so files and connections closed by their owners
are closed as before (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def importing() -> Iterator[None]:
    """Pause the collector while importing, then freeze what the imports made."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def before_exit() -> None:
    """Freeze everything, so that the interpreter's last collection walks none of it: call it
    when the process's work is done and it is about to exit."""
    gc.freeze()
