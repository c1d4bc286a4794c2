"""The airisk CLI: exit codes (0 ok, 1 data/query error, 2 usage) and one clear message, no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def airisk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "graph", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=120
    )


def test_validate_ok(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "validate")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("valid: 0 errors")


def test_validate_invalid_data_exit_1_with_location(tmp_path: Path, fixture_data: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(fixture_data, data)
    f = data / "capabilities.yaml"
    f.write_text(f.read_text().replace("sources: [src-c]", "sources: [src-z]"))
    f.write_text(f.read_text().replace("risk: mit:1.2", "risk: mit:9.9"))
    r = airisk("--data", str(data), "validate")
    assert r.returncode == 1
    assert "error: data/capabilities.yaml:" in r.stderr and "unknown risk 'mit:9.9'" in r.stderr
    assert "Traceback" not in r.stderr
    assert "INVALID: 1 errors" in r.stdout


def test_validate_json(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "validate", "--format", "json")
    out = json.loads(r.stdout)
    assert out["ok"] is True and out["triples"] > 400


def test_stats_json(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "stats", "--format", "json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["classes"]["ar:TestMethod"] == 3 and s["classes"]["ar:RiskCategory"] == 7
    assert s["relations"]["ar:assessesRisk"] == 4 and s["relations"]["skos:closeMatch"] == 1
    assert s["taxonomies"] == {"mit": 5, "nist600": 2}
    assert s["triples"] > 500


def test_query_with_param_and_formats(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "query", "crosswalk", "--param", "risk=nist600:2.1", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows[0]["other"] == "https://w3id.org/airisk/id/risk/mit/4.2" and rows[0]["confidence"] == 0.8
    r = airisk("--data", str(fixture_data), "query", "taxonomies", "-f", "csv")
    assert r.stdout.splitlines()[0].startswith("prefix,title,publisher")
    r = airisk("--data", str(fixture_data), "query", "taxonomies")
    assert "(2 rows)" in r.stdout


def test_query_list(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "query", "--list", "x")
    assert r.returncode == 0 and "crosswalk" in r.stdout and "risk=nist600:2.1" in r.stdout


def test_query_file(tmp_path: Path, fixture_data: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?t WHERE { ?t a ar:TestMethod } ORDER BY ?t")
    r = airisk("--data", str(fixture_data), "query", str(q), "-f", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:] == [
        "https://w3id.org/airisk/id/test-method/bias-bench",
        "https://w3id.org/airisk/id/test-method/cybench",
        "https://w3id.org/airisk/id/test-method/wmdp",
    ]


@pytest.mark.parametrize(
    "text,message",
    [
        ("SELECT ?s WHERE { ?s ?p }", "SPARQL syntax error"),
        ("DELETE WHERE { ?s ?p ?o }", "refused: DELETE WHERE is SPARQL Update"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "refused: SERVICE"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "refused: FROM"),
    ],
)
def test_bad_query_file_exit_1(tmp_path: Path, fixture_data: Path, text: str, message: str) -> None:
    q = tmp_path / "bad.rq"
    q.write_text(text)
    r = airisk("--data", str(fixture_data), "query", str(q))
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and message in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_query_name_exit_1(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "query", "taxonomy")
    assert r.returncode == 1 and "no query named 'taxonomy'" in r.stderr and "did you mean" in r.stderr


def test_bad_param_value_exit_1(fixture_data: Path) -> None:
    r = airisk("--data", str(fixture_data), "query", "crosswalk", "-p", "risk=not a curie")
    assert r.returncode == 1 and "is not a risk CURIE" in r.stderr


def test_usage_errors_exit_2(fixture_data: Path) -> None:
    assert airisk("query").returncode == 2
    assert airisk("export", "--format", "pdf", "--out", "x").returncode == 2
    assert airisk("nosuchcommand").returncode == 2
    r = airisk("--data", str(fixture_data), "query", "crosswalk", "-p", "risk")
    assert r.returncode == 2 and "must be key=value" in r.stderr


def test_export_writes_file(tmp_path: Path, fixture_data: Path) -> None:
    out = tmp_path / "g.ttl"
    r = airisk("--data", str(fixture_data), "export", "--format", "ttl", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("@prefix") and "wrote" in r.stdout


def test_runs_from_any_directory(tmp_path: Path) -> None:
    r = airisk("query", "taxonomies", "-f", "csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "nist600" in r.stdout


def test_global_options_after_the_command(fixture_data: Path) -> None:
    r = airisk("stats", "--format", "json", "--data", str(fixture_data), "-q")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["taxonomies"] == {"mit": 5, "nist600": 2}


def test_hoisting_moves_only_global_options() -> None:
    from graph.cli.base import hoist_global_options

    assert hoist_global_options(["gaps", "--store", "http://x/q", "-f", "json"]) == [
        "--store",
        "http://x/q",
        "gaps",
        "-f",
        "json",
    ]
    assert hoist_global_options(["query", "--data=d", "q", "--", "--store"]) == [
        "--data=d",
        "query",
        "q",
        "--",
        "--store",
    ]
