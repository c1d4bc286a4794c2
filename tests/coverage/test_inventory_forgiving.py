"""Inventory import as people write inventories by hand: usual header names in any case and
order, near misses accepted on request, and in-house tests mapped by picking risks (saved)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli.main import app
from graph.coverage.report import compute_coverage
from graph.index.data import CoverageData
from graph.inventory.match import load_inventory, read_inventory_bytes
from graph.inventory.model import InHouse
from graph.inventory.saved import open_saved_inventory, save_inventory

from .conftest import BASIC

runner = CliRunner()


@pytest.mark.parametrize(
    "header",
    [
        "test_method,status",
        "Test,Status",
        "TEST NAME,state",
        "status,Benchmark",
        "Eval,Progress",
        "evaluation,STATUS",
        "Method,status",
        "name,status",
        "notes,Test-Method,status",
    ],
)
def test_usual_header_names_in_any_case_and_order(header: str, cov_data: CoverageData) -> None:
    names = [h.strip() for h in header.split(",")]
    test_col = next(i for i, h in enumerate(names) if h.lower() not in ("status", "state", "progress", "notes"))
    status_col = next(i for i, h in enumerate(names) if h.lower() in ("status", "state", "progress"))
    rows = []
    for test, status in (("bio-mcq", "done"), ("Loc Agent", "planned")):
        cells = [""] * len(names)
        cells[test_col], cells[status_col] = test, status
        rows.append(",".join(cells))
    inv, report = read_inventory_bytes(("\n".join([header, *rows]) + "\n").encode(), "x.csv", cov_data)
    assert report.ok, report.lines()
    assert [e.test_id for e in inv.entries] == ["bio-mcq", "loc-agent"]
    assert [e.status for e in inv.entries] == ["done", "planned"]


def test_the_most_specific_test_column_wins(cov_data: CoverageData) -> None:
    text = "Name,Benchmark,status\nAlice,bio-mcq,done\n"
    inv, report = read_inventory_bytes(text.encode(), "x.csv", cov_data)
    assert report.ok and [e.test_id for e in inv.entries] == ["bio-mcq"]
    assert any("'Name' is kept but not used" in i.message for i in report.issues)


def test_a_near_miss_is_an_error_unless_suggestions_are_accepted(tmp_path: Path, cov_data: CoverageData) -> None:
    path = tmp_path / "inv.csv"
    path.write_text("test,status\nBio Uplift Studdy,done\nSomething else entirely,done\n")
    _, report = load_inventory(path, cov_data, strict=False)
    miss = next(i for i in report.errors if i.value == "Bio Uplift Studdy")
    assert miss.candidates[0].startswith("Bio Uplift Study") and miss.candidate_ids[0] == "bio-uplift"
    inv, report = load_inventory(path, cov_data, strict=False, accept_suggestions=True)
    assert [e.test_id for e in inv.entries] == ["bio-uplift"]
    note = next(i for i in report.issues if i.accepted)
    assert note.row == 2 and "read as Bio Uplift Study" in note.message
    # a guess is never accepted: the unrelated name stays an error with its candidates
    assert [i.value for i in report.errors] == ["Something else entirely"]
    # the CLI flag does the same, and says so
    result = runner.invoke(app, ["--data", str(BASIC), "inventory-check", str(path), "--accept-suggestions"])
    assert "read as Bio Uplift Study" in result.stderr and "bio-uplift" in result.stdout


def test_a_chosen_suggestion_and_picked_targets_are_saved_with_the_inventory(
    tmp_path: Path, cov_data: CoverageData
) -> None:
    text = "Benchmark,Status,Notes\nbio-mcq,done,\nBioMCX2,planned,typo\nOur persuasion probe,running,in-house\n"
    choices = {3: "tox-mcq-2"}
    choices_all: dict[int, str | InHouse] = {**choices, 4: InHouse(("alpha:1.3",), (), None)}
    inv, report = read_inventory_bytes(text.encode(), "x.csv", cov_data, name="mine", choices=choices_all)
    assert report.ok, report.lines()
    custom = next(e for e in inv.entries if e.custom)
    assert custom.name == "Our persuasion probe" and custom.risks == ("alpha:1.3",)
    assert inv.entries[1].test_id == choices[3] and inv.entries[1].notes == "typo"
    # the in-house test now covers the risk it was mapped to (nothing else in the file does)
    assert compute_coverage(cov_data, inv).by_id["alpha:1.3"].status != "not assessed"
    without = read_inventory_bytes(text.encode(), "x.csv", cov_data, strict=False, choices=choices)[0]
    assert compute_coverage(cov_data, without).by_id["alpha:1.3"].status == "not assessed"
    # saved and reopened: the same entries, without any choice given again
    path = save_inventory(inv, tmp_path)
    saved = path.read_text(encoding="utf-8-sig")
    assert "alpha:1.3" in saved and choices[3] in saved and "BioMCX2" not in saved
    again = open_saved_inventory("mine", cov_data, tmp_path)
    assert [(e.test_id, e.custom, e.risks) for e in again.entries] == [
        (e.test_id, e.custom, e.risks) for e in inv.entries
    ]
