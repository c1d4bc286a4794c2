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
    assert cells.loc["mit:6.1", "static-mcq"] == "not applicable"
    assert cells.loc["nist600:2.2", "static-mcq"] == "neither"
    swapped = compare_matrix(compare(data, b, a))
    assert swapped.loc["mit:4.2", "agentic-task-suite"] == "A only"
    counts = cell_counts(cells)
    assert counts["A only"] == 0 and sum(counts.values()) == cells.size
