"""dbt's command line, run as a child that dies with the process that started it, and started
from a process that has already imported dbt when one is at hand.

Killing a run (even ``kill -9``) must stop its ``dbt build``: otherwise dbt is re-parented
and goes on writing the warehouse after the run lock is gone. Linux kills a process when its
parent dies if the process asked for it (``PR_SET_PDEATHSIG``); this asks, makes sure the
parent is still the one that started it (it may have died before the request), then runs dbt.
It is installed as the ``autotrade-dbt`` command beside the interpreter (``[project.scripts]``
in pyproject.toml), the executable of the dbt resource.

Starting dbt costs 1.4 to 2.6 s per command before it reads its project, most of it
importing dbt (docs/benchmarks.md). ``make run`` therefore starts one dbt server
(``dbt_server``) before it imports Dagster, so that dbt's import overlaps Dagster's. Each
``autotrade-dbt`` command of the run then asks the server (``AUTOTRADE_DBT_SERVER``, a Unix
socket) for a copy of itself, made by ``fork``, which runs the command with the asker's
arguments, folder, environment, stdin, stdout and stderr, and reports its exit status. The
asker waits until the copy has exited, then exits with that status: to dagster-dbt it is dbt.
The copy kills itself when the asker dies, and dies with the server, which dies with the run.
Without a server, or if it cannot serve, the command runs dbt in its own process as before.
"""

import contextlib
import ctypes
import importlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from orchestration import process_gc
from orchestration.environment import setting

PR_SET_PDEATHSIG = 1
# This module's command, as the environment installs it beside the interpreter.
EXECUTABLE = Path(sys.executable).parent / "autotrade-dbt"
SERVER_VARIABLE = "AUTOTRADE_DBT_SERVER"
STATUS = struct.Struct("!i")
STANDARD_STREAMS = (0, 1, 2)


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
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2])
    if (status := served(sys.argv[1:])) is not None:
        sys.exit(status)
    with process_gc.importing():
        from dbt.cli.main import cli
    run_dbt(sys.argv[1:], cli)


def run_dbt(args: list[str], cli) -> None:
    sys.argv = ["dbt", *args]
    try:
        cli()  # exits: click's standalone mode ends with SystemExit
    finally:
        process_gc.before_exit()


def served(args: list[str]) -> int | None:
    """Have the run's dbt server run dbt ``args`` here; its exit status, or None when there
    is no server or it did not start the command."""
    path = os.environ.get(SERVER_VARIABLE)
    if not path:
        return None
    with socket.socket(socket.AF_UNIX) as connection:
        try:
            connection.connect(path)
            request = json.dumps({"args": args, "cwd": os.getcwd(), "env": dict(os.environ)})
            socket.send_fds(connection, [STATUS.pack(len(request))], list(STANDARD_STREAMS))
            connection.sendall(request.encode())
            if connection.recv(1) != b"+":  # the copy started
                return None
        except OSError:
            return None
        reply = b""
        # Until the copy has exited and its socket closed: what runs next may need the
        # warehouse it had open.
        while chunk := connection.recv(STATUS.size):
            reply += chunk
    if len(reply) != STATUS.size:
        print("autotrade-dbt: the dbt server's copy died before it finished", file=sys.stderr)
        return 1
    return STATUS.unpack(reply)[0]


def serve(path: str) -> None:
    """The dbt server: listen on ``path``, import dbt, then fork a copy per request. Ends
    with its parent (``bind_to_parent``) or when killed."""
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()  # from now on a request waits for dbt's import rather than fails
    with process_gc.importing():
        from dbt.cli.main import cli

        # Its adapter too, which each command would import again (0.4 s).
        adapter = importlib.import_module(f"dbt.adapters.{setting('engine')}")
    warm_up(adapter.Plugin.credentials)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # copies are reaped as they end
    server = os.getpid()
    while True:
        connection, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            bind_to_parent(server)
            run_copy(connection, cli)  # never returns: the copy exits, or raises out of here
        connection.close()


def warm_up(credentials: type) -> None:
    """Do once, for every copy to inherit, what each dbt command does once per process
    before it reads its project: build the JSON schemas its settings are validated against
    (0.2 s; cached per class). Not the saved parse's decoders (compiled on first use, 0.15 s):
    a decoded manifest makes a multiprocessing lock, whose tracker process would outlive
    the copies as a child of the server."""
    from dbt.contracts.project import PackageConfig, Project, ProjectFlags

    for settings in (ProjectFlags, Project, PackageConfig, credentials):
        settings.json_schema()


def run_copy(connection: socket.socket, cli) -> None:
    """In the server's copy: take the asker's streams, folder and environment, tell it the
    copy started, run dbt, send it the exit status, then exit (which closes the socket the
    asker waits on)."""
    header, fds, _, _ = socket.recv_fds(connection, STATUS.size, len(STANDARD_STREAMS))
    request = _received(connection, STATUS.unpack(header)[0])
    for fd, stream in zip(fds, STANDARD_STREAMS, strict=True):
        os.dup2(fd, stream)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    threading.Thread(target=_die_with_asker, args=(connection,), daemon=True).start()
    connection.sendall(b"+")
    status = 1
    try:
        run_dbt(request["args"], cli)
    except SystemExit as ended:
        status = ended.code if isinstance(ended.code, int) else int(ended.code is not None)
        if isinstance(ended.code, str):
            print(ended.code, file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        connection.sendall(STATUS.pack(status))
    sys.exit(status)


def _received(connection: socket.socket, size: int) -> dict:
    data = b""
    while len(data) < size:
        if not (chunk := connection.recv(size - len(data))):
            raise ConnectionError("the asker left before its request arrived")
        data += chunk
    return json.loads(data)


def _die_with_asker(connection: socket.socket) -> None:
    """The asker never writes after its request: the socket ends only when it does."""
    connection.recv(1)
    os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def dbt_server() -> Iterator[subprocess.Popen]:
    """A dbt server for this process's dbt commands (``AUTOTRADE_DBT_SERVER`` set for its
    children while it lasts), started now so that dbt imports beside what this process does."""
    folder = Path(tempfile.mkdtemp(prefix="autotrade-dbt-"))
    path = folder / "dbt.sock"
    # Unbuffered, as dagster-dbt starts dbt: its copies write each event as it happens.
    server = subprocess.Popen(
        [str(EXECUTABLE), "--serve", str(path)], env=os.environ | {"PYTHONUNBUFFERED": "1"}
    )
    os.environ[SERVER_VARIABLE] = str(path)
    try:
        yield server
    finally:
        del os.environ[SERVER_VARIABLE]
        server.kill()
        server.wait()
        path.unlink(missing_ok=True)
        folder.rmdir()


if __name__ == "__main__":
    main()
