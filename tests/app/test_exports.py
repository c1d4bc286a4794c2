"""Exports a policy team briefs from: CSV and XLSX without formula cells, the matrix as PNG and SVG."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from app_pages import common
from app_pages.coverage_common import CELL_STATES, chart_image
from graph.coverage.cells import cell_counts, compare_matrix
from graph.coverage.compare import compare
from graph.coverage.report import compute_coverage
from graph.index.data import gather
from graph.inventory.match import inventory_from_tests

NASTY = pd.DataFrame({"risk": ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "plain"], "n": [1, 2, 3, 4, 5]})


def test_csv_cells_never_start_a_formula() -> None:
    text = common.csv_bytes(NASTY).decode()
    lines = text.splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+1") and lines[5].startswith("plain")


def test_xlsx_has_no_formula_cells() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(common.xlsx_bytes(NASTY, "gaps")))
    ws = wb["gaps"]
    cells = [c for r in ws.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert ws["A2"].value == '\'=HYPERLINK("http://x","y")' and ws["B2"].value == 1


@pytest.fixture(scope="module")
def report(app_kg):  # type: ignore[no-untyped-def]
    return compute_coverage(gather(app_kg))


def test_matrix_png_and_svg_with_legend(report) -> None:  # type: ignore[no-untyped-def]
    states = report.matrix(level=1)
    labels = {r.id: r.label for r in report.risks}
    png = chart_image(states, labels, {}, "png")
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    svg = chart_image(states, labels, {}, "svg").decode()
    assert svg.lstrip().startswith("<svg") and "http://" not in svg.replace("http://www.w3.org", "")
    for legend, _colour in CELL_STATES.values():
        assert legend in svg  # every state is named in the legend
    assert "Confabulation &lt;img src=x onerror=alert(2)&gt;" in svg  # escaped inside the image


def test_compare_cells(app_kg) -> None:  # type: ignore[no-untyped-def]
    data = gather(app_kg)
    a = inventory_from_tests(data, ["wmdp"], name="A")
    b = inventory_from_tests(data, ["cybench", "wmdp"], name="B")
    cells = compare_matrix(compare(data, a, b))
    assert cells.loc["mit:4.2", "static-mcq"] == "both"
    assert cells.loc["mit:4.2", "agentic-task-suite"] == "B only"
    assert cells.loc["mit:6.1", "static-mcq"] == "not testable"
    assert cells.loc["nist600:2.2", "static-mcq"] == "neither"
    swapped = compare_matrix(compare(data, b, a))
    assert swapped.loc["mit:4.2", "agentic-task-suite"] == "A only"
    counts = cell_counts(cells)
    assert counts["A only"] == 0 and sum(counts.values()) == cells.size


def test_every_method_family_label_is_drawn_apart_at_1280_px(report) -> None:  # type: ignore[no-untyped-def]
    """At a 1280 px window the plot area is about 860 px wide: every column label is drawn, none overlap."""
    import re

    from graph.coverage.matrix import family_labels

    states = report.matrix(level=1, by="family")
    names = family_labels()
    svg = chart_image(states, {r.id: r.label for r in report.risks}, names, "svg", width=860).decode()
    drawn: dict[str, tuple[float, float, list[str]]] = {}
    for x, y, body in re.findall(
        r'<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>(<tspan.*?)</text>', svg
    ):
        words = [w.replace("&amp;", "&") for w in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", body)]
        drawn[" ".join(words)] = (float(x), float(y), words)
    shown = [names[c] for c in states.columns]
    assert len(shown) >= 5 and all(label in drawn for label in shown), (shown, list(drawn))
    spans = sorted((x - 3.5 * max(map(len, w)), x + 3.5 * max(map(len, w))) for x, _, w in (drawn[s] for s in shown))
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans  # no two labels overlap
    assert all(drawn[s][1] > 0 for s in shown)  # the bottom axis: lines run away from the cells, not over them


def test_matrix_headline_agrees_with_its_cells(report) -> None:  # type: ignore[no-untyped-def]
    from graph.coverage.matrix import CELL_DIRECT, CELL_NONE, matrix_headline

    states = report.matrix(by="family")
    head = matrix_headline(states)
    direct_rows = sum(1 for _, row in states.iterrows() if CELL_DIRECT in set(row))
    assert head[CELL_DIRECT] == direct_rows and head["rows"] == len(states)
    none_rows = sum(1 for _, row in states.iterrows() if set(row) == {CELL_NONE})
    assert head["not by any kind of method"] == none_rows
    assert "not assessed" not in set(states.to_numpy().ravel())  # the cells never reuse the status words
