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


def _unwrapped(out: str) -> list[str]:
    """The lines of ``gaps`` after its baseline line, with the wrapped summary joined again."""
    lines = out.splitlines()
    body = [ln for ln in lines if not ln.startswith("Baseline:")]
    head: list[str] = []
    while body and not body[0].startswith("Lens "):
        head.append(body.pop(0))
    return [" ".join(head), *body]


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
    code, out, err = airisk("gaps", "--lens", "every")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Baseline: the whole catalogue (14 test methods")
    lines = _unwrapped(out)
    assert lines[0].startswith(
        "Coverage of lens every by the whole catalogue (14 test methods): 10 of 11 "
        "testable risks assessed (91 %): 4 strong, 6 weak, 1 not assessed; 4 not testable by model evaluation"
    )
    assert lines[1].startswith("Lens every: Every concept of every taxonomy (not deduplicated)")
    assert lines[2].split()[9] == "reason" and lines[4].split()[:2] == ["1", "alpha:1.3"]
    assert "no method at all" in lines[4]
    assert "Not testable by model evaluation (4, not ranked):" in out
    code, out, err = airisk("gaps", "--lens", "every", "--format", "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["alpha:1.3"]["why"] == "no method at all"
    assert rows["alpha:1.1"]["evidence"].startswith("bio-agent (direct); bio-mcq (direct); bio-uplift via mapping")


def test_gaps_default_lens_counts_a_cluster_once_and_explains_each_gap() -> None:
    code, out, err = airisk("gaps", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["lens"]["id"] == "all" and doc["lens"]["n_concepts"] == 14 and doc["lens"]["n_counted"] == 13
    assert [(t["prefix"], t["version"]) for t in doc["lens"]["taxonomies"]] == [("alpha", "1"), ("beta", "2")]
    ids = [r["id"] for r in doc["risks"]]
    cluster = next(r for r in doc["risks"] if "beta:B1" in (r["id"], *r["members"]))
    assert sorted((cluster["id"], *cluster["members"])) == ["alpha:1.1", "beta:B1"]  # exact match: counted once
    assert ids.count("alpha:1.1") + ids.count("beta:B1") == 1
    for r in doc["risks"]:
        assert r["why"]["reason"], r["id"]  # every risk says why
    fraud = next(r for r in doc["risks"] if r["id"] == "alpha:1.3")
    assert fraud["why"]["reason"] == "no method at all" and fraud["why"]["no_public_method"]
    code, out, err = airisk("gaps", "--explain", "beta:B1")
    assert code == 0, err
    assert "cluster (counted once): alpha:1.1, beta:B1" in out and out.count("why: ") == 1
    code, out, err = airisk("gaps", "--explain", "alpha:9")
    assert code == 1 and "'alpha:9' is not a risk of lens 'all'" in err


def test_gaps_reason_names_the_method_that_would_raise_it(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("gaps", "-i", str(inventories["a"]), "--lens", "beta", "--explain", "beta:B1")
    assert code == 0, err
    # inventory a runs bio-mcq and bio-agent (beta:B1 only through the exact match with alpha:1.1)
    assert "why: only indirect evidence, through mappings from alpha:1.1" in out
    assert "would raise it most: bio-uplift (+" in out


def test_gaps_json_per_risk(inventories: dict[str, Path]) -> None:
    code, out, err = airisk(
        "gaps", "--inventory", str(inventories["a"]), "--format", "json", "--top", "3", "--lens", "every"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["inventory"] == "a" and len(doc["risks"]) == 3
    assert doc["summary"]["n_test_methods"] == 3
    for r in doc["risks"]:
        assert {"id", "iri", "label", "taxonomy", "severity", "status", "strength", "gap_score", "evidence"} <= set(r)
    bio = json.loads(airisk("gaps", "-i", str(inventories["a"]), "-f", "json", "--lens", "every")[1])
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
    assert header[:3] == ["rank", "id", "label"] and "why" in header and "would_raise_it" in header
    why = [row[header.index("why")].value for row in wb["gaps"].iter_rows(min_row=2)]
    assert all(why), "every exported risk has its reason"
    about = {row[0].value: row[1].value for row in wb["about"].iter_rows() if row[0].value}
    assert str(about["lens used"]).startswith("Every taxonomy, deduplicated (Alpha fixture taxonomy 1")
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
    assert out.startswith("Baseline: inventory 'a' from ") and "\nLens all: Every taxonomy, deduplicated" in out
    assert "\nAlgorithm: exact (branch and bound" in out
    assert "closes " in out or "raises " in out
    code, out, err = airisk("plan", "--budget", "2", "--format", "json", "--greedy", "--lens", "every")
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
    code, out, err = airisk(
        "compare", str(inventories["a"]), str(inventories["b"]), "--format", "json", "--lens", "every"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["counts"] == {"both": 3, "A only": 2, "B only": 3, "neither": 3, "not testable": 4}
    rows = {r["id"]: r["category"] for r in doc["risks"]}
    # A runs bio and tox tests; B bio, loc and speech tests
    picked = (rows["alpha:1.1"], rows["alpha:2.1"], rows["beta:B4"], rows["beta:B2"])
    assert picked == ("both", "A only", "B only", "neither")
    code, out, err = airisk(
        "compare", str(inventories["a"]), str(inventories["b"]), "--out", str(tmp_path / "c.xlsx"), "--lens", "every"
    )
    assert code == 0 and out.splitlines()[1].startswith(
        "A = a, B = b. Risks covered by both: 3, A only: 2, B only: 3, neither: 3"
    )
    assert load_workbook(tmp_path / "c.xlsx").sheetnames == ["compare", "summary", "about"]


def test_what_if_and_inventory_check(inventories: dict[str, Path]) -> None:
    code, out, err = airisk("what-if", "--add", "bio-uplift", "--inventory", str(inventories["a"]))
    assert code == 0, err
    assert " Adding bio-uplift: total gap" in " ".join(out.split())
    code, _, err = airisk("what-if", "--add", "bio-upliftt")
    assert code == 1 and "'bio-upliftt' matches no test method" in err and "closest: Bio Uplift Study" in err
    code, out, err = airisk("inventory-check", str(inventories["b"]))
    assert code == 0 and "BioMCQ" in out and "name" in out
    code, out, err = airisk("inventory-check", str(inventories["bad"]))
    assert code == 1 and "error: row 3, column 'test_method': 'BioMCX' matches no test method" in err
