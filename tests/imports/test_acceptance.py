"""After importing ATLAS and MIT: `airisk stats` changes by exactly what was imported; gaps and the app show it."""

from __future__ import annotations

import importlib.util
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from graph.importers.workspace import GRAPHS, list_imports

from .conftest import ATLAS, CURATED, FIXTURES, MIT, need_external
from .workbooks import write_workbook

DCT, SKOS, AR, PROV = (
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
    "https://w3id.org/airisk/ontology#",
    "http://www.w3.org/ns/prov#",
)
SHORT = {"dcterms:": DCT, "skos:": SKOS, "ar:": AR, "prov:": PROV}


def _predicate_counts(ws: Path) -> Counter[str]:
    """How many triples of each predicate the workspace's import files hold."""
    counts: Counter[str] = Counter()
    for path in (ws / GRAPHS).iterdir():
        for line in path.read_text(encoding="utf-8").splitlines():
            counts[line.split(" ", 2)[1][1:-1]] += 1
    return counts


def _iri(short: str) -> str:
    for prefix, ns in SHORT.items():
        if short.startswith(prefix):
            return ns + short[len(prefix) :]
    return short


def test_stats_change_by_exactly_what_was_imported(ws: Path, cli: Callable[..., Result]) -> None:
    need_external()
    before = json.loads(cli("stats", "-f", "json").stdout)
    atlas = json.loads(cli("import", "atlas", ATLAS, "-f", "json").stdout)
    mit = json.loads(cli("import", "mit", MIT, "-f", "json").stdout)
    after = json.loads(cli("stats", "-f", "json").stdout)

    assert after["triples"] - before["triples"] == atlas["triples"] + mit["triples"]
    new_entities = Counter(atlas["entities"]) + Counter(mit["entities"])
    for cls in set(before["classes"]) | set(after["classes"]):
        delta = after["classes"].get(cls, 0) - before["classes"].get(cls, 0)
        assert delta == new_entities[cls.removeprefix("ar:")], cls
    assert new_entities["RiskEntry"] == 1612 and new_entities["RiskCategory"] == 170
    predicates = _predicate_counts(ws)
    for rel in set(before["relations"]) | set(after["relations"]):
        delta = after["relations"].get(rel, 0) - before["relations"].get(rel, 0)
        assert delta == predicates[_iri(rel)], rel
    assert after["taxonomies"]["atlas"] - before["taxonomies"]["atlas"] == 170
    assert {k: v for k, v in after["taxonomies"].items() if k != "atlas"} == {
        k: v for k, v in before["taxonomies"].items() if k != "atlas"
    }
    assert sorted(set(after["graphs"]) - set(before["graphs"])) == [
        "https://w3id.org/airisk/id/graph/import/atlas",
        "https://w3id.org/airisk/id/graph/import/mit",
    ]
    # and removing them brings every figure back
    assert cli("remove", "atlas").exit_code == 0 and cli("remove", "mit").exit_code == 0
    assert json.loads(cli("stats", "-f", "json").stdout) == before


@pytest.mark.skipif(importlib.util.find_spec("graph.coverage") is None, reason="the coverage analysis is not built yet")
def test_gaps_show_the_imported_entities(ws: Path, cli: Callable[..., Result]) -> None:
    need_external()
    before = json.loads(cli("gaps", "-f", "json").stdout)
    assert cli("import", "atlas", ATLAS).exit_code == 0
    assert cli("import", "mit", MIT).exit_code == 0
    after = json.loads(cli("gaps", "-f", "json").stdout)
    ids_before = {r["id"] for r in before["risks"]}
    ids_after = {r["id"] for r in after["risks"]}
    techniques = {i for i in ids_after - ids_before}
    assert len(techniques) == 170 and "atlas:AML.T0051" in techniques and "atlas:AML.T0051.000" in techniques
    assert after["summary"]["by_taxonomy"]["atlas"]["n_risks"] == 186
    # the MIT entries show as documented risk statements under their curated subdomains
    by_id = {r["id"]: r for r in after["risks"]}
    assert all(r["documented_entries"] == 0 for r in before["risks"])
    assert by_id["mit:7.1"]["documented_entries"] > 50 and by_id["mit:4.2"]["documented_entries"] > 20
    assert sum(r["documented_entries"] for r in after["risks"] if r["taxonomy"] == "mit") > 1400
    table = cli("gaps", "--taxonomy", "mit").stdout
    header = next(line for line in table.splitlines() if line.lstrip().startswith("rank"))
    assert "entries" in header
    prompt_injection = next(r for r in after["risks"] if r["id"] == "atlas:AML.T0051")
    assert prompt_injection["label"] == "LLM Prompt Injection" and prompt_injection["mitigated"]
    import yaml

    raw = yaml.safe_load(ATLAS.read_text(encoding="utf-8"))
    expected = {
        "atlas-" + m["id"].lower().replace(".", "-")
        for m in raw["matrices"][0]["mitigations"]
        if "AML.T0051" in {t["id"] for t in m["techniques"]}
    }
    assert set(prompt_injection["mitigations"]) == expected and len(expected) == 6


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with small ATLAS, MIT and inspect_evals imports, served by the app."""
    from graph import KnowledgeGraph
    from graph.importers import run_import

    ws = tmp_path_factory.mktemp("app-ws")
    kg = KnowledgeGraph.load(data=CURATED)
    book = write_workbook(tmp_path_factory.mktemp("book") / "small.xlsx")
    for kind, path in (
        ("atlas", FIXTURES / "atlas-small.yaml"),
        ("mit", book),
        ("inspect-evals", FIXTURES / "inspect-small"),
    ):
        run_import(kind, path, kg, workspace=ws)
    return ws


@pytest.mark.skipif(importlib.util.find_spec("streamlit") is None, reason="the app extra is not installed")
def test_the_app_shows_the_imported_entities(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parents[2] / "app.py"
    if not app.is_file():
        pytest.skip("the app is not built yet")
    monkeypatch.setenv("AIRISK_DATA", str(CURATED))
    monkeypatch.setenv("AIRISK_WORKSPACE", str(app_env))

    def page(name: str, **params: str) -> AppTest:
        at = AppTest.from_file(str(app), default_timeout=60)
        at.switch_page(f"app_pages/{name}.py")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    metrics = {m.label: m.value for m in page("overview").metric}
    curated_categories = 31 + 12 + 16 + 2
    imported = sum(i.entities.get("RiskCategory", 0) for i in list_imports(app_env))
    assert imported == 4 and metrics["Risk categories"] == str(curated_categories + imported)
    assert metrics["Test methods"] == "5"  # 3 curated, 2 new from inspect_evals (wmdp merged into the curated one)

    at = page("explore", id="atlas:AML.T9000")
    assert at.title[0].value == "Fixture Technique One" and at.caption[0].value.startswith("Risk category")
    text = "\n".join(m.value for m in at.markdown)
    assert "MITRE ATLAS 9\\.9\\.0" in text  # cites the import's source record
    assert "\\<b\\>markup\\</b\\>" in text  # markup shown as characters
    at = page("explore", id="mit-entry:01.01.00")
    assert at.title[0].value == "Harm from bias"
    assert "A Fixture Taxonomy of Risks" in "\n".join(m.value for m in at.markdown)
    at = page("explore", id="test:inspect-bbq")
    assert "assesses: 1 risk category" in [e.label for e in at.expander]
    at = page("explore", id="test:inspect-fixture-eval")
    assert at.caption[0].value.startswith("Test method")
    assert not [e.label for e in at.expander if e.label.startswith(("assesses", "measures"))]
    assert "**link status:** unlinked" in "\n".join(m.value for m in at.markdown)  # says so


def test_workspace_env_is_the_tests_own(ws: Path) -> None:
    assert str(ws) == os.environ["AIRISK_WORKSPACE"] and "pytest" in str(ws)
