"""A real headless Chromium for the tests that look at pages (dashboard, Data Docs)."""

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # No host name but localhost resolves: a page that still needs the network shows it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
BROWSER_TIMEOUT_S = 90


def find_chromium() -> str:
    """Chromium, or a failed test (not a skip: CI installs it, and these tests must run)."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail(
            "the dashboard tests drive a real headless browser and no Chromium was found: "
            "install it with `apt-get install chromium` (CI installs it)",
            pytrace=False,
        )
    return binary


def dump_dom(chromium: str, url: str, profile: Path) -> str:
    """The DOM after Chromium loaded ``url`` (a fresh profile per page)."""
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S)
    assert result.returncode == 0, f"chromium failed on {url}: {result.stderr[-2000:]}"
    assert "<html" in result.stdout, f"chromium dumped no page for {url}"
    return result.stdout
