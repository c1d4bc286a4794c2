"""``airisk gaps/plan/what-if/compare`` over published practice, on the reports fixture (real CLI, in process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli.main import app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
runner = CliRunner()


def airisk(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(FIXTURE), *args], env={"COLUMNS": "220"})
    return result.exit_code, result.stdout, result.stderr


def test_gaps_practice_names_the_baseline_and_counts_only_reported_methods() -> None:
    code, out, err = airisk("gaps", "--practice", "--org", "uk-aisi")
    assert code == 0, err
    assert out.startswith("Baseline: practice (org uk-aisi) (2 test methods).")
    assert "Coverage of lens all by published practice (org uk-aisi) (2 test methods)" in out
    code, out, _ = airisk("gaps")
    assert "by the whole catalogue (4 test methods)" in out


def test_gaps_practice_json_has_the_reports_behind_the_evidence() -> None:
    code, out, err = airisk("gaps", "--practice", "--since", "2025-01", "--lens", "nist600", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["inventory"] == "practice (2025-01..)"
    risk = {r["id"]: r for r in doc["risks"]}["nist600:2.1"]
    direct = {e["test_id"]: e["reports"] for e in risk["evidence"] if e["path"] == "direct"}
    assert direct == {"bio-red-team": ["z-eval-x-2025", "us-x2-2025"], "wmdp": ["us-x2-2025"]}
    assert risk["status"] != "not assessed"
    code, out, err = airisk("gaps", "--practice", "--since", "2025-01", "--lens", "mit", "--format", "json")
    # bias-bench is in the catalogue, but no report ran it
    assert {r["id"]: r for r in json.loads(out)["risks"]}["mit:1.1"]["status"] == "not assessed"


@pytest.mark.parametrize(
    ("args", "n_methods"),
    [
        (["--tester", "developer"], 1),
        (["--tester", "independent"], 3),
        (["--open-weights"], 1),
        (["--closed-weights"], 3),
        (["--model", "model-x2"], 2),
        (["--until", "2024"], 2),
    ],
)
def test_each_filter_option(args: list[str], n_methods: int) -> None:
    code, out, err = airisk("gaps", *args)
    assert code == 0, err
    counted = f"({n_methods} test method{'' if n_methods == 1 else 's'})"
    assert out.splitlines()[0].startswith("Baseline: practice") and counted in out.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gaps", "--tester", "thirdparty"], "unknown tester kind 'thirdparty'"),
        (["gaps", "--org", "nobody"], "no report names 'nobody' as a tester"),
        (["gaps", "--since", "2025-13"], "--since '2025-13' is not a date"),
        (["gaps", "--since", "2026", "--until", "2025"], "--until 2025 is before --since 2026"),
        (["compare", "--practice-a", "sinse=2024", "--practice-b", ""], "unknown key 'sinse'"),
        (["compare", "--practice-a", "org=uk-aisi"], "compare needs two sides"),
    ],
)
def test_bad_practice_options_are_usage_errors(args: list[str], message: str) -> None:
    code, out, err = airisk(*args)
    assert code == 2
    assert message in err and "Traceback" not in err + out


def test_practice_and_inventory_exclude_each_other(tmp_path: Path) -> None:
    inv = tmp_path / "inv.csv"
    inv.write_text("test_method\nwmdp\n")
    code, _, err = airisk("gaps", "--inventory", str(inv), "--practice")
    assert code == 2 and "not both" in err


def test_plan_from_practice_recommends_an_unreported_method() -> None:
    code, out, err = airisk("plan", "--practice", "-k", "1", "--format", "json")
    assert code == 0, err
    assert [s["test_id"] for s in json.loads(out)["steps"]] == ["bias-bench"]


def test_what_if_from_practice() -> None:
    code, out, err = airisk("what-if", "--practice", "--tester", "developer", "--add", "bio-red-team")
    assert code == 0, err
    assert "Adding bio-red-team: total gap" in out


def test_compare_uk_and_us_practice_and_years() -> None:
    code, out, err = airisk(
        "compare", "--practice-a", "org=uk-aisi", "--practice-b", "org=us-aisi", "--lens", "nist600", "-f", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["a"], doc["b"]) == ("practice (org uk-aisi)", "practice (org us-aisi)")
    row = {r["id"]: r for r in doc["risks"]}["nist600:2.1"]
    assert "bio-red-team" in row["only_b_tests"]
    code, out, err = airisk("compare", "--practice-a", "since=2024,until=2024", "--practice-b", "since=2025,until=2025")
    assert code == 0, err
    assert "A = practice (2024..2024), B = practice (2025..2025)." in out


def test_compare_an_inventory_file_with_practice(tmp_path: Path) -> None:
    inv = tmp_path / "ours.csv"
    inv.write_text("test_method\nbias-bench\n")
    code, out, err = airisk("compare", str(inv), "--practice-b", "")
    assert code == 0, err
    assert "A = ours, B = practice." in out
