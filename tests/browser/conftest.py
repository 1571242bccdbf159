"""A real server process on the demo school, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip browser tests, visibly, when Debian's Chromium is not installed."""
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} is missing (make test installs Debian's chromium when run as root)"
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `truongso serve` on a fresh var/ with the demo school; yield its base URL."""
    var = tmp_path_factory.mktemp("live") / "var"
    port = _free_port()
    env = {**os.environ, "TRUONGSO_VAR_DIR": str(var), "TRUONGSO_PORT": str(port)}
    for key in ("TRUONGSO_DATABASE_URL", "TRUONGSO_TEST_DATABASE_URL", "TRUONGSO_SECRET_KEY"):
        env.pop(key, None)
    subprocess.run([sys.executable, "-m", "lms_core.cli", "demo", "--no-serve"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    log = (var / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "lms_core.cli", "serve", "--no-worker"], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the server did not start: " + (var / "server.log").read_text()[-2000:])
    yield base
    os.killpg(proc.pid, 15)
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:  # noqa: ANN001
    """Open a fresh browser context (no cookies) and page."""
    context = browser.new_context(locale="vi-VN")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture()
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder for screenshots (kept under the pytest temp dir for inspection)."""
    folder = Path(os.environ.get("TRUONGSO_SCREENSHOTS", tmp_path_factory.mktemp("shots")))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


assert shutil  # keep the import for skip reasons on exotic systems
