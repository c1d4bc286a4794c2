"""End to end in a real Chromium: ``streamlit run app.py`` on a free loopback port, driven by Playwright.

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

pytestmark = [pytest.mark.browser, pytest.mark.slow]

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
    env = dict(os.environ, AIRISK_DATA=str(DATA), AIRISK_WORKSPACE=str(workspace))
    log = (tmp_path_factory.mktemp("browser-log") / "streamlit.log").open("w")
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


def node_point(page: Any, curie: str) -> tuple[float, float]:
    """Where on the screen the network view draws the node of ``curie`` (scrolled into view)."""
    net = page.locator("iframe").first
    net.scroll_into_view_if_needed()
    frame = net.element_handle().content_frame()
    frame.wait_for_selector("body[data-drawn='1']")
    point = frame.evaluate(
        """(curie) => { const n = window.graphNodes.get().find(n => n.url.endsWith('id=' + curie));
                        return window.network.canvasToDOM(window.network.getPositions([n.id])[n.id]); }""",
        curie,
    )
    box = net.bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()


def test_every_page_renders_offline(ui: tuple[Any, Watch], server: str) -> None:
    page, watch = ui
    page.goto(server + "/")
    page.get_by_text("The ten worst gaps").wait_for()
    idle(page)
    assert heading(page) == "AI Risk Graph"
    assert page.get_by_text("9 risk categories from 2 published taxonomies").is_visible()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "2"
    shot(page, "01-overview")
    visits = [
        ("Explore", "Search across every entity", "02-explore"),
        ("Coverage", "Ranked gaps", "03-coverage"),
        ("Plan", "Recommendation", "04-plan"),
        ("Compare", "Per risk", "05-compare"),
        ("Versions", "Mappings, links and coverage", "05b-versions"),
        ("SPARQL", "Example queries", "06-sparql"),
        ("Data & method", "Coverage rubric", "07-data-and-method"),
    ]
    for link, text, name in visits:
        page.get_by_test_id("stSidebarNav").get_by_text(link, exact=True).click()
        page.get_by_text(text).first.wait_for()
        idle(page)
        assert heading(page) == link
        shot(page, name)
    assert page.locator("[data-testid='stException']").count() == 0
    assert watch.requests and all(urlsplit(u).hostname in LOOPBACK for u in watch.requests if u.startswith("http"))


def test_entity_page_from_its_url_with_hostile_text(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/explore?id=test:hostile")
    page.locator("h1").first.wait_for()
    idle(page)
    assert heading(page) == HOSTILE  # the characters, not an image
    assert page.get_by_text('"><script>alert(2)</script>').is_visible()
    assert page.locator("img[src='x']").count() == 0
    frame = page.frame_locator("iframe").first
    frame.locator("body[data-drawn='1']").wait_for()
    assert frame.locator("img[src='x']").count() == 0
    # hover the hostile node: its tooltip shows the label as text
    page.mouse.move(*node_point(page, "test:hostile"))
    tooltip = frame.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().splitlines()[0] == HOSTILE
    shot(page, "08-entity-hostile")


def test_a_risk_page_shows_its_coverage_at_the_top(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/explore?id=nist600:2.2")
    page.get_by_text("Coverage by the catalogue: not assessed").wait_for()
    idle(page)
    assert page.get_by_text("no method at all").is_visible()
    assert page.locator("img[src='x']").count() == 0  # the hostile label stays text
    page.goto(server + "/explore?id=mit:6.1")
    page.get_by_text("Coverage by the catalogue: not testable").wait_for()
    shot(page, "14-risk-coverage")


def test_network_click_opens_the_entity_page(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/explore?id=mit:4.2")
    page.get_by_text("Weapons and cyberattacks").first.wait_for()
    idle(page)
    assert page.get_by_text("Fixture source A").first.is_visible()  # sources are shown ...
    assert page.locator("a[href='https://example.org/a']").count() >= 1  # ... and clickable
    x, y = node_point(page, "test:wmdp")
    frame = page.locator("iframe").first.element_handle().content_frame()
    assert frame.evaluate("window.airiskFirstDraw") > 0
    shot(page, "09-entity-network")
    page.mouse.click(x, y)
    page.wait_for_url("**/explore?id=test:wmdp")
    page.get_by_role("heading", name="WMDP").wait_for()
    idle(page)
    assert heading(page) == "WMDP"


def test_sparql_query_and_refusal(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/sparql")
    page.get_by_text("Example queries").wait_for()
    idle(page)
    editor = page.get_by_label("Query")
    editor.fill("SELECT ?t ?l WHERE { ?t a ar:TestMethod ; rdfs:label ?l } ORDER BY ?l")
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("4 rows in").wait_for()
    idle(page)
    shot(page, "10-sparql-results")
    editor.fill("DROP ALL")
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("this graph is read-only").first.wait_for()


def test_upload_an_inventory(ui: tuple[Any, Watch], server: str, tmp_path: Path) -> None:
    page, _watch = ui
    page.goto(server + "/plan")
    page.get_by_text("Import report").wait_for()
    idle(page)
    page.get_by_text("Upload a file").click()
    idle(page)
    inventory = tmp_path / "ours.csv"
    inventory.write_text(f"test_method,status,risks\nWMPD,done,\ncybench,planned,\n{HOSTILE},running,mit:4.2\n")
    page.locator("input[type='file']").set_input_files(str(inventory))
    page.get_by_text("1 row(s) could not be used").wait_for()
    idle(page)
    assert page.get_by_text("ours.csv: 2 entries").is_visible()
    assert page.locator("img[src='x']").count() == 0
    shot(page, "11-plan-upload")


def test_matrix_tooltip_shows_hostile_label_as_text(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/coverage")
    page.get_by_text("Ranked gaps").wait_for()
    idle(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    seen: set[str] = set()
    for y in range(int(box["y"]), int(box["y"] + box["height"]), 6):  # sweep down one column of cells
        page.mouse.move(box["x"] + box["width"] * 0.6, y)
        page.wait_for_timeout(30)
        text = page.evaluate(
            """() => { const e = document.getElementById('vg-tooltip-element');
                       return e && e.classList.contains('visible') ? e.innerText : null; }"""
        )
        if text:
            seen.add(text)
    assert any("nist600:2.2 Confabulation <img src=x onerror=alert(2)>" in t for t in seen), seen
    assert page.locator("#vg-tooltip-element img").count() == 0
    shot(page, "12-coverage-tooltip")


def test_click_a_matrix_cell_to_see_its_evidence(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(server + "/coverage")
    page.get_by_text("Ranked gaps").wait_for()
    idle(page)
    assert page.get_by_text("In this matrix:").is_visible()  # the headline drawn from the cells
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()

    def tip() -> str:
        return str(
            page.evaluate(
                """() => { const e = document.getElementById('vg-tooltip-element');
                           return e && e.classList.contains('visible') ? e.innerText : ''; }"""
            )
        )

    row_y = None
    for y in range(int(box["y"]), int(box["y"] + box["height"]), 6):  # find the row of mit:4
        page.mouse.move(box["x"] + box["width"] * 0.9, y)
        page.wait_for_timeout(30)
        if "mit:4 Misuse" in tip():
            row_y = y
            break
    assert row_y is not None, "the matrix has no row for mit:4"
    target = None
    for x in range(int(box["x"] + box["width"] * 0.2), int(box["x"] + box["width"]), 8):  # then its family column
        page.mouse.move(x, row_y)
        page.wait_for_timeout(30)
        text = tip()
        if "mit:4 Misuse" in text and "Agentic & cyber tasks" in text:
            target = (x, row_y)
            assert "tested directly" in text  # the cell's own words, not a risk status
            break
    assert target, "the matrix has no cell for mit:4 x Agentic & cyber tasks"
    page.mouse.click(*target)
    page.get_by_text("Agentic & cyber tasks: tested directly").wait_for()
    idle(page)
    shot(page, "13-coverage-drill-down")


def test_practice_page_and_a_report_page(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/practice")
    page.get_by_text("Timeline of reports").wait_for()
    idle(page)
    assert heading(page) == "Practice"
    assert page.get_by_text("Who tested what: model × risk domain").is_visible()
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 2  # timeline and matrix, drawn offline
    shot(page, "13-practice")
    page.goto(server + "/explore?id=report:joint-x")
    page.get_by_text("Test methods the report names (1)").wait_for()
    idle(page)
    assert heading(page) == "Joint test of Model X"
    assert page.get_by_text("joint testing report").first.is_visible()
    shot(page, "14-report")
    href = page.get_by_role("link", name="UK institute").first.get_attribute("href")
    assert href is not None and href.endswith("explore?id=org:uk-aisi")  # a deep link to the tester's page
    page.goto(server + "/explore?id=org:uk-aisi")
    page.locator("h1").first.wait_for()
    idle(page)
    assert heading(page) == "UK institute"


# ------------------------------------------------------------------------------ hostile input as text
EVIL_IMAGE = "![b](http://evil.example/b.png)"


def test_crafted_entity_link_shows_its_id_as_text(ui: tuple[Any, Watch], server: str) -> None:
    """``explore?id=![b](http://evil.example/b.png)``: the id is shown as characters, and the
    browser never asks the remote host for the image (the watch fails on any non-loopback request)."""
    page, watch = ui
    page.goto(server + "/explore?id=" + EVIL_IMAGE)
    page.get_by_text("Entity not found").wait_for()
    idle(page)
    assert page.get_by_text(EVIL_IMAGE, exact=False).first.is_visible()
    assert page.locator("img[src*='evil.example']").count() == 0
    assert watch.leaks == []


def test_refused_from_iri_and_uploaded_file_name_show_as_text(
    ui: tuple[Any, Watch], server: str, tmp_path: Path
) -> None:
    page, watch = ui
    page.goto(server + "/sparql")
    page.get_by_text("Example queries").wait_for()
    idle(page)
    iri = "http://evil.example/a![x](http://evil.example/x.png)"
    page.get_by_label("Query").fill(f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}")
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("would read a graph from outside this store").first.wait_for()
    idle(page)
    assert page.get_by_text(iri, exact=False).first.is_visible()
    page.goto(server + "/plan")
    page.get_by_text("Import report").wait_for()
    idle(page)
    page.get_by_text("Upload a file").click()
    idle(page)
    name = "![b](http:evil.example)\u202ereversed.csv"
    bad = tmp_path / name
    bad.write_bytes(b"\xff\xfea")  # a UTF-16 byte-order mark and half a character
    page.locator("input[type='file']").set_input_files(str(bad))
    page.get_by_text("could not be read").first.wait_for()
    idle(page)
    text = page.locator("[data-testid='stAlert']").first.inner_text()
    assert "![b](http:evil.example)<U+202E>reversed.csv" in text and "not UTF-16" in text
    assert "Traceback" not in page.content()
    assert page.locator("img[src*='evil.example']").count() == 0
    assert watch.leaks == []
