"""What leaves the project is safe to open: CSV cells (no formulas, no row injected by a bare CR),
control characters shown visibly, and no temporary file left behind by a killed writer."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from endpoint.servers import ROOT

from graph.safeio.text import safe_cell, show_controls, write_csv

FIXTURE_DATA = ROOT / "tests" / "fixtures" / "endpoint"
INJECTED = "label\r=1+1"  # a bare CR, then a formula: must not become a row of its own
RLO = "abc\u202edef"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _no_formula_rows(text: str) -> None:
    for row in _rows(text):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row), row


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", INJECTED])
def test_safe_cell_and_the_writer(value: str) -> None:
    text = write_csv([["h"], [value]])
    rows = _rows(text)
    assert len(rows) == 2  # the header and one row: nothing injected
    assert rows[1][0] == safe_cell(value)
    _no_formula_rows(text)


def test_cli_query_csv_keeps_a_bare_cr_inside_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text('SELECT ?x ?y WHERE { BIND("label\\r=1+1" AS ?x) BIND("=HYPERLINK(1)" AS ?y) }')
    out = subprocess.run(
        [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "query", str(path), "--format", "csv"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    rows = _rows(text)
    assert rows == [["x", "y"], [INJECTED, "'=HYPERLINK(1)"]]
    _no_formula_rows(text)


def test_app_csv_download_keeps_a_bare_cr_inside_its_cell() -> None:
    from app_pages.common import csv_bytes

    df = pd.DataFrame({"label": [INJECTED, "plain"], "n": [-1, 2]})
    rows = _rows(csv_bytes(df).decode())
    assert len(rows) == 3 and len(rows[0]) == 2  # the header (in people's words), then one row per record
    assert rows[1:] == [[INJECTED, "-1"], ["plain", "2"]]


def test_every_csv_writer_uses_the_one_writer() -> None:
    """No module but graph/safeio/text.py builds a csv.writer (or pandas CSV) of its own."""
    offenders = []
    for path in [*(ROOT / "graph").rglob("*.py"), *(ROOT / "app_pages").glob("*.py"), ROOT / "app.py"]:
        text = path.read_text()
        if path.name == "text.py" and path.parent.name == "safeio":
            continue
        if "csv.writer(" in text or "csv.DictWriter(" in text or ".to_csv(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_endpoint_csv_results_quote_line_breaks(fixture_kg: Any) -> None:
    from graph.sandbox.formats import Answer, results_csv
    from graph.store.oxigraph import Term

    answer = Answer("SELECT", vars=["x"], rows=[{"x": Term("literal", INJECTED)}])
    assert _rows(results_csv(answer).decode()) == [["x"], [INJECTED]]


# ------------------------------------------------------------------------------ control characters
def test_show_controls_makes_bidi_and_invisible_characters_visible() -> None:
    assert show_controls(RLO) == "abc<U+202E>def"
    assert show_controls("a\u2066b\u200bc\x1bd") == "a<U+2066>b<U+200B>c<U+001B>d"
    assert show_controls("tab\tand\nnewline é 中") == "tab\tand\nnewline é 中"


def test_html_pages_show_bidi_overrides_visibly() -> None:
    from graph.endpoint.pages import error_page, results_page
    from graph.sandbox.formats import Answer
    from graph.store.oxigraph import Term

    html = results_page(Answer("SELECT", vars=["x"], rows=[{"x": Term("literal", RLO)}]), {})
    assert "abc&lt;U+202E&gt;def" in html and "\u202e" not in html
    assert "\u202e" not in error_page(400, f"no such thing: {RLO}")


def test_app_messages_and_tables_show_bidi_overrides_visibly() -> None:
    from app_pages.common import md, visible

    assert md(RLO) == r"abc\<U\+202E\>def"  # shown by Markdown as abc<U+202E>def
    shown = visible(pd.DataFrame({"name": [RLO], "n": [1]}))
    assert shown["name"][0] == "abc<U+202E>def" and shown["n"][0] == 1


def test_cli_table_shows_bidi_overrides_visibly(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text('SELECT ?x WHERE { BIND("abc\\u202Edef" AS ?x) }')
    out = subprocess.run(
        [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "query", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "abc<U+202E>def" in out.stdout and "\u202e" not in out.stdout


# ------------------------------------------------------------------------------ temporary files
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporary_files_are_removed_when_the_workspace_is_opened(tmp_path: Path) -> None:
    from graph.importers.workspace import read_imports, remove_stale_temporaries

    ws = tmp_path / "ws"
    (ws / "graphs").mkdir(parents=True)
    (ws / "inventories").mkdir()
    (ws / ".lock").write_bytes(b"")
    dead, alive = _dead_pid(), os.getpid()
    stale = [
        ws / f".tmp-manifest.json-{dead}-0a1b2c3d",
        ws / "graphs" / f".tmp-atlas.nt-{dead}-deadbeef",
        ws / "inventories" / f".ours.csv.{dead}.k2j3h4g5.partial",
    ]
    live = ws / "graphs" / f".tmp-mit.nt-{alive}-cafe0001"
    for path in [*stale, live]:
        path.write_bytes(b"half a file")
    assert read_imports(ws) == []  # opening the workspace ...
    assert not any(p.exists() for p in stale)  # ... removes what dead writers left
    assert live.exists()  # a live writer's file stays
    assert remove_stale_temporaries(ws) == []
