"""What the browser tests share: ``streamlit run app.py`` on a free loopback port, a real Chromium
driven by Playwright, and a watch on everything the browser does.

Every request the browser makes is recorded (and any that would leave loopback is aborted and fails
the test); any JavaScript dialog or console error fails it too. The fixture data holds a test method
named ``<img src=x onerror=alert(1)>``: it must show as those characters everywhere. Screenshots of
every page go to ``test-artifacts/screenshots/``.

Needs Debian's ``chromium`` (``make chromium`` installs it); Playwright drives it through
``executable_path`` (no browser download).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "fixtures" / "app"
SHOTS = ROOT / "test-artifacts" / "screenshots"
HOSTILE = "<img src=x onerror=alert(1)>"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-sync",
    "--metrics-recording-only",
]
#: The log file of each running test server, by port (read by tests of what the server logs).
SERVER_LOGS: dict[int, Path] = {}
#: The import workspace of each running test server, by port.
SERVER_WORKSPACES: dict[int, Path] = {}
#: Streamlit's frontend probes ``<page path>/_stcore/health`` before the root one: expected 404s.
STREAMLIT_PROBES = ("/_stcore/health", "/_stcore/host-config")


def chromium_path() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.fail("Debian's chromium is not installed: run `make chromium` (the test command does)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    workspace = tmp_path_factory.mktemp("browser-workspace")
    SERVER_WORKSPACES[port] = workspace
    env = dict(os.environ, AIRISK_DATA=str(DATA), AIRISK_WORKSPACE=str(workspace))
    log_path = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    SERVER_LOGS[port] = log_path
    log = log_path.open("w")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {log.name}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Watch:
    """Everything the browser did that a user should never see: leaks, dialogs, errors."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.leaks: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.bad_responses: list[str] = []

    def on_route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            self.leaks.append(url)
            route.abort()

    def on_console(self, msg: Any) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.errors.append(msg.text)

    def on_response(self, response: Any) -> None:
        if response.status >= 400 and not urlsplit(response.url).path.endswith(STREAMLIT_PROBES):
            self.bad_responses.append(f"{response.status} {response.url}")

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def check(self) -> None:
        assert self.leaks == [], f"requests left loopback: {self.leaks}"
        assert self.dialogs == [], f"a JavaScript dialog opened: {self.dialogs}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.bad_responses == [], f"failed requests: {self.bad_responses}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def ui(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    watch = Watch()
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    context.route("**/*", watch.on_route)
    page = context.new_page()
    page.on("console", watch.on_console)
    page.on("response", watch.on_response)
    page.on("dialog", watch.on_dialog)
    page.on("pageerror", lambda exc: watch.errors.append(f"page error: {exc}"))
    page.set_default_timeout(30_000)
    yield page, watch
    context.close()
    watch.check()


def idle(page: Any) -> None:
    """Wait until the script has finished its run."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(150)


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def net_frame(page: Any) -> tuple[Any, float, float]:
    """The frame that draws the network view (nested in its component's frame) and where it sits
    on the screen (scrolled into view)."""
    host = page.locator("iframe[title*='airisk_network'], iframe[src*='airisk_network']").first
    host.scroll_into_view_if_needed()
    outer = host.element_handle().content_frame()
    inner_el = outer.wait_for_selector("iframe")
    inner = inner_el.content_frame()
    inner.wait_for_selector("body[data-drawn='1']")
    box_outer = host.bounding_box()
    box_inner = inner_el.bounding_box()  # relative to the page already
    return inner, (box_inner or box_outer)["x"], (box_inner or box_outer)["y"]


def node_point(page: Any, curie: str) -> tuple[float, float]:
    """Where on the screen the network view draws the node of ``curie`` (scrolled into view)."""
    frame, x0, y0 = net_frame(page)
    point = frame.evaluate(
        """(curie) => { const n = window.graphNodes.get().find(n => n.curie === curie);
                        return window.network.canvasToDOM(window.network.getPositions([n.id])[n.id]); }""",
        curie,
    )
    canvas = frame.locator("#net").bounding_box()
    return canvas["x"] + point["x"], canvas["y"] + point["y"]


def heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()
