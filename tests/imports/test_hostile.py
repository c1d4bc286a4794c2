"""Malformed, truncated, wrong-kind and hostile files: one clear error naming where, and the workspace unchanged."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from graph import KnowledgeGraph
from graph.importers import build_import

from .conftest import FIXTURES, snapshot
from .workbooks import HEADER, sample_row, workbook_bytes, write_workbook

ATLAS_SMALL = FIXTURES / "atlas-small.yaml"
SSSOM_SMALL = FIXTURES / "mappings-small.sssom.tsv"
INSPECT_SMALL = FIXTURES / "inspect-small"

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
matrices: *i
"""


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _write(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _truncated_atlas() -> str:
    text = ATLAS_SMALL.read_text()
    cut = text.index("markup</b>")  # inside a quoted scalar: the file ends mid-string
    return text[:cut]


def _dangling_atlas() -> str:
    return ATLAS_SMALL.read_text().replace("    - AML.TA9001\n", "    - AML.TA7777\n")


def _inspect_bomb(tmp: Path) -> Path:
    root = tmp / "checkout"
    (root / "src" / "inspect_evals" / "evil").mkdir(parents=True)
    (root / "src" / "inspect_evals" / "evil" / "eval.yaml").write_text("title: x\ntasks: []\n" + BOMB)
    return root


def _huge_eval_wheel(tmp: Path) -> Path:
    data = _zip({"inspect_evals/big/eval.yaml": b"title: big\ntasks: []\ndescription: " + b"x" * (3 * 1024 * 1024)})
    return _write(tmp, "inspect_evals-9.9-py3-none-any.whl", data)


def _huge_cell(tmp: Path) -> Path:
    rows = [["Paper", None, "01.01.00", 1, None, None, None, "Risk Category", "cat", None, "x" * 32_767] + [None] * 8]
    return _write(tmp, "huge.xlsx", workbook_bytes(rows=rows, formula_row=False))


def _entity_bomb(tmp: Path) -> Path:
    """A workbook whose sheet XML declares an entity bomb ("billion laughs")."""
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE worksheet [{lol}]><worksheet><sheetData>&lol9;</sheetData></worksheet>'
    src = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    members = {i.filename: src.read(i) for i in src.infolist()}
    for name in members:
        if name.startswith("xl/worksheets/sheet"):
            members[name] = bomb.encode()
    return _write(tmp, "entities.xlsx", _zip(members))


def _zip_bomb(tmp: Path) -> Path:
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/sheet.xml": b"\0" * 5_000_000}
    return _write(tmp, "bomb.xlsx", _zip(members))


# (id, kind, make the file, substrings the one error must contain)
CASES: list[tuple[str, str, Callable[[Path], Path], list[str]]] = [
    ("atlas yaml bomb", "atlas", lambda t: _write(t, "bomb.yaml", BOMB), ["bomb.yaml:1:", "aliases"]),
    ("atlas deep nesting", "atlas", lambda t: _write(t, "deep.yaml", "a: " + "[" * 5000), ["deep.yaml:1:", "nesting"]),
    (
        "atlas yaml syntax error",
        "atlas",
        lambda t: _write(t, "bad.yaml", "matrices:\n  - id: [unclosed\n"),
        ["bad.yaml:3:", "YAML syntax error"],
    ),
    (
        "atlas truncated",
        "atlas",
        lambda t: _write(t, "cut.yaml", _truncated_atlas()),
        ["cut.yaml:", "YAML syntax error"],
    ),
    (
        "atlas dangling tactic",
        "atlas",
        lambda t: _write(t, "dangling.yaml", _dangling_atlas()),
        ["dangling.yaml:", "record 'AML.T9001'", "tactic 'AML.TA7777'"],
    ),
    ("atlas empty", "atlas", lambda t: _write(t, "empty.yaml", "\n"), ["empty.yaml", "file is empty"]),
    (
        "atlas given a workbook",
        "atlas",
        lambda t: write_workbook(t / "book.xlsx"),
        ["book.xlsx", "zip archive", "not an ATLAS YAML file"],
    ),
    (
        "atlas given an SSSOM table",
        "atlas",
        lambda t: SSSOM_SMALL,
        ["mappings-small.sssom.tsv", "not an ATLAS data file"],
    ),
    ("atlas binary", "atlas", lambda t: _write(t, "bin.yaml", b"id: x\n\xff\xfe\x00\x01"), ["bin.yaml:2", "not UTF-8"]),
    ("atlas missing file", "atlas", lambda t: t / "nope.yaml", ["nope.yaml", "no such file"]),
    ("mit given a YAML file", "mit", lambda t: ATLAS_SMALL, ["atlas-small.yaml", "not an XLSX workbook"]),
    (
        "mit zip of something else",
        "mit",
        lambda t: _write(t, "notes.xlsx", _zip({"notes.txt": b"hello"})),
        ["notes.xlsx", "zip archive but not an XLSX workbook", "notes.txt"],
    ),
    (
        "mit truncated workbook",
        "mit",
        lambda t: _write(t, "cut.xlsx", workbook_bytes()[:3000]),
        ["cut.xlsx", "damaged or truncated"],
    ),
    (
        "mit old xls",
        "mit",
        lambda t: _write(t, "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ["old.xlsx", ".xls"],
    ),
    ("mit huge cell", "mit", _huge_cell, ["huge.xlsx: sheet 'AI Risk Database v3', row 4, column K", "too long"]),
    ("mit zip bomb", "mit", _zip_bomb, ["bomb.xlsx", "zip bomb"]),
    ("mit xml entity bomb", "mit", _entity_bomb, ["entities.xlsx", "cannot read", "Entit"]),
    (
        "mit no database sheet",
        "mit",
        lambda t: _write(
            t,
            "other.xlsx",
            workbook_bytes(sheet="Sheet9", rows=[], formula_row=False, title_rows=0)[:0] or _other_book(),
        ),
        ["other.xlsx", "no sheet has the AI Risk Database header row"],
    ),
    (
        "sssom given ATLAS",
        "sssom",
        lambda t: ATLAS_SMALL,
        ["atlas-small.yaml:", "not an SSSOM mapping table", "subject_id"],
    ),
    (
        "sssom header bomb",
        "sssom",
        lambda t: _write(
            t, "bomb.sssom.tsv", "".join("#" + line + "\n" for line in BOMB.splitlines()) + "subject_id\n"
        ),
        ["bomb.sssom.tsv:1:", "aliases"],
    ),
    (
        "sssom huge cell",
        "sssom",
        lambda t: _write(
            t,
            "big.sssom.tsv",
            "subject_id\tpredicate_id\tobject_id\tmapping_justification\tcomment\n"
            "mit:1.1\tskos:closeMatch\towasp-llm:LLM01\tsemapv:ManualMappingCuration\t" + "y" * 200_000 + "\n",
        ),
        ["big.sssom.tsv:2:5", "field 'comment'", "too long"],
    ),
    (
        "inspect bomb in a checkout",
        "inspect-evals",
        _inspect_bomb,
        ["checkout/src/inspect_evals/evil/eval.yaml:", "aliases"],
    ),
    (
        "inspect huge eval.yaml in a wheel",
        "inspect-evals",
        _huge_eval_wheel,
        ["inspect_evals/big/eval.yaml", "too large"],
    ),
    (
        "inspect given a text file",
        "inspect-evals",
        lambda t: SSSOM_SMALL,
        ["mappings-small.sssom.tsv", "not a readable wheel"],
    ),
]


def _other_book() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["just", "a", "table"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture()
def populated(ws: Path, cli: Callable[..., Result]) -> dict[str, bytes]:
    """A workspace holding one import already; its bytes before the bad import."""
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    before = snapshot(ws)
    assert "manifest.json" in before and ".lock" in before
    return before


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_file_one_clear_error_workspace_unchanged(
    case: tuple[str, str, Callable[[Path], Path], list[str]],
    tmp_path: Path,
    ws: Path,
    cli: Callable[..., Result],
    populated: dict[str, bytes],
) -> None:
    _id, kind, make, expected = case
    path = make(tmp_path)
    result = cli("import", kind, path, "--name", "atlas")  # would replace the existing import
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.exit_code == 1, result.stdout + result.stderr
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0], errors[0]
    assert "Traceback" not in result.stderr
    assert snapshot(ws) == populated


def test_hostile_import_names_are_refused(
    tmp_path: Path, ws: Path, cli: Callable[..., Result], populated: dict[str, bytes]
) -> None:
    for bad in ("../evil", "Evil", "a/b", "", "-x", "x" * 64):
        result = cli("import", "atlas", ATLAS_SMALL, "--name", bad)
        assert result.exit_code != 0
        assert (
            "invalid import name" in result.stderr
            or "Usage" in result.stderr
            or "requires an argument" in result.stderr
        )
    assert snapshot(ws) == populated
    assert not (tmp_path.parent / "evil").exists()


def test_markup_stays_text(fresh_kg: KnowledgeGraph, tmp_path: Path) -> None:
    """Markup in imported text is kept verbatim as data: nothing interprets or strips it."""
    from graph.importers import run_import

    run_import("atlas", ATLAS_SMALL, fresh_kg, workspace=tmp_path / "w")
    run_import("inspect-evals", INSPECT_SMALL, fresh_kg, workspace=tmp_path / "w")
    desc = fresh_kg.select(
        "SELECT ?d WHERE { <https://w3id.org/airisk/id/risk/atlas/AML.T9000> skos:definition ?d }"
    ).values("d")
    assert desc == ['A technique with <b>markup</b> & "quotes" that stays text.']
    desc = fresh_kg.select("SELECT ?d WHERE { test:inspect-fixture-eval dcterms:description ?d }").values("d")
    assert desc == ["Fixture description with <script>alert(1)</script> markup that must stay text."]


def test_wrong_header_order_and_extra_columns_still_read(curated_kg: KnowledgeGraph, tmp_path: Path) -> None:
    """The header row is found by its names, wherever it is and whatever else the sheet has."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Risks"
    ws.append(["Some banner"])
    ws.append([])
    ws.append(["Notes"] + list(reversed(HEADER)))
    ws.append(["n"] + list(reversed(sample_row())))
    path = tmp_path / "reordered.xlsx"
    wb.save(path)
    result = build_import("mit", path, curated_kg)
    assert result.counts["risk entries"] == 1 and result.counts["with a sub-domain"] == 1
    assert result.counts["causal codes"] == 3
