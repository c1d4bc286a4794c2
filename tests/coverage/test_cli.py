"""The coverage commands of the airisk CLI on the fixture graph (real app, in process)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from graph.cli.main import app

from .conftest import BASIC

runner = CliRunner()
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def airisk(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(BASIC), *args], env={"COLUMNS": "220"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def inventories(tmp_path: Path) -> dict[str, Path]:
    files = {
        "a": "test_method,status\nbio-mcq,done\nbio-agent,done\ntox-bench,planned\n",
        "b": "test_method,status\nBioMCQ,done\nloc-agent,running\nspeech-mcq,done\n",
        "bad": "test_method\nbio-mcq\nBioMCX\n",
        "cost": "test_method,cost\nbio-uplift,3\nbio-agent,1\n",
    }
    out = {}
    for name, text in files.items():
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text)
    return out


def test_gaps_table(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("gaps")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Baseline: the whole catalogue (14 test methods")
    assert lines[1].startswith(
        "Coverage of every taxonomy by the whole catalogue (14 test methods): 10 of 11 "
        "applicable risks assessed (91 %): 6 strong, 4 weak, 1 not assessed"
    )
    first_row = next(i for i, line in enumerate(lines) if line.startswith("─")) + 1
    assert lines[first_row].split()[:2] == ["1", "alpha:1.3"]
    assert "bio-agent, bio-mcq, bio-uplift (map)" in out


def test_gaps_json_per_risk(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("gaps", "--inventory", str(inventories["a"]), "--format", "json", "--top", "3")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["inventory"] == "a" and len(doc["risks"]) == 3
    assert doc["summary"]["n_test_methods"] == 3
    for r in doc["risks"]:
        assert {"id", "iri", "label", "taxonomy", "severity", "status", "strength", "gap_score", "evidence"} <= set(r)
    bio = json.loads(airisk("gaps", "-i", str(inventories["a"]), "-f", "json")[1])
    alpha11 = next(r for r in bio["risks"] if r["id"] == "alpha:1.1")
    assert alpha11["status"] == "assessed: strong"
    assert sorted((e["test_id"], e["path"]) for e in alpha11["evidence"]) == [
        ("bio-agent", "direct"),
        ("bio-mcq", "direct"),
    ]


def test_gaps_csv_and_taxonomy_filter() -> None:
    code, out, err = airisk("gaps", "--taxonomy", "beta", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["beta:B3", "beta:B2", "beta:B4", "beta:B1"]
    assert rows[0]["status"] == "assessed: weak"
    code, _, err = airisk("gaps", "--taxonomy", "gamma")
    assert code == 1 and err.startswith("error: no taxonomy with prefix 'gamma'")


def test_gaps_xlsx_export_is_formula_safe(tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    code, _, err = airisk("gaps", "--out", str(out))
    assert code == 0, err
    wb = load_workbook(out)
    assert wb.sheetnames == ["gaps", "evidence", "matrix", "about"]
    header = [c.value for c in wb["gaps"][1]]
    assert header[:3] == ["rank", "id", "label"]
    assert wb["gaps"]["B2"].value == "alpha:1.3"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START))


def test_gaps_with_a_bad_inventory_fails_with_the_row(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("gaps", "--inventory", str(inventories["bad"]))
    assert code == 1 and out == ""
    assert err.startswith("error: bad.csv:3:1, record 'BioMCX', field 'test_method': 'BioMCX' matches no test method")
    assert "closest: BioMCQ (bio-mcq)" in err and "Traceback" not in err
    code, out, err = airisk("gaps", "--inventory", str(inventories["bad"]), "--skip-unmatched")
    assert code == 0
    assert "warning: bad.csv: row 3, column 'test_method': 'BioMCX' matches no test method" in err


def test_plan(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("plan", "--budget", "2", "--inventory", str(inventories["a"]))
    assert code == 0, err
    assert out.startswith("Baseline: inventory 'a' from ") and "\nAlgorithm: exact (branch and bound" in out
    code, out, err = airisk("plan", "--budget", "2", "--format", "json", "--greedy")
    doc = json.loads(out)
    assert doc["algorithm"] == "greedy (lazy evaluation)" and len(doc["steps"]) == 2
    assert doc["steps"][0]["test_id"] == "bio-agent"
    assert doc["total_gain"] == pytest.approx(sum(s["gain"] for s in doc["steps"]))
    code, out, err = airisk("plan", "--budget", "3", "--cost", str(inventories["cost"]), "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["cost_total"] <= 3
    assert airisk("plan", "--budget", "0")[0] == 2
    code, _, err = airisk("plan", "--budget", "1.5")
    assert code == 2 and "whole number" in err


def test_compare(inventories: dict[str, Path], tmp_path: Path) -> None:
    code, out, err = airisk("compare", str(inventories["a"]), str(inventories["b"]), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["counts"] == {"both": 3, "A only": 2, "B only": 3, "neither": 3, "not applicable": 4}
    rows = {r["id"]: r["category"] for r in doc["risks"]}
    # A runs bio and tox tests; B bio, loc and speech tests
    picked = (rows["alpha:1.1"], rows["alpha:2.1"], rows["beta:B4"], rows["beta:B2"])
    assert picked == ("both", "A only", "B only", "neither")
    code, out, err = airisk("compare", str(inventories["a"]), str(inventories["b"]), "--out", str(tmp_path / "c.xlsx"))
    assert code == 0 and out.startswith("A = a, B = b. Risks covered by both: 3, A only: 2, B only: 3, neither: 3")
    assert load_workbook(tmp_path / "c.xlsx").sheetnames == ["compare", "summary", "about"]


def test_what_if_and_inventory_check(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("what-if", "--add", "bio-uplift", "--inventory", str(inventories["a"]))
    assert code == 0, err
    assert out.startswith("Baseline: inventory 'a' from ") and " Adding bio-uplift: total gap" in out
    code, _, err = airisk("what-if", "--add", "bio-upliftt")
    assert code == 1 and "'bio-upliftt' matches no test method" in err and "closest: Bio Uplift Study" in err
    code, out, err = airisk("inventory-check", str(inventories["b"]))
    assert code == 0 and "BioMCQ" in out and "name" in out
    code, out, err = airisk("inventory-check", str(inventories["bad"]))
    assert code == 1 and "error: row 3, column 'test_method': 'BioMCX' matches no test method" in err
