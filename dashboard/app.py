"""The HTTP side: parse the request, read the snapshot, send one page; survive any failure.

Standard library only (``http.server``): the dashboard ships with the project and must run
wherever the pipeline runs, without a web framework or a network connection.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dashboard import render
from dashboard.snapshot import (
    DEFAULT_BAND,
    Selection,
    database_path,
    published_version,
    read_snapshot,
)
from orchestration.environment import setting

DEFAULT_PORT = 8050
DEFAULT_HOST = "127.0.0.1"


def default_publish_dir() -> Path:
    """Where the pipeline publishes (``AUTOTRADE_PUBLISH`` or its default)."""
    return Path(setting("publish_dir"))


def parse_selection(query_string: str) -> Selection:
    """The selectors from the query string; the first value of each wins, blanks are unset."""
    params = parse_qs(query_string, keep_blank_values=False)

    def first(name: str) -> str | None:
        values = params.get(name)
        return values[0].strip() if values and values[0].strip() else None

    return Selection(
        band=first("band") or DEFAULT_BAND,
        period=first("period"),
        lane=first("lane"),
        lane_search=first("lane_q"),
    )


def dashboard_response(publish_dir: Path, query_string: str) -> tuple[HTTPStatus, str]:
    """The page for one request. A missing snapshot is a normal state (200, with how to
    create it); a snapshot that cannot be read is an error page (500), never a crash."""
    if not database_path(publish_dir).exists():
        return HTTPStatus.OK, render.no_snapshot_page(database_path(publish_dir))
    try:
        snapshot = read_snapshot(publish_dir, parse_selection(query_string))
        return HTTPStatus.OK, render.page(snapshot)
    except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
        traceback.print_exc(file=sys.stderr)
        return HTTPStatus.INTERNAL_SERVER_ERROR, render.error_page(error)


def health_response(publish_dir: Path) -> tuple[HTTPStatus, str]:
    """The published version as text; 503 while nothing is published or it cannot be read."""
    try:
        version = published_version(publish_dir)
    except Exception as error:  # noqa: BLE001
        return HTTPStatus.SERVICE_UNAVAILABLE, f"unreadable snapshot: {error}\n"
    if version is None:
        return HTTPStatus.SERVICE_UNAVAILABLE, "no published snapshot\n"
    return HTTPStatus.OK, f"{version}\n"


class DashboardHandler(BaseHTTPRequestHandler):
    """Routes ``/`` and ``/health``; everything else is 404."""

    server_version = "autotrade-dashboard"

    def __init__(self, *args, publish_dir: Path, **kwargs):
        self.publish_dir = publish_dir
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            status, body = dashboard_response(self.publish_dir, url.query)
            self.send(status, body, "text/html; charset=utf-8")
        elif url.path == "/health":
            status, body = health_response(self.publish_dir)
            self.send(status, body, "text/plain; charset=utf-8")
        else:
            self.send(HTTPStatus.NOT_FOUND, "not found\n", "text/plain; charset=utf-8")

    def send(self, status: HTTPStatus, body: str, content_type: str) -> None:
        payload = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        # Every view reflects the snapshot at request time: never serve one from a cache.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)


def make_server(publish_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
    """A threaded server (a slow request does not block others); port 0 picks a free one."""
    handler = partial(DashboardHandler, publish_dir=publish_dir.resolve())
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Serve the autotrade dashboard over the published snapshot (read-only).",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument(
        "--publish",
        type=Path,
        default=None,
        help=f"publish directory (default: {default_publish_dir()})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    publish_dir = (args.publish or default_publish_dir()).resolve()
    server = make_server(publish_dir, args.host, args.port)
    host, port = server.server_address[:2]
    # The first stdout line is the address (tests start the server with --port 0 and read it).
    print(f"autotrade dashboard on http://{host}:{port}/ reading {publish_dir}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
