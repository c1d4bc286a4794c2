"""Property tests: generated broken inputs give a clean import or one DataError naming where, nothing else."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import DataError, KnowledgeGraph
from graph.importers import build_import, run_import
from graph.importers.common import ImportResult

from .conftest import CURATED, FIXTURES, snapshot
from .workbooks import HEADER, sample_row, workbook_bytes

ATLAS_BYTES = (FIXTURES / "atlas-small.yaml").read_bytes()
SSSOM_TEXT = (FIXTURES / "mappings-small.sssom.tsv").read_text()
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_KG: list[KnowledgeGraph] = []


def kg() -> KnowledgeGraph:
    if not _KG:
        _KG.append(KnowledgeGraph.load(data=CURATED))
    return _KG[0]


def attempt(kind: str, name: str, data: bytes | Callable[[Path], Path]) -> ImportResult | DataError:
    """Import the bytes (or the folder a function makes) and return the result or the DataError."""
    with tempfile.TemporaryDirectory() as tmp:
        path = data(Path(tmp)) if callable(data) else Path(tmp) / name
        if not callable(data):
            path.write_bytes(data)
        try:
            return build_import(kind, path, kg())
        except DataError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.location.file or p.location.record, str(p)  # says where
                assert p.message
            return exc


@SETTINGS
@given(cut=st.integers(0, len(ATLAS_BYTES) - 1))
def test_truncated_atlas(cut: int) -> None:
    attempt("atlas", "cut.yaml", ATLAS_BYTES[:cut])


@SETTINGS
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(ATLAS_BYTES) - 1), st.binary(min_size=1, max_size=3)), min_size=1, max_size=6
    )
)
def test_corrupted_atlas(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(ATLAS_BYTES)
    for at, new in edits:
        data[at : at + len(new)] = new
    attempt("atlas", "bad.yaml", bytes(data))


@SETTINGS
@given(drop=st.sets(st.integers(0, ATLAS_BYTES.count(b"\n")), max_size=8))
def test_atlas_with_lines_removed(drop: set[int]) -> None:
    lines = ATLAS_BYTES.split(b"\n")
    result = attempt("atlas", "lines.yaml", b"\n".join(line for i, line in enumerate(lines) if i not in drop))
    if isinstance(result, ImportResult):  # whatever survives is consistent (the check passed)
        assert result.triples > 0


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@SETTINGS
@given(cells=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 7), cell), min_size=1, max_size=6))
def test_sssom_with_generated_cells(cells: list[tuple[int, int, str]]) -> None:
    lines = SSSOM_TEXT.split("\n")
    table = [line.split("\t") for line in lines[11:14]]
    for row, col, text in cells:
        table[row][col] = text
    text = "\n".join(lines[:11] + ["\t".join(r) for r in table]) + "\n"
    result = attempt("sssom", "gen.sssom.tsv", text.encode("utf-8", "surrogatepass"))
    if isinstance(result, ImportResult):
        for p in result.warnings:  # a row left out says its line and column
            assert p.location.line and p.location.line >= 12, str(p)


code_value = st.one_of(
    st.none(),
    st.integers(-5, 12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet="0123456789 .->XHumanAIOtherPost-deploymentIntentional", max_size=30),
)


@SETTINGS
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(
                ["Ev_ID", "Entity", "Intent", "Timing", "Domain", "Sub-domain", "Category level", "Paper_ID"]
            ),
            code_value,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_workbook_with_generated_codes(values: list[tuple[str, Any]]) -> None:
    row: list[Any] = sample_row("4. Malicious", "4.2 > Cyber")
    for column, value in values:
        row[HEADER.index(column)] = value
    result = attempt("mit", "gen.xlsx", workbook_bytes(rows=[row], formula_row=False))
    if isinstance(result, ImportResult):
        for p in result.warnings:  # whatever could not be read is named by sheet, row and column
            assert "sheet 'AI Risk Database v3', row 4, column" in str(p), str(p)


WORKBOOK = workbook_bytes()


@settings(max_examples=30, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=4))
def test_corrupted_workbook(edits: list[tuple[int, int]]) -> None:
    data = bytearray(WORKBOOK)
    for at, value in edits:
        data[at] = value
    attempt("mit", "bad.xlsx", bytes(data))


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=300))
def test_generated_eval_yaml(text: str) -> None:
    def folder(tmp: Path) -> Path:
        (tmp / "evals" / "gen").mkdir(parents=True)
        (tmp / "evals" / "gen" / "eval.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        (tmp / "evals" / "ok").mkdir()
        (tmp / "evals" / "ok" / "eval.yaml").write_text("title: OK\ntasks:\n  - name: ok_task\n")
        return tmp / "evals"

    attempt("inspect-evals", "", folder)


@settings(max_examples=25, deadline=None)
@given(cut=st.integers(0, len(ATLAS_BYTES) - 1), flip=st.integers(0, 255))
def test_failed_imports_leave_the_workspace_byte_for_byte(cut: int, flip: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        graph = KnowledgeGraph.load(data=CURATED)
        run_import("atlas", FIXTURES / "atlas-small.yaml", graph, workspace=ws)
        before = snapshot(ws)
        bad = Path(tmp) / "bad.yaml"
        data = bytearray(ATLAS_BYTES[:cut] + ATLAS_BYTES[cut + 1 :])
        if data:
            data[cut % len(data)] = flip
        bad.write_bytes(bytes(data))
        try:
            run_import("atlas", bad, graph, name="atlas", workspace=ws)
        except DataError:
            assert snapshot(ws) == before
