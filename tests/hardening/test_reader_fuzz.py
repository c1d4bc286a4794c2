"""Property-based fuzzing of every reader of a user's file: the project's own error, or an answer.

Over 10,000 generated inputs in all (bounded in time: each reader gets a fixed number of
examples, no shrinking past a first failure's report), built from real files of each kind and
then broken: random bytes, byte flips, truncation, other encodings and byte-order marks, zip
containers with broken or hostile members, YAML and TSV with structure cut or duplicated. Every
input must either read or raise :class:`~graph.errors.AiriskError` whose problems name the file;
any other exception is a failure.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from graph.core.errors import AiriskError, DataError

ROOT = Path(__file__).resolve().parents[2]
IMPORT_FIXTURES = ROOT / "tests" / "fixtures" / "imports"

FAST = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

INVENTORY_CSV = (
    b"test_method,status,date,notes,risks\r\n"
    b"wmdp,done,2025-01-02,first run,\r\n"
    b"Cybench,planned,,,\r\n"
    b'our red team,running,2025-03-04,"quoted, with comma",mit:4.2\r\n'
)


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


INVENTORY_XLSX = _xlsx([["test_method", "status", "notes"], ["wmdp", "done", "x"], ["=1+1", "planned", None]])


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` with a few random edits: flips, insertions, deletions, truncation, a prefix."""
    data = bytearray(base)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[i:]
        else:
            data[i:i] = data[i : i + draw(st.integers(1, 64))]
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"PK\x03\x04"]))
    return prefix + bytes(data)


@st.composite
def encoded_text(draw: st.DrawFn) -> bytes:
    """Text tables in odd encodings, sometimes cut mid-character."""
    text = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
    table = "test_method,status\n" + text
    enc = draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]))
    data = table.encode(enc, errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def hostile_zip(draw: st.DrawFn) -> bytes:
    """A zip container that claims to be a workbook: members broken, missing, compressed wrongly."""
    with zipfile.ZipFile(io.BytesIO(INVENTORY_XLSX)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    names = sorted(members)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        op = draw(st.sampled_from(["drop", "garbage", "truncate", "entity", "utf16"]))
        if op == "drop":
            members.pop(name, None)
        elif op == "garbage":
            members[name] = draw(st.binary(max_size=64))
        elif op == "truncate" and name in members:
            members[name] = members[name][: draw(st.integers(0, len(members[name])))]
        elif op == "entity":
            members[name] = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;&e;</a>'
        elif name in members:
            members[name] = members[name].decode("utf-8", "replace").encode("utf-16")
    buf = io.BytesIO()
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buf, "w", method) as out:
        for name, data in members.items():
            out.writestr(name, data)
    raw = bytearray(buf.getvalue())
    if draw(st.booleans()) and len(raw) > 40:  # corrupt compressed data inside a member (zlib errors)
        i = draw(st.integers(30, len(raw) - 1))
        raw[i] ^= 0xFF
    return bytes(raw)


def _check(exc: BaseException, name: str) -> None:
    assert isinstance(exc, AiriskError), f"{type(exc).__name__}: {exc}"
    if isinstance(exc, DataError):
        assert any(name in str(p.location) or name in p.message for p in exc.problems), str(exc)


@pytest.fixture(scope="module")
def source(fixture_kg):  # type: ignore[no-untyped-def]
    from graph.index.data import gather as coverage_data

    return coverage_data(fixture_kg)


def _read_inventory(data: bytes, name: str, source) -> None:  # type: ignore[no-untyped-def]
    from graph.inventory.match import read_inventory_bytes

    try:
        read_inventory_bytes(data, name, source, strict=False)
    except Exception as exc:  # noqa: BLE001 - the property under test: only the project's errors escape
        _check(exc, name)


def test_csv_inventories_random_bytes(source) -> None:  # type: ignore[no-untyped-def]
    @settings(FAST, max_examples=3000)
    @given(st.binary(max_size=300), st.sampled_from(["x.csv", "x.tsv", "x.txt"]))
    def prop(data: bytes, name: str) -> None:
        _read_inventory(data, name, source)

    prop()


def test_csv_inventories_mutated_and_encoded(source) -> None:  # type: ignore[no-untyped-def]
    @settings(FAST, max_examples=2500)
    @given(st.one_of(mutated(INVENTORY_CSV), encoded_text()), st.sampled_from(["inv.csv", "inv.tsv"]))
    def prop(data: bytes, name: str) -> None:
        _read_inventory(data, name, source)

    prop()


def test_xlsx_inventories(source) -> None:  # type: ignore[no-untyped-def]
    @settings(FAST, max_examples=1500)
    @given(st.one_of(mutated(INVENTORY_XLSX), hostile_zip(), st.binary(max_size=200)))
    def prop(data: bytes) -> None:
        _read_inventory(data, "inv.xlsx", source)

    prop()


# ------------------------------------------------------------------------------ importers
IMPORTERS = [
    ("atlas", IMPORT_FIXTURES / "atlas-small.yaml", "ATLAS.yaml", 1000),
    ("sssom", IMPORT_FIXTURES / "mappings-small.sssom.tsv", "m.sssom.tsv", 1000),
]


@pytest.mark.parametrize(("kind", "fixture", "name", "examples"), IMPORTERS, ids=[k for k, *_ in IMPORTERS])
def test_importers_on_broken_files(fixture_kg, kind: str, fixture: Path, name: str, examples: int) -> None:  # type: ignore[no-untyped-def]
    from graph.importers import build_import

    base = fixture.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name

        @settings(FAST, max_examples=examples)
        @given(st.one_of(mutated(base), st.binary(max_size=200)))
        def prop(data: bytes) -> None:
            path.write_bytes(data)
            try:
                build_import(kind, path, fixture_kg, name="fuzz")
            except Exception as exc:  # noqa: BLE001 - the property under test
                _check(exc, name)

        prop()


def test_mit_workbook_importer_on_broken_workbooks(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    from imports.workbooks import workbook_bytes

    from graph.importers import build_import

    base = workbook_bytes()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mit.xlsx"

        @settings(FAST, max_examples=800)
        @given(st.one_of(mutated(base), st.binary(max_size=200)))
        def prop(data: bytes) -> None:
            path.write_bytes(data)
            try:
                build_import("mit", path, fixture_kg, name="fuzz")
            except Exception as exc:  # noqa: BLE001 - the property under test
                _check(exc, "mit.xlsx")

        prop()


def test_inspect_evals_importer_on_broken_metadata(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from graph.importers import build_import

    source = IMPORT_FIXTURES / "inspect-small"
    base = (source / "wmdp" / "eval.yaml").read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "evals"
        shutil.copytree(source, root)
        target = root / "wmdp" / "eval.yaml"

        @settings(FAST, max_examples=700)
        @given(st.one_of(mutated(base), st.binary(max_size=200)))
        def prop(data: bytes) -> None:
            target.write_bytes(data)
            try:
                build_import("inspect-evals", root, fixture_kg, name="fuzz")
            except Exception as exc:  # noqa: BLE001 - the property under test
                _check(exc, "evals")

        prop()


def test_the_fuzz_budget_is_at_least_10000_inputs() -> None:
    """The examples of every fuzz test above add up to the 10,000 the issue asks for."""
    import ast

    tree = ast.parse(Path(__file__).read_text())
    budgets = [
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "max_examples" and isinstance(kw.value, ast.Constant)
    ]
    examples = sum(budgets) + sum(n for *_, n in IMPORTERS)
    assert examples >= 10_000, examples


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        ("x.csv", b"\xff\xfea", "x.csv:1:3"),  # a UTF-16 byte-order mark and half a character
        ("x.xlsx", b"PK\x03\x04" + b"\x00" * 40, "x.xlsx"),  # a zip header and nothing behind it
        ("x.xlsx", _xlsx([["test_method"], ["wmdp"]])[:-30], "x.xlsx"),  # a workbook cut short
        ("x.tsv", 'test_method\tstatus\n"wmdp\tdone\n'.encode("utf-16"), "x.tsv"),
    ],
)
def test_cli_inventory_check_of_a_hostile_file_is_one_clear_error(
    tmp_path: Path, name: str, data: bytes, where: str
) -> None:
    import subprocess
    import sys

    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "graph",
            "--data",
            str(ROOT / "tests" / "fixtures" / "kg"),
            "inventory-check",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and "error: " in out.stderr, out.stderr
    assert where in out.stderr
