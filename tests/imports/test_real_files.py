"""The real public files in ../shared/external import with the expected counts, linked to the curated graph."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from graph import KnowledgeGraph
from graph.core.namespaces import risk_iri
from graph.importers import build_import, run_import
from graph.importers.common import ImportResult

from .conftest import ATLAS, CURATED, INSPECT, MIT, need_external

ENTRY = "https://w3id.org/airisk/id/risk-entry/mit/01.01.00"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeGraph, dict[str, ImportResult]]:
    """ATLAS, MIT and inspect_evals imported into one workspace and one graph (fixture curated data)."""
    need_external()
    kg = KnowledgeGraph.load(data=CURATED)
    ws = tmp_path_factory.mktemp("real-ws")
    results = {}
    for kind, path in (("atlas", ATLAS), ("mit", MIT), ("inspect-evals", INSPECT)):
        results[kind] = run_import(
            kind, path, kg, workspace=ws, source_version="0.26.0" if kind == "inspect-evals" else None
        ).result
    return kg, results


def values(kg: KnowledgeGraph, query: str, var: str = "x") -> set[str]:
    return {str(v) for v in kg.select(query).values(var)}


# ------------------------------------------------------------------------------------------ ATLAS
def test_atlas_every_tactic_technique_and_mitigation(imported: tuple[KnowledgeGraph, dict[str, ImportResult]]) -> None:
    kg, results = imported
    raw = yaml.safe_load(ATLAS.read_text(encoding="utf-8"))  # read independently of the importer
    matrix = raw["matrices"][0]
    tactics = {t["id"] for t in matrix["tactics"]}
    techniques = {t["id"]: t for t in matrix["techniques"]}
    subs = {i for i, t in techniques.items() if "subtechnique-of" in t}
    mitigations = {m["id"]: {t["id"] for t in m["techniques"]} for m in matrix["mitigations"]}
    assert (len(tactics), len(techniques) - len(subs), len(subs), len(mitigations)) == (16, 101, 69, 35)
    assert len(raw["case-studies"]) == 57
    counts = results["atlas"].counts
    assert counts["tactics"] == 16 and counts["tactics already curated"] == 16
    assert (counts["techniques"], counts["sub-techniques"], counts["mitigations"], counts["case studies"]) == (
        101,
        69,
        35,
        57,
    )
    assert counts["mitigation links"] == sum(len(v) for v in mitigations.values())
    assert results["atlas"].source.version == "5.6.0" and results["atlas"].source.licence == "Apache-2.0"

    in_scheme = values(kg, "SELECT ?x WHERE { ?x a ar:RiskCategory ; skos:inScheme scheme:atlas }")
    assert {str(risk_iri("atlas", i)) for i in tactics | set(techniques)} == in_scheme
    # tactics keep their curated IRIs: one concept each, not a second copy
    labels = kg.select(f"SELECT ?l WHERE {{ <{risk_iri('atlas', 'AML.TA0002')}> rdfs:label ?l }}").values("l")
    assert labels == ["Reconnaissance"]
    # techniques under their tactics, sub-techniques under their parent technique
    broader = kg.select(f"SELECT ?b WHERE {{ <{risk_iri('atlas', 'AML.T0051')}> skos:broader ?b }}").values("b")
    assert broader == [str(risk_iri("atlas", t)) for t in techniques["AML.T0051"]["tactics"]]
    sub = risk_iri("atlas", "AML.T0051.000")
    assert kg.select(f"SELECT ?b WHERE {{ <{sub}> skos:broader ?b }}").values("b") == [
        str(risk_iri("atlas", "AML.T0051"))
    ]
    # every mitigation mitigates exactly the techniques it lists, each link with evidence citing the import
    rows = kg.select(
        """SELECT ?code ?t WHERE { ?m a ar:Mitigation ; skos:notation ?code ; ar:mitigatesRisk ?t .
             ?ax owl:annotatedSource ?m ; owl:annotatedProperty ar:mitigatesRisk ; owl:annotatedTarget ?t ;
                 dcterms:source <https://w3id.org/airisk/id/source/import/atlas> . }"""
    ).records()
    got: dict[str, set[str]] = {}
    for r in rows:
        got.setdefault(r["code"], set()).add(r["t"].rsplit("/", 1)[1])
    assert got == mitigations


def test_atlas_reimport_is_idempotent(curated_kg: KnowledgeGraph) -> None:
    need_external()
    a = build_import("atlas", ATLAS, curated_kg)
    b = build_import("atlas", ATLAS, curated_kg)
    assert a.ntriples == b.ntriples and a.triples > 10_000


# ------------------------------------------------------------------------------------------ MIT
def _expected_mit() -> tuple[int, int, int]:
    """Entries, entries with a domain, entries with a sub-domain: counted straight from the sheet."""
    wb = openpyxl.load_workbook(MIT, read_only=True, data_only=True)
    rows = list(wb["AI Risk Database v3"].iter_rows(values_only=True))
    wb.close()
    header = list(rows[2])
    level, dom, sub = header.index("Category level"), header.index("Domain"), header.index("Sub-domain")
    entries = [r for r in rows[3:] if r[level] in ("Risk Category", "Risk Sub-Category")]
    with_domain = [r for r in entries if r[dom] and re.match(r"^\d", r[dom])]
    with_sub = [r for r in entries if r[sub] and re.match(r"^\d\.[1-9]", r[sub])]
    return len(entries), len(with_domain), len(with_sub)


def test_mit_entries_with_their_domain_links(imported: tuple[KnowledgeGraph, dict[str, ImportResult]]) -> None:
    kg, results = imported
    n_entries, n_domain, n_sub = _expected_mit()
    assert (n_entries, n_domain, n_sub) == (1612, 1409, 1333)
    counts = results["mit"].counts
    assert counts["risk entries"] == n_entries
    assert counts["with a domain"] == n_domain and counts["with a sub-domain"] == n_sub
    assert counts["source documents"] == 65 and counts["excluded from the domain taxonomy"] == 203
    assert results["mit"].source.version == "2025-03-26" and results["mit"].source.licence == "CC-BY-4.0"
    assert "Slattery" in results["mit"].source.attribution

    n = kg.select("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ar:RiskEntry }").values("n")
    assert n == [n_entries]
    linked = kg.select(
        """SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ar:RiskEntry ; ar:classifiedAs ?d .
             ?d skos:inScheme scheme:mit . FILTER NOT EXISTS { ?d skos:broader ?up } }"""
    ).values("n")
    assert linked == [n_domain]
    # the first coded entry of the workbook, as its row says: 1 - Human, 2 - Unintentional, 3 - Other, 6.5
    targets = values(kg, f"SELECT ?x WHERE {{ <{ENTRY}> ar:classifiedAs ?x }}")
    assert targets == {
        str(risk_iri(p, c))
        for p, c in (
            ("mit", "6"),
            ("mit", "6.5"),
            ("mit-causal", "entity.1"),
            ("mit-causal", "intent.2"),
            ("mit-causal", "timing.3"),
        )
    }
    doc = kg.select(f"SELECT ?t WHERE {{ <{ENTRY}> ar:sourceDocument ?d . ?d dcterms:title ?t }}").values("t")
    assert doc == ["TASRA: a Taxonomy and Analysis of Societal-Scale Risks from AI"]
    locator = kg.select(
        f"""SELECT ?loc WHERE {{ ?ax owl:annotatedSource <{ENTRY}> ; owl:annotatedTarget <{risk_iri("mit", "6.5")}> ;
             ar:locator ?loc }}"""
    ).values("loc")
    assert locator == ["sheet 'AI Risk Database v3' cell S5"]


def test_mit_reports_what_it_could_not_read_by_sheet_row_and_column(
    imported: tuple[KnowledgeGraph, dict[str, ImportResult]],
) -> None:
    _kg, results = imported
    warnings = [str(p) for p in results["mit"].warnings]
    assert len(warnings) == 5  # the workbook repeats five Ev_IDs
    assert warnings[0].startswith(
        f"{MIT}: sheet 'AI Risk Database v3', row 1223, column C, field 'Ev_ID': "
        "duplicate Ev_ID '49.01.02' (also row 1222)"
    )
    # both entries are kept, under distinct IRIs
    kg = _kg
    assert kg.select("SELECT ?l WHERE { <https://w3id.org/airisk/id/risk-entry/mit/49.01.02~2> rdfs:label ?l }").values(
        "l"
    ) == ["Cyber offence"]


# ------------------------------------------------------------------------------------------ Inspect evals
def test_inspect_evals_metadata(imported: tuple[KnowledgeGraph, dict[str, ImportResult]]) -> None:
    kg, results = imported
    counts = results["inspect-evals"].counts
    evals = [p for p in INSPECT.glob("*/eval.yaml")]
    assert counts["evaluations"] == len(evals) == 129
    assert counts["tasks"] == 239 and counts["files that are not evaluation metadata"] == 84
    # fixture curated methods: wmdp and cybench (by task), agentharm (by name)
    assert counts["matched to curated test methods"] == 3
    assert counts["new test methods"] == 126
    assert counts["linked by the mapping table"] + counts["unlinked"] == 126
    assert results["inspect-evals"].source.version == "0.26.0" and results["inspect-evals"].source.licence == "MIT"
    # merged into the curated method: keeps its links, gains the tasks the package lists
    tasks = values(kg, "SELECT ?x WHERE { test:wmdp ar:inspectTask ?x }")
    assert tasks == {"wmdp_bio", "wmdp_chem", "wmdp_cyber"}
    assert values(kg, "SELECT ?x WHERE { test:agentharm ar:inspectTask ?x }") == {"agentharm", "agentharm_benign"}
    # linked by the mapping table, with evidence naming the table line and the curated source
    rows = kg.select(
        """SELECT ?r ?src WHERE { test:inspect-bbq ar:assessesRisk ?r ; ar:linkStatus "linked" .
             ?ax owl:annotatedSource test:inspect-bbq ; owl:annotatedTarget ?r ; dcterms:source ?src }"""
    ).records()
    assert {r["r"] for r in rows} == {str(risk_iri("mit", "1.1"))}
    assert "https://w3id.org/airisk/id/source/bbq-paper" in {r["src"] for r in rows}
    # imported unlinked and flagged as such
    unlinked = values(kg, 'SELECT ?x WHERE { ?x a ar:TestMethod ; ar:linkStatus "unlinked" ; ar:inspectEval ?e }')
    assert len(unlinked) == counts["unlinked"] and "https://w3id.org/airisk/id/test-method/inspect-gsm8k" in unlinked
    assert values(kg, "SELECT ?x WHERE { test:inspect-gsm8k ar:assessesRisk|ar:measuresCapability ?x }") == set()


def test_inspect_evals_from_the_wheel(tmp_path: Path, curated_kg: KnowledgeGraph) -> None:
    """The same metadata read from a wheel gives the same triples (bar the source record's file name)."""
    import zipfile

    need_external()
    wheel = tmp_path / "inspect_evals-0.26.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path in sorted(INSPECT.rglob("*")):
            if path.is_file():
                zf.write(path, "inspect_evals/" + str(path.relative_to(INSPECT)))
        zf.writestr(
            "inspect_evals-0.26.0.dist-info/METADATA",
            "Metadata-Version: 2.4\nName: inspect_evals\nVersion: 0.26.0\nLicense-Expression: MIT\n",
        )
    from_wheel = build_import("inspect-evals", wheel, curated_kg)
    from_folder = build_import("inspect-evals", INSPECT, curated_kg, source_version="0.26.0")
    assert from_wheel.source.version == "0.26.0" and from_wheel.source.licence == "MIT"
    assert from_wheel.counts == from_folder.counts

    def body(r: ImportResult) -> set[bytes]:
        return {line for line in r.ntriples.splitlines() if b"/source/import/" not in line.split(b" ")[0]}

    assert body(from_wheel) == body(from_folder)
