"""Inventory import (good, messy and bad files), lossless formula-safe export, and saved inventories."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from graph.core.errors import DataError, NotFound
from graph.coverage.report import compute_coverage
from graph.index.data import CoverageData
from graph.inventory.export import export_inventory, inventory_to_csv, inventory_to_xlsx_bytes
from graph.inventory.match import load_inventory, read_inventory_bytes
from graph.inventory.model import Inventory, InventoryEntry
from graph.inventory.saved import (
    delete_saved_inventory,
    import_inventory,
    list_saved_inventories,
    load_costs,
    open_saved_inventory,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def problems(exc: pytest.ExceptionInfo[DataError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def xlsx(rows_by_sheet: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    first = True
    for title, rows in rows_by_sheet.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        first = False
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_cached_formula(data: bytes, cell: str, formula: str, cached: str) -> bytes:
    """Put a formula with a stored value into ``cell`` of the first sheet (as Excel saves it)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                text, n = re.subn(
                    rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)',
                    f'<c r="{cell}" t="str"><f>{formula}</f><v>{cached}</v></c>',
                    text,
                )
                assert n == 1
                body = text.encode()
            dst.writestr(item, body)
    return out.getvalue()


# ---------------------------------------------------------------------------------- good files


def test_smallest_valid_file_is_one_column_headed_test_method(tmp_path: Path, cov_data: CoverageData) -> None:
    inv, report = load_inventory(write(tmp_path, "min.csv", "test_method\nbio-mcq\nToxBench\n"), cov_data)
    assert [e.test_id for e in inv.entries] == ["bio-mcq", "tox-bench"]
    assert (inv.name, report.entries, report.matched, report.ok) == ("min", 2, 2, True)
    assert [e.row for e in inv.entries] == [2, 3]


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("bio-mcq", "id"),
        ("BIO-MCQ", "id"),
        ("biomcq", "name"),
        ("BioMCQ", "name"),
        ("bio-mcq-v2", "alias"),
        ("bio_mcq", "alias"),  # the Inspect task name
        ("test:bio-mcq", "curie"),
        ("https://w3id.org/airisk/id/test-method/bio-mcq", "iri"),
        ("<https://w3id.org/airisk/id/test-method/bio-mcq>", "iri"),
        ("Bio MCQ", "loose"),
        ("  bio-mcq  ", "id"),
    ],
)
def test_rows_match_by_id_iri_name_alias_case_insensitively(
    tmp_path: Path, cov_data: CoverageData, text: str, how: str
) -> None:
    inv, _ = load_inventory(write(tmp_path, "x.csv", f'test_method\n"{text}"\n'), cov_data)
    [e] = inv.entries
    assert (e.test_id, e.matched_by, e.test_method) == ("bio-mcq", how, text.strip())


def test_full_columns_and_custom_tests(tmp_path: Path, cov_data: CoverageData) -> None:
    text = (
        "test_method,status,date,notes,risks,capabilities,method_type,owner\n"
        "bio-mcq,Done,2025-03,first run,,,,alice\n"
        "tox-bench,in progress,2025,,,,,bob\n"
        "Fraud probe,planned,2025-06-30,ours,alpha:1.3; ALPHA:1.1,hacking,agentic-task-suite,carol\n"
    )
    inv, report = load_inventory(write(tmp_path, "full.csv", text), cov_data)
    bio, tox, fraud = inv.entries
    assert (bio.status, bio.date, bio.notes) == ("done", "2025-03", "first run")
    assert (tox.status, tox.date) == ("running", "2025")
    assert (fraud.custom, fraud.risks, fraud.capabilities, fraud.method_type) == (
        True, ("alpha:1.3", "alpha:1.1"), ("hacking",), "agentic-task-suite")  # fmt: skip
    assert (report.matched, report.custom) == (2, 1)
    assert "column 'owner' is kept but not used" in [i.message for i in report.issues]
    assert any("read as a custom test" in i.message and i.row == 4 for i in report.issues)
    rep = compute_coverage(cov_data, inv)
    assert rep.get("alpha:1.3").strength == pytest.approx(2 / 3)


def test_messy_csv_title_rows_bom_semicolons_empty_rows_duplicates(tmp_path: Path, cov_data: CoverageData) -> None:
    text = (
        "\ufeffOur testing programme 2025;;\r\n"
        ";;\r\n"
        "Test Method;Status;Notes\r\n"
        "bio-mcq;done;\r\n"
        ";;\r\n"
        "\r\n"
        "BioMCQ;planned;again\r\n"
        "tox v2;done;loose spelling\r\n"
    )
    inv, report = load_inventory(write(tmp_path, "messy.csv", text), cov_data)
    assert [(e.row, e.test_id) for e in inv.entries] == [(4, "bio-mcq"), (7, "bio-mcq"), (8, "tox-bench")]
    assert (report.header_row, report.empty_rows, report.duplicates) == (3, 2, 1)
    assert inv.preamble == [["Our testing programme 2025", "", ""]]
    [dup] = report.warnings
    assert str(dup) == "row 7, column 'Test Method': 'BioMCQ' repeats row 4; it counts once"
    assert compute_coverage(cov_data, inv).get("alpha:1.1").n_methods == 1


def test_utf16_and_explicit_encoding(tmp_path: Path, cov_data: CoverageData) -> None:
    inv, report = load_inventory(
        write(tmp_path, "u16.csv", "test_method\tnotes\nbio-mcq\tÉté\n".encode("utf-16")), cov_data
    )
    assert (inv.entries[0].notes, report.encoding) == ("Été", "utf-16")
    path = write(tmp_path, "w.csv", "test_method,notes\nbio-mcq,Évaluation\n".encode("cp1252"))
    inv, report = load_inventory(path, cov_data, encoding="cp1252")
    assert inv.entries[0].notes == "Évaluation"


def test_xlsx_with_cover_sheet_title_row_dates_and_numbers(tmp_path: Path, cov_data: CoverageData) -> None:
    data = xlsx({
        "Cover": [["Testing programme"], ["Prepared by the policy team"]],
        "Inventory": [["Programme 2025"], ["test_method", "status", "date", "notes"],
                      ["bio-mcq", "done", dt.datetime(2025, 3, 4), 42], [None, None, None, None],
                      ["ToxBench", "planned", "2025-05", None]],
    })  # fmt: skip
    inv, report = load_inventory(write(tmp_path, "prog.xlsx", data), cov_data)
    assert (report.sheet, report.header_row) == ("Inventory", 2)
    assert [(e.row, e.test_id, e.date, e.notes) for e in inv.entries] == [
        (3, "bio-mcq", "2025-03-04", "42"), (5, "tox-bench", "2025-05", None)]  # fmt: skip
    with pytest.raises(DataError) as exc:
        load_inventory(tmp_path / "prog.xlsx", cov_data, sheet="Missing")
    assert problems(exc) == ["prog.xlsx: no sheet named 'Missing' (sheets: Cover, Inventory)"]


def test_xlsx_formula_with_stored_value_is_read_as_its_value(tmp_path: Path, cov_data: CoverageData) -> None:
    data = with_cached_formula(xlsx({"S": [["test_method"], ["placeholder"]]}), "A2", '"bio-"&amp;"mcq"', "bio-mcq")
    inv, report = load_inventory(write(tmp_path, "f.xlsx", data), cov_data)
    assert inv.entries[0].test_id == "bio-mcq"
    [w] = report.warnings
    assert str(w) == "row 2: cell A2: the formula '=\"bio-\"&\"mcq\"' was replaced by its stored value 'bio-mcq'"


# ---------------------------------------------------------------------------------- bad files


def test_unknown_and_ambiguous_names_are_reported_with_row_and_candidates(
    tmp_path: Path,
    cov_data: CoverageData,
) -> None:
    path = write(tmp_path, "bad.csv", "test_method,status\nbio-mcq,done\nBioMCX,done\nShared Bench,planned\n")
    before = path.read_bytes()
    with pytest.raises(DataError) as exc:
        load_inventory(path, cov_data)
    assert problems(exc) == [
        "bad.csv:3:1, record 'BioMCX', field 'test_method': 'BioMCX' matches no test method in the catalogue; "
        "for a custom test, give the risks or capabilities it targets (hint: closest: BioMCQ (bio-mcq), "
        "Bio Uplift Study (bio-uplift))",
        "bad.csv:4:1, record 'Shared Bench', field 'test_method': 'Shared Bench' matches several test methods "
        "(hint: closest: BioMCQ (bio-mcq), ToxBench (tox-bench))",
    ]
    assert path.read_bytes() == before
    inv, report = load_inventory(path, cov_data, strict=False)  # keep the good rows, report the rest
    assert [e.test_id for e in inv.entries] == ["bio-mcq"]
    assert [(i.row, i.severity) for i in report.errors] == [(3, "error"), (4, "error")]
    assert report.errors[0].candidates[0] == "BioMCQ (bio-mcq)"


def test_wrong_encoding_says_where_and_how_to_fix(tmp_path: Path, cov_data: CoverageData) -> None:
    path = write(tmp_path, "latin.csv", "test_method,notes\nbio-mcq,ok\ntox-bench,Évaluation\n".encode("cp1252"))
    with pytest.raises(DataError) as exc:
        load_inventory(path, cov_data)
    assert problems(exc) == [
        "latin.csv:3:11: the file is not UTF-8: byte 0xc9 cannot be decoded (hint: save it as 'CSV UTF-8' "
        "(Excel: File > Save As > CSV UTF-8), or give its encoding, e.g. --encoding cp1252)"
    ]


def test_formula_without_stored_value_is_refused(tmp_path: Path, cov_data: CoverageData) -> None:
    path = write(tmp_path, "f.xlsx", xlsx({"S": [["test_method", "notes"], ["bio-mcq", "=1+1"]]}))
    with pytest.raises(DataError) as exc:
        load_inventory(path, cov_data)
    assert problems(exc) == [
        "f.xlsx (sheet 'S'):2:2, field 'notes': cell B2 holds the formula '=1+1' and no stored value "
        "(hint: closest: paste values only, then save)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "test_method,status\nbio-mcq,complete-ish\n",
            "x.csv:2:2, record 'complete-ish', field 'status': status 'complete-ish' is not one of planned, running, "
            "done",
        ),
        (
            "test_method,date\nbio-mcq,03/04/2025\n",
            "x.csv:2:2, record '03/04/2025', field 'date': '03/04/2025' is not a date; write YYYY, YYYY-MM or "
            "YYYY-MM-DD",
        ),
        (
            "test_method,risks\nOur probe,alpha:1.9\n",
            "x.csv:2:2, record 'alpha:1.9', field 'risks': unknown risk 'alpha:1.9' (write a CURIE such as mit:4.2) "
            "(hint: closest: alpha:1.1, alpha:1.2, alpha:1.3)",
        ),
        (
            "test_method,capabilities\nOur probe,hackin\n",
            "x.csv:2:2, record 'hackin', field 'capabilities': unknown capability 'hackin' (hint: closest: hacking, "
            "self-exfiltration)",
        ),
        (
            "test_method,risks,method_type\nOur probe,alpha:1.1,red-team\n",
            "x.csv:2:3, record 'red-team', field 'method_type': unknown method type 'red-team' (hint: closest: "
            "expert-red-teaming, agentic-task-suite, static-open-qa)",
        ),
        (
            "test_method,custom\nOur probe,yes\n",
            "x.csv:2:2, field 'custom': a custom test needs the risks or capabilities it targets",
        ),
        ("test_method,status\n,done\n", "x.csv:2:1, field 'test_method': the test method is empty"),
        ("test_method\nbio-mcq,extra\n", "x.csv:2: the row has values beyond the last column (1 columns)"),
        (
            "probe,status\nbio-mcq,done\n",
            "x.csv:1: no column of test methods (first row: 'probe', 'status'); a header such as test_method, "
            "test, tests, test_name, benchmark, benchmarks, benchmark_name, eval, evals, eval_name, evaluation, "
            "evaluations, evaluation_name, method, method_name, name (any case) names it (hint: the smallest "
            "valid file is a CSV with one column headed test_method)",
        ),
        ("", "x.csv: the file is empty"),
    ],
)
def test_bad_cells_and_files(tmp_path: Path, cov_data: CoverageData, text: str, expected: str) -> None:
    with pytest.raises(DataError) as exc:
        load_inventory(write(tmp_path, "x.csv", text), cov_data)
    assert problems(exc) == [expected]


def test_files_that_are_not_tables(tmp_path: Path, cov_data: CoverageData) -> None:
    with pytest.raises(DataError, match="old Excel .xls files cannot be read"):
        load_inventory(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0"), cov_data)
    with pytest.raises(DataError, match="not a readable .xlsx workbook"):
        load_inventory(write(tmp_path, "fake.xlsx", b"test_method\nbio-mcq\n"), cov_data)
    with pytest.raises(NotFound, match="no such inventory file"):
        load_inventory(tmp_path / "missing.csv", cov_data)


# ---------------------------------------------------------------------------------- export


DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "'=already quoted", "''-twice", "\tTab", "plain"]


def test_csv_and_xlsx_exports_round_trip_without_loss(tmp_path: Path, cov_data: CoverageData) -> None:
    tests = ["bio-mcq", "tox-bench", "cyber-ctf", "bio-agent", "tox-qa", "tox-mcq", "loc-agent", "hack-redteam"]
    rows = "\n".join(f'{t},done,2025-0{i + 1},"{n}",,' for i, (t, n) in enumerate(zip(tests, DANGEROUS, strict=True)))
    text = f"Title row,,,,,\ntest_method,status,date,notes,risks,owner\n{rows}\nOur probe,planned,,x,alpha:1.3,me\n"
    first, _ = load_inventory(write(tmp_path, "in.csv", text), cov_data)
    expected_notes = [
        unquote
        for unquote in ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "=already quoted", "'-twice", "Tab", "plain"]
    ]  # fmt: skip  (cells are trimmed: the raw leading tab goes)
    assert [e.notes for e in first.entries[:8]] == expected_notes
    for suffix in (".csv", ".xlsx"):
        out = export_inventory(first, tmp_path / f"out{suffix}")
        again, report = load_inventory(out, cov_data, name=first.name)
        assert report.ok
        assert again.entries == first.entries
        assert (again.columns, again.preamble) == (first.columns, first.preamble)
        out2 = export_inventory(again, tmp_path / f"out2{suffix}")
        if suffix == ".csv":
            assert out2.read_bytes() == out.read_bytes()


def test_exports_never_start_a_formula(cov_data: CoverageData, tmp_path: Path) -> None:
    values = [*DANGEROUS, "\rcarriage", '=HYPERLINK("http://x")']
    inv = Inventory(
        "x",
        [InventoryEntry(v, cells={"test_method": "bio-mcq", "notes": v}) for v in values],
        columns=["test_method", "notes"],
    )
    cells = [c for row in csv.reader(io.StringIO(inventory_to_csv(inv))) for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    wb = load_workbook(io.BytesIO(inventory_to_xlsx_bytes(inv)))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START))
    again, _ = load_inventory(export_inventory(inv, tmp_path / "x.csv"), cov_data)
    assert [e.notes for e in again.entries] == values  # and the exact values come back
    again, _ = load_inventory(export_inventory(inv, tmp_path / "x.xlsx"), cov_data)
    # XML keeps no bare CR: it is written as a line break, which import trims at the ends of a cell
    assert [e.notes for e in again.entries] == [v.replace("\r", "\n").strip() if "\r" in v else v for v in values]


# ---------------------------------------------------------------------------------- saved inventories


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_saved_inventories_and_failed_import_changes_nothing(tmp_path: Path, cov_data: CoverageData) -> None:
    ws = tmp_path / "workspace"
    good = write(tmp_path, "Plan 2025.csv", "test_method,status\nbio-mcq,done\ntox-bench,planned\n")
    inv, report, path = import_inventory(good, cov_data, workspace=ws)
    assert path == ws / "inventories" / "plan-2025.csv"
    assert list_saved_inventories(ws) == ["plan-2025"]
    assert open_saved_inventory("plan-2025", cov_data, ws).entries == load_inventory(path, cov_data)[0].entries
    before = snapshot(ws)
    bad = write(tmp_path, "Plan 2025 v2.csv", "test_method,status\nbio-mcq,done\nnope-bench,done\n")
    with pytest.raises(DataError, match="'nope-bench' matches no test method"):
        import_inventory(bad, cov_data, name="Plan 2025", workspace=ws)
    assert snapshot(ws) == before  # the saved inventory of the same name is untouched, no temp files left
    with pytest.raises(NotFound, match=r"no saved inventory 'other' \(saved: plan-2025\)"):
        open_saved_inventory("other", cov_data, ws)
    delete_saved_inventory("plan-2025", ws)
    assert list_saved_inventories(ws) == []


def test_uploaded_bytes_read_like_files(cov_data: CoverageData) -> None:
    inv, report = read_inventory_bytes(b"test_method\nbio-mcq\n", "upload.csv", cov_data)
    assert (inv.name, inv.entries[0].test_id, report.ok) == ("upload", "bio-mcq", True)


def test_cost_files(tmp_path: Path, cov_data: CoverageData) -> None:
    costs = load_costs(write(tmp_path, "c.csv", 'test_method,cost\nbio-mcq,2\nToxBench,"0,5"\n'), cov_data)
    assert sorted(costs.values()) == [0.5, 2.0]
    with pytest.raises(DataError) as exc:
        load_costs(write(tmp_path, "c2.csv", "test_method,cost\nnope,1\nbio-mcq,-1\n"), cov_data)
    assert [p.message for p in exc.value.problems] == [
        "'nope' matches no test method",
        "cost '-1' is not a positive number",
    ]
