"""End to end in a real Chromium: ``streamlit run app.py`` on a free loopback port, driven by Playwright.

Every request the browser makes is recorded (and any that would leave loopback is aborted and fails
the test); any JavaScript dialog or console error fails it too. The fixture data holds a test method
named ``<img src=x onerror=alert(1)>``: it must show as those characters everywhere. Screenshots of
every page go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from .browsing import HOSTILE, LOOPBACK, Watch, browser, heading, idle, net_frame, node_point, server, shot, ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser", "server", "ui"]  # fixtures used by the tests below


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
    frame, _x, _y = net_frame(page)
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


def test_network_click_opens_the_entity_page_without_a_reload(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/explore?id=mit:4.2")
    page.get_by_text("Weapons and cyberattacks").first.wait_for()
    idle(page)
    # the one list of sources, collapsed by default
    page.get_by_test_id("stExpander").filter(has_text="cited on this page").locator("summary").click()
    assert page.get_by_text("Fixture source A").first.is_visible()  # sources are shown ...
    assert page.locator("a[href='https://example.org/a']").count() >= 1  # ... and clickable
    x, y = node_point(page, "test:wmdp")
    frame, _x, _y = net_frame(page)
    assert frame.evaluate("window.airiskFirstDraw") > 0
    shot(page, "09-entity-network")
    page.evaluate("window.airiskSamePage = 'still here'")
    page.mouse.click(x, y)
    page.get_by_role("heading", name="WMDP").wait_for()
    idle(page)
    assert heading(page) == "WMDP"
    assert unquote(page.url).endswith("/explore?id=test:wmdp")  # the address names the entity
    assert page.evaluate("window.airiskSamePage") == "still here", "the page was reloaded"


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
    page.get_by_text("1 row could not be used").wait_for()
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
    page.locator("[data-testid='stVegaLiteChart']").nth(1).wait_for(timeout=90_000)
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
