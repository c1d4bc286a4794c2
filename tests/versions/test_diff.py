"""Taxonomy versions: the version links in the graph, ``diff_schemes`` and ``airisk diff``.

Fixture ``tests/fixtures/versions``: taxonomy ``mit2`` revises ``mit`` with one concept of each
kind of change (same, renamed, moved, split in two, two merged into one, one added) and leaves
``mit:4`` undeclared (matched by code).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from graph.cli.main import app
from graph.core.errors import NotFound
from graph.coverage.export import report_to_xlsx_bytes
from graph.coverage.report import compute_coverage
from graph.coverage.versions import SchemeDiff, diff_schemes, list_versions
from graph.store.kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "fixtures" / "versions"


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(data=DATA)


@pytest.fixture(scope="module")
def diff(kg: KnowledgeGraph) -> SchemeDiff:
    return diff_schemes(kg, "mit", "mit2")


def rows(d: SchemeDiff) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]:
    return {f"{c.kind} {' '.join(c.old) or '-'}": (tuple(c.old), tuple(c.new), c.basis) for c in d.changes}


def test_every_kind_of_change_is_listed_with_its_basis(diff: SchemeDiff) -> None:
    got = rows(diff)
    assert got == {
        "added -": ((), ("mit2:7",), "none"),
        "renamed mit:1.1": (("mit:1.1",), ("mit2:1.1",), "declared"),
        "moved mit:1.2": (("mit:1.2",), ("mit2:4.3",), "declared"),
        "merged mit:6 mit:6.1": (("mit:6", "mit:6.1"), ("mit2:6",), "declared"),
        "split mit:4.2": (("mit:4.2",), ("mit2:4.2a", "mit2:4.2b"), "declared"),
        "same mit:1": (("mit:1",), ("mit2:1",), "declared"),
        "same mit:4": (("mit:4",), ("mit2:4",), "code"),
    }
    assert diff.declared and diff.old_version == "1" and diff.new_version == "2"
    assert diff.counts() == {
        "added": 1,
        "removed": 0,
        "renamed": 1,
        "moved": 1,
        "merged": 1,
        "split": 1,
        "redefined": 0,
        "same": 2,
    }
    renamed = next(c for c in diff.changes if c.kind == "renamed")
    assert renamed.old_labels == ["Unfair discrimination"] and renamed.new_labels == ["Unfair treatment"]
    assert renamed.note == "New name for the same harm." and renamed.sources == ["src:src-a"]


def test_mappings_follow_the_successors(diff: SchemeDiff) -> None:
    fates = {(f.old, f.relation, f.other): (f.status, f.new) for f in diff.mappings}
    # nist600:2.1 closeMatch mit:4.2 is curated again for mit2:4.2a (one half of the split)
    assert fates[("mit:4.2", "skos:closeMatch", "nist600:2.1")] == ("carried", ["mit2:4.2a"])
    # nist600:2.2 relatedMatch mit:1.2: nobody mapped the moved concept mit2:4.3 yet
    assert fates[("mit:1.2", "skos:relatedMatch", "nist600:2.2")] == ("not carried", ["mit2:4.3"])
    assert diff.fate_counts(diff.mappings) == {"carried": 1, "not carried": 1, "new": 0}


def test_test_method_links_follow_the_successors(diff: SchemeDiff) -> None:
    fates = {(f.old, f.relation, f.other): (f.status, f.new) for f in diff.links}
    assert fates[("mit:4.2", "test method assesses", "test:cybench")] == ("carried", ["mit2:4.2b"])
    assert fates[("mit:4.2", "test method assesses", "test:wmdp")] == ("not carried", ["mit2:4.2a", "mit2:4.2b"])
    assert fates[("mit:1.1", "test method assesses", "test:bias-bench")][0] == "not carried"


def test_coverage_of_old_and_new_concepts(diff: SchemeDiff) -> None:
    cov = {c.old: (c.old_state, c.new, c.new_states) for c in diff.coverage}
    state, new, states = cov["mit:4.2"]
    assert state.startswith("assessed") and new == ["mit2:4.2a", "mit2:4.2b"]
    # 4.2a only through the mapping from nist600:2.1 (WMDP), 4.2b directly (Cybench): both weak
    assert states == ["assessed: weak", "assessed: weak"]
    assert cov["mit:1.1"][2] == ["not assessed"]


def test_the_graph_holds_the_version_links_with_evidence(kg: KnowledgeGraph) -> None:
    assert kg.ask(
        "ASK { scheme:mit2 prov:wasRevisionOf scheme:mit ; dcterms:replaces scheme:mit . "
        "scheme:mit dcterms:isReplacedBy scheme:mit2 }"
    )
    res = kg.select(
        """SELECT ?k ?note ?src WHERE { mit2:4.2b prov:wasRevisionOf mit:4.2 .
             ?ax owl:annotatedSource mit2:4.2b ; owl:annotatedProperty prov:wasRevisionOf ;
                 owl:annotatedTarget mit:4.2 ; ar:changeKind ?k ; rdfs:comment ?note ; dcterms:source ?src }"""
    )
    assert [(r["k"].value, str(r["note"]), r["src"].value) for r in res.rows] == [
        (
            "https://w3id.org/airisk/ontology#Split",
            "Cyber part of the old subdomain.",
            "https://w3id.org/airisk/id/source/src-a",
        )
    ]
    versions = {v.prefix: v for v in list_versions(kg)}
    assert versions["mit2"].revises == "mit" and versions["mit"].revises is None and versions["mit2"].version == "2"


def test_undeclared_successions_fall_back_to_code_and_label(kg: KnowledgeGraph) -> None:
    d = diff_schemes(kg, "mit", "nist600", coverage=False)
    assert not d.declared and "does not declare" in d.basis_note
    assert {c.basis for c in d.changes} == {"none"}  # no shared code or label: all removed and added
    back = diff_schemes(kg, "mit2", "mit", coverage=False)  # the wrong way round: not declared either
    assert not back.declared
    assert {c.basis for c in back.changes if c.kind != "added" and c.kind != "removed"} <= {"code", "label"}
    same_code = {c.old[0]: c.kind for c in back.changes if c.basis == "code"}
    assert same_code["mit2:1.1"] == "renamed" and same_code["mit2:1"] == "same"


def test_unknown_taxonomy_is_one_clear_error(kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFound, match="no taxonomy with prefix 'nope'"):
        diff_schemes(kg, "mit", "nope")
    with pytest.raises(NotFound, match="give two different taxonomies"):
        diff_schemes(kg, "mit", "mit")


def test_cli_diff_table_json_and_errors() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["--data", str(DATA), "diff", "mit", "mit2"])
    assert out.exit_code == 0, out.output
    assert "mit2 declares that it revises mit" in out.output and "split" in out.output
    assert "1 merged" in out.output and "mappings: 1 carried over, 1 not carried over" in out.output
    js = runner.invoke(app, ["--data", str(DATA), "diff", "mit", "mit2", "--format", "json", "--no-coverage"])
    doc = json.loads(js.output)
    assert doc["counts"]["split"] == 1 and doc["new"] == {"taxonomy": "mit2", "version": "2"}
    cov = runner.invoke(app, ["--data", str(DATA), "diff", "mit", "mit2", "--show", "coverage", "-f", "csv"])
    assert cov.output.splitlines()[0] == "old,old coverage,new,new coverage"
    bad = runner.invoke(app, ["--data", str(DATA), "diff", "mit", "nope"])
    assert bad.exit_code == 1 and "error: no taxonomy with prefix 'nope'" in bad.output
    assert "Traceback" not in bad.output


def test_coverage_names_the_versions_it_uses(kg: KnowledgeGraph) -> None:

    report = compute_coverage(kg, taxonomy="mit2")
    assert report.versions == {"mit2": ("Fixture domain taxonomy", "2")}
    assert report.to_json()["versions"] == {"mit2": {"title": "Fixture domain taxonomy", "version": "2"}}
    both = compute_coverage(kg)
    assert both.versions["mit"][1] == "1" and both.versions["mit2"][1] == "2"
    book = openpyxl.load_workbook(io.BytesIO(report_to_xlsx_bytes(report)), read_only=True)
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True) if row and row[0]}
    assert about["taxonomy versions"] == "mit2 (2)"
    out = CliRunner().invoke(app, ["--data", str(DATA), "gaps", "--taxonomy", "mit2"])
    assert "Taxonomy versions: mit2 (2)." in " ".join(out.output.split())
