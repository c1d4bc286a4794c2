"""The app as analysts use it, in a real Chromium at 1440×900, 1280×800 and a narrow window.

Every page is screenshotted at each size (``test-artifacts/screenshots/<size>/``) and the key
columns of its tables must be visible without scrolling; people read labels, never property
names or vocabulary terms; entity pages lead with a summary and list each source once; the
network view is readable at depth 2 and moves to a node without reloading; an inventory typed
by hand can be fixed and mapped in the app and is saved with the choices.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .browsing import (
    SERVER_LOGS,
    SERVER_WORKSPACES,
    SHOTS,
    Watch,
    browser,
    heading,
    idle,
    net_frame,
    node_point,
    server,
    ui,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser", "server", "ui"]

SIZES = {"1440x900": (1440, 900), "1280x800": (1280, 800), "narrow": (760, 900)}
#: Per page: the key columns of each of its tables (each set must be visible, unscrolled, in one table).
KEY_COLUMNS: dict[str, list[set[str]]] = {
    "": [{"rank", "risk", "gap score", "status"}, {"title", "prefix", "version", "concepts"}],
    "coverage": [{"rank", "risk", "gap score", "status"}],
    "plan": [
        {"row", "value", "problem"},
        {"risk", "gap score", "status"},
        {"step", "test method", "gain", "newly assessed"},
        {"risk", "status before", "status after", "gap reduced"},
    ],
    "compare": [{"risk", "covered by", "A", "B"}],
    "data": [{"label", "class", "instances"}, {"label", "relation", "uses"}],
    "explore?id=mit:4.2": [{"concept", "relation", "rationale", "justification"}, {"name", "rationale"}],
}
INTERNAL = re.compile(
    r"assessesRisk|measuresCapability|enablesRisk|mitigatesRisk|wasAssociatedWith|usedTestMethod|coversRisk"
    r"|semapv:|ManualMappingCuration|status_before|status_after|gap_before|strength_before"
)
BAD_PLURAL = re.compile(r"(?<![\d.,])1 (?:links|nodes|sources|mappings|test methods|risks|rows|entries)\b|\(s\)|\(es\)")


def visible_headers(page: Any) -> list[list[str]]:
    """For each table shown on the page: the column headers the grid shows without scrolling."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
             .filter(d => d.getClientRects().length > 0 && !d.closest('details:not([open])')).map(d =>
               [...d.querySelectorAll('th[role=columnheader]')].map(t => t.textContent.trim()))"""
    )


def page_text(page: Any) -> str:
    """What a reader sees: the page's text and the cells the tables show."""
    cells = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"] td, [data-testid="stDataFrame"] th')]
                   .map(c => c.textContent).join(' | ')"""
    )
    return str(page.inner_text("body")) + "\n" + str(cells)


def open_expanders(page: Any) -> None:
    closed = page.locator("[data-testid='stExpander'] details:not([open]) > summary")
    for _ in range(40):
        if closed.count() == 0:
            break
        # A click on the element itself, not at where it was: a page still laying out could
        # otherwise put a link under the pointer.
        closed.first.evaluate("el => el.click()")
        page.wait_for_timeout(100)
    idle(page)
    tables_drawn(page)


def tables_drawn(page: Any, at_least: int = 0) -> None:
    """Wait until the page shows at least ``at_least`` tables and each has drawn its header."""
    state = "[]"
    for _ in range(450):  # up to 90 s: a loaded machine draws slowly
        state = page.evaluate(
            """() => JSON.stringify([...document.querySelectorAll('[data-testid="stDataFrame"]')]
                      .filter(d => d.getClientRects().length > 0 && !d.closest('details:not([open])'))
                      .map(d => d.querySelectorAll('th[role=columnheader]').length))"""
        )
        counts = [int(x) for x in state.strip("[]").split(",") if x]
        if len(counts) >= at_least and all(counts):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"tables not drawn (header cells per table: {state})")


def full_shot(page: Any, folder: str, name: str, width: int, height: int) -> None:
    """A screenshot of the whole page (Streamlit scrolls inside its main block, so grow the window)."""
    (SHOTS / folder).mkdir(parents=True, exist_ok=True)
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, min(int(tall) + 40, 9000))})
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / folder / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": height})


def add_what_if(page: Any) -> None:
    """The Plan page's what-if shows its table once a test method is chosen (the first pick is preset)."""
    page.get_by_text("What if we add").first.wait_for()


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_fits_and_shows_the_key_columns(ui: tuple[Any, Watch], server: str, size: str) -> None:
    page, _watch = ui
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    pages = ["", "explore", "explore?id=mit:4.2", "explore?id=test:wmdp", "coverage", "plan", "compare", "sparql"]
    for path in [*pages, "data"]:
        page.goto(f"{server}/{path}")
        page.locator("h1").first.wait_for()
        idle(page)
        if path.startswith("explore?id="):
            open_expanders(page)
        tables_drawn(page, len(KEY_COLUMNS.get(path, [])))
        assert page.locator("[data-testid='stException']").count() == 0, path
        tables = visible_headers(page)
        for wanted in KEY_COLUMNS.get(path, []):
            assert any(wanted <= set(shown) for shown in tables), (
                f"{path or 'overview'} at {size}: no table shows {sorted(wanted)} without scrolling; shown: {tables}"
            )
        # the page itself never scrolls sideways
        overflow = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return m.scrollWidth - m.clientWidth; }"
        )
        assert overflow <= 1, f"{path} at {size} scrolls sideways by {overflow} px"
        full_shot(page, size, (path or "overview").replace("?id=", "-").replace(":", "-"), width, height)


def test_people_read_labels_plurals_and_rounded_numbers(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/explore?id=mit:4.2")
    page.locator("h1").first.wait_for()
    idle(page)
    open_expanders(page)
    text = page_text(page)
    assert not INTERNAL.search(text), INTERNAL.search(text)
    assert not BAD_PLURAL.search(text), BAD_PLURAL.search(text)
    assert "curated by hand" in text  # the mapping justification, as people read it
    assert "assesses risk" in page.get_by_test_id("stMultiSelect").first.inner_text()  # relation chips
    frame, _x, _y = net_frame(page)
    legend = frame.inner_text("#legend")
    assert "assesses risk" in legend and not INTERNAL.search(legend)
    titles = frame.evaluate("() => window.graphEdges.get().map(e => e.title).join(' | ')")
    assert titles and not INTERNAL.search(titles), titles  # edge tooltips
    page.goto(server + "/plan")
    page.get_by_text("What if we add").first.wait_for()
    idle(page)
    tables_drawn(page, 3)
    text = page_text(page)
    assert not INTERNAL.search(text) and not BAD_PLURAL.search(text)
    assert not re.search(r"\d\.\d{3,}", text), re.search(r"\d\.\d{3,}", text)  # numbers rounded for people


def test_entity_page_leads_with_a_summary_and_lists_each_source_once(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server + "/explore?id=mit:4.2")
    page.locator("h1").first.wait_for()
    idle(page)
    summary = page.locator("p", has_text="At a glance:").first
    assert summary.is_visible() and "test method" in summary.inner_text()
    assert page.get_by_text("Coverage by the catalogue:").first.is_visible()
    box = summary.bounding_box()
    assert box is not None and box["y"] < 900, "the summary is not on the first screen"
    sections = page.locator("[data-testid='stExpander']").count()
    assert sections >= 4  # mappings, link groups, sources: each collapsible
    open_expanders(page)
    # each source once: its title appears in the one list of sources, never repeated under a table
    listed = page.get_by_test_id("stExpander").filter(has_text="cited on this page")
    titles = [re.sub(r" \(.*$", "", item).strip() for item in listed.locator("li").all_inner_texts()]
    assert titles and all(titles)
    body = page.inner_text("[data-testid='stMain']")
    for title in titles:
        assert body.count(title) == 1, f"source {title!r} is shown {body.count(title)} times"


def test_network_depth_2_is_readable(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/explore?id=mit:4.2")
    page.locator("h1").first.wait_for()
    idle(page)
    slider = page.get_by_test_id("stSlider").get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")
    idle(page)
    frame, _x, _y = net_frame(page)
    frame.wait_for_function("() => window.graphNodes.length > 10")
    legend = frame.locator("#legend").bounding_box()
    canvas = frame.locator("#net").bounding_box()
    assert legend["y"] + legend["height"] <= canvas["y"] + 1, "the legend sits over the drawing"
    edges = frame.evaluate("() => window.graphEdges.get().map(e => e.color.color)")
    assert len(set(edges)) >= 3, "edges are not told apart by relation"
    # fade all but one relation from the legend
    frame.locator("#legend [data-relation='assessesRisk']").click()
    faded = frame.evaluate(
        """() => { const d = window.graphEdges.get(); return [d.filter(e => e.color.color.includes('0.15')).length,
                   d.length]; }"""
    )
    assert 0 < faded[0] < faded[1]
    frame.locator("#legend [data-relation='assessesRisk']").click()  # and back
    # hover a node: everything not linked to it fades
    page.mouse.move(*node_point(page, "test:wmdp"))
    frame.wait_for_function(
        "() => window.graphNodes.get().some(n => typeof n.color === 'string' && n.color.includes('0.15'))"
    )


def test_overview_path_opens_the_overview(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/overview")
    page.get_by_text("The ten worst gaps").wait_for()
    idle(page)
    assert heading(page) == "AI Risk Graph"
    assert "Page not found" not in page.inner_text("body")
    # the sidebar shows Overview as the current page, as it does at "/"
    current = page.locator("[data-testid='stSidebarNavLink'][aria-current='page']")
    assert current.count() == 1 and current.inner_text().strip() == "Overview"


def test_overview_downloads_are_written_when_clicked(ui: tuple[Any, Watch], server: str) -> None:
    import io

    import openpyxl

    page, _watch = ui
    page.goto(server + "/")
    page.get_by_text("The ten worst gaps").wait_for()
    idle(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="XLSX", exact=True).first.click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:2] == ["rank", "risk"] and sheet.max_row > 1
    # A deferred download reruns the page; take the next one from a freshly drawn page, so the
    # click cannot land on a button being replaced.
    page.goto(server + "/")
    page.get_by_text("The ten worst gaps").wait_for()
    idle(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="CSV", exact=True).first.click()
    assert Path(got.value.path()).read_text(encoding="utf-8").startswith("rank,risk,")


def test_sparql_workers_start_without_warnings(ui: tuple[Any, Watch], server: str) -> None:
    page, _watch = ui
    page.goto(server + "/sparql")
    page.get_by_text("Example queries").wait_for()
    idle(page)
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("Results").first.wait_for()
    idle(page)
    port = int(server.rsplit(":", 1)[1])
    log = SERVER_LOGS[port].read_text(encoding="utf-8", errors="replace")
    assert "missing ScriptRunContext" not in log


def test_fix_an_inventory_typed_by_hand_and_save_it(ui: tuple[Any, Watch], server: str, tmp_path: Path) -> None:
    page, _watch = ui
    page.goto(server + "/plan")
    page.get_by_text("Import report").wait_for()
    idle(page)
    page.get_by_text("Upload a file").click()
    idle(page)
    inventory = tmp_path / "by-hand.csv"
    inventory.write_text("Benchmark,State\nWMPD,done\nCybench,planned\nOur persuasion probe,running\n")
    page.locator("input[type='file']").set_input_files(str(inventory))
    page.get_by_text("2 rows could not be used").wait_for()
    idle(page)
    # "use this": the closest test method of the near miss
    row = page.get_by_test_id("stVerticalBlock").filter(has_text="Row 2:").last
    offered = row.get_by_test_id("stSelectbox").first.evaluate(
        "(e) => [...e.querySelectorAll('input')].map(i => i.value).join(' ') + ' ' + e.textContent"
    )
    assert "WMDP (wmdp)" in offered  # the closest test method, offered
    row.get_by_role("button", name="Use this").click()
    page.get_by_text("1 row could not be used").wait_for()
    idle(page)
    # map the in-house test by picking a risk
    row = page.get_by_test_id("stVerticalBlock").filter(has_text="Row 4:").last
    row.get_by_text("Or map it as an in-house test").click()
    row.get_by_test_id("stMultiSelect").first.click()
    page.keyboard.type("mit:1.2")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    idle(page)
    row.get_by_role("button", name="Map to these").click()
    page.get_by_text("Every row matched a catalogue test method or was read as a custom test.").wait_for()
    idle(page)
    page.get_by_text("Save this inventory to the workspace").click()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved as by-hand").wait_for()
    # saved with the choices: the catalogue id and the in-house test's risk
    saved_file = SERVER_WORKSPACES[int(server.rsplit(":", 1)[1])] / "inventories" / "by-hand.csv"
    saved = saved_file.read_text(encoding="utf-8-sig")
    assert "wmdp" in saved and "mit:1.2" in saved and "WMPD" not in saved
