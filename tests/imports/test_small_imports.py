"""Each importer on small files written for the tests: what it makes of every field, and what it reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from graph import DataError, KnowledgeGraph
from graph.core.namespaces import risk_iri
from graph.importers import build_import, run_import
from graph.importers.check import check_import
from graph.importers.context import build_context

from .conftest import CURATED, FIXTURES
from .workbooks import write_workbook

ATLAS_SMALL = FIXTURES / "atlas-small.yaml"
SSSOM_SMALL = FIXTURES / "mappings-small.sssom.tsv"
INSPECT_SMALL = FIXTURES / "inspect-small"
T9000 = str(risk_iri("atlas", "AML.T9000"))


def lines_about(nt: bytes, subject: str) -> list[str]:
    return sorted(line for line in nt.decode().splitlines() if line.startswith(f"<{subject}> "))


def test_atlas_small(curated_kg: KnowledgeGraph) -> None:
    r = build_import("atlas", ATLAS_SMALL, curated_kg)
    assert r.counts == {
        "tactics": 3,
        "tactics already curated": 2,
        "techniques": 2,
        "sub-techniques": 1,
        "mitigations": 1,
        "mitigation links": 2,
        "mitigation categories": 1,
        "case studies": 1,
        "case-study links": 1,
    }
    assert r.entities == {
        "RiskCategory": 4,
        "Mitigation": 1,
        "MitigationType": 1,
        "Source": 2,
        "CaseStudy": 1,
        "ImportedDataset": 1,
        "Evidence": 3,
    }
    nt = r.ntriples.decode()
    # curated tactics get only hierarchy links; the tactic the curated data lacks is written in full
    curated_tactic = lines_about(r.ntriples, str(risk_iri("atlas", "AML.TA0002")))
    assert curated_tactic == [
        f"<{risk_iri('atlas', 'AML.TA0002')}> <http://www.w3.org/2004/02/skos/core#narrower> <{T9000}> ."
    ]
    new_tactic = lines_about(r.ntriples, str(risk_iri("atlas", "AML.TA9001")))
    assert any("topConceptOf" in line for line in new_tactic) and any(
        '"Fixture Tactic"@en' in line for line in new_tactic
    )
    technique = lines_about(r.ntriples, T9000)
    assert sum("skos/core#broader" in line for line in technique) == 2  # two tactics
    assert any('maturity> "demonstrated"' in line for line in technique)
    assert any('"2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date>' in line for line in technique)
    assert f"<{risk_iri('atlas', 'AML.T9000.000')}> <http://www.w3.org/2004/02/skos/core#broader> <{T9000}> ." in nt
    # the mitigation: typed by its ATLAS category, lifecycle strings kept, the stray mapping ignored
    mtg = lines_about(r.ntriples, "https://w3id.org/airisk/id/mitigation/atlas-aml-m9000")
    assert any("mitigation-type/atlas-policy" in line for line in mtg)
    assert sum("lifecycleStage" in line for line in mtg) == 1
    # the case study: one documentsRisk link for the technique its two steps use; a year-only date
    cs = lines_about(r.ntriples, "https://w3id.org/airisk/id/case-study/atlas/AML.CS9000")
    assert sum("documentsRisk" in line for line in cs) == 1
    assert any('"2023"^^<http://www.w3.org/2001/XMLSchema#gYear>' in line for line in cs)
    assert any("<https://example.org/reference>" in line for line in cs)
    assert r.warnings == []


def test_sssom_small(curated_kg: KnowledgeGraph) -> None:
    r = build_import("sssom", SSSOM_SMALL, curated_kg)
    assert r.name == "sssom-mappings-small"
    assert r.counts == {"mappings": 3, "rows not imported": 0, "external concepts": 1}
    assert r.source.version == "2025-01" and r.source.title == "Fixture mapping set"
    assert r.source.licence == "https://creativecommons.org/licenses/by/4.0/"
    g = Graph().parse(data=r.ntriples.decode(), format="nt")
    rows = list(
        g.query(
            """PREFIX ar: <https://w3id.org/airisk/ontology#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
           PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
           SELECT ?s ?o ?j ?c ?who ?why WHERE { ?ax a ar:Mapping ; owl:annotatedSource ?s ; owl:annotatedTarget ?o ;
             ar:justification ?j ; dcterms:creator ?who ; rdfs:comment ?why . OPTIONAL { ?ax ar:confidence ?c } }"""
        )
    )
    by_subject = {str(row[0]).rsplit("/", 1)[1]: row for row in rows}
    assert str(by_subject["LLM01"][2]) == "https://w3id.org/semapv/vocab/ManualMappingCuration"
    assert (
        str(by_subject["LLM01"][3]) == "0.8" and str(by_subject["LLM01"][4]) == "https://orcid.org/0000-0000-0000-0001"
    )
    assert str(by_subject["2.1"][1]) == "https://example.org/ext/privacy"  # an outside concept, kept as its IRI
    assert "LexicalMatching" in str(by_subject["2.1"][5])  # no comment in the file: the justification is said


def test_sssom_rows_that_cannot_be_read_are_reported(curated_kg: KnowledgeGraph, tmp_path: Path) -> None:
    text = (
        SSSOM_SMALL.read_text()
        + "\n".join(
            [
                "nope:1\tskos:closeMatch\tmit:1.1\tsemapv:ManualMappingCuration\t\t\t\t",
                "mit:9.9\tskos:closeMatch\towasp-llm:LLM01\tsemapv:ManualMappingCuration\t\t\t\t",
                "mit:1.1\towl:equivalentClass\towasp-llm:LLM01\tsemapv:ManualMappingCuration\t\t\t\t",
                "mit:1.1\tskos:closeMatch\tmit:1.2\tsemapv:ManualMappingCuration\t\t\t\t",
                "mit:2.2\tskos:closeMatch\towasp-llm:LLM01\tsemapv:ManualMappingCuration\t\t\t\t",
                "mit:1.1\tskos:closeMatch\towasp-llm:LLM02\tsemapv:ManualMappingCuration\t\t7\t\t",
            ]
        )
        + "\n"
    )
    path = tmp_path / "rows.sssom.tsv"
    path.write_text(text)
    r = build_import("sssom", path, curated_kg)
    assert r.counts["mappings"] == 4 and r.counts["rows not imported"] == 5
    messages = [str(p) for p in r.warnings]
    assert (
        messages[0] == f"{path}:15:1, field 'subject_id': cannot read subject_id 'nope:1' "
        "(empty, or a prefix the file's curie_map does not declare); row not imported"
    )
    assert "mit:9.9' is not a concept of the curated data" in messages[1] and f"{path}:16:1" in messages[1]
    assert "not a SKOS mapping property" in messages[2] and ":17:2" in messages[2]
    assert "two different taxonomies" in messages[3]
    assert "the same mapping as line 13" in messages[4]
    assert "confidence '7' is not a number from 0 to 1" in messages[5] and ":20:6" in messages[5]
    with pytest.raises(DataError) as err:
        build_import("sssom", path, curated_kg, strict=True)
    assert len(err.value.problems) == 6


def test_inspect_small(curated_kg: KnowledgeGraph) -> None:
    r = build_import("inspect-evals", INSPECT_SMALL, curated_kg, source_version="0.1")
    assert r.counts == {
        "evaluations": 3,
        "tasks": 4,
        "matched to curated test methods": 1,
        "new test methods": 2,
        "linked by the mapping table": 1,
        "unlinked": 1,
        "files that are not evaluation metadata": 1,
    }
    assert r.source.licence == "MIT" and r.source.version == "0.1"
    wmdp = lines_about(r.ntriples, "https://w3id.org/airisk/id/test-method/wmdp")
    assert any('inspectTask> "wmdp_extra"' in line for line in wmdp)
    assert not any("rdf-schema#label" in line for line in wmdp)  # the curated label stays the only one
    bbq = lines_about(r.ntriples, "https://w3id.org/airisk/id/test-method/inspect-bbq")
    assert any("method-type/bias-benchmark" in line for line in bbq)
    assert any('linkStatus> "linked"' in line for line in bbq)
    other = lines_about(r.ntriples, "https://w3id.org/airisk/id/test-method/inspect-fixture-eval")
    assert any('linkStatus> "unlinked"' in line for line in other)
    assert any("method-type/agentic-task-suite" in line for line in other)  # rule: tag Agent
    assert any('modality> "agentic"' in line for line in other)


def test_mit_small_workbook(curated_kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "small.xlsx")
    r = build_import("mit", path, curated_kg)
    assert r.counts == {
        "risk entries": 3,
        "with a domain": 2,
        "with a sub-domain": 1,
        "excluded from the domain taxonomy": 1,
        "causal codes": 6,
        "source documents": 1,
        "additional-evidence rows (not imported)": 1,
        "rows not read": 1,
    }
    assert r.source.version == "2025-03-26" and r.source.licence == "CC-BY-4.0"
    assert r.source.attribution == "Fixture et al. (2025). A fixture workbook."
    w = [str(p) for p in r.warnings]
    sheet = f"{path}: sheet 'AI Risk Database v3'"
    assert w[0].startswith(f"{sheet}, row 9, column C, field 'Ev_ID': formula cell has no cached value")
    assert f"{sheet}, row 8, column R, field 'Domain': cannot read a domain code in 'X. Unknown'" in w
    assert f"{sheet}, row 8, column O, field 'Entity': entity code 9 is not in the curated mit-causal taxonomy" in w
    assert (
        f"{sheet}, row 8, column Q, field 'Timing': timing code 2 is 'Post-deployment' in the curated taxonomy "
        "but the cell says 'AI'"
    ) in w
    entry = "https://w3id.org/airisk/id/risk-entry/mit/01.01.01"
    lines = lines_about(r.ntriples, entry)
    targets = {line.split(" ")[2] for line in lines if "classifiedAs" in line}
    # numeric 1 -> Human; "Intentional" read by its label; "3 - Other"; "1.0 > ..." is the domain only
    assert targets == {
        f"<{risk_iri(p, c)}>"
        for p, c in (("mit-causal", "entity.1"), ("mit-causal", "intent.1"), ("mit-causal", "timing.3"), ("mit", "1"))
    }
    assert any('"Biased hiring <script>x</script>"@en' in line for line in lines)
    assert any("isPartOf> <https://w3id.org/airisk/id/risk-entry/mit/01.01.00>" in line for line in lines)
    doc = lines_about(r.ntriples, "https://w3id.org/airisk/id/source/mit-airisk-repository/paper-1")
    assert any("<https://example.org/fixture-paper>" in line for line in doc)
    assert any('creator> "Doe J, Roe R"' in line for line in doc)


def test_mit_needs_the_curated_taxonomies(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(CURATED, data)
    (data / "taxonomies" / "mit-causal.yaml").unlink()
    kg = KnowledgeGraph.load(data=data)
    with pytest.raises(DataError, match="no 'mit' and 'mit-causal' taxonomies"):
        build_import("mit", write_workbook(tmp_path / "b.xlsx"), kg)


def test_the_check_catches_a_broken_import(curated_kg: KnowledgeGraph) -> None:
    """Every contract check can fail: break a good import one way at a time."""
    good = build_import("atlas", ATLAS_SMALL, curated_kg)
    ctx = build_context(curated_kg)
    label = f'<{T9000}> <http://www.w3.org/2000/01/rdf-schema#label> "Fixture Technique One"@en .'
    scheme = f"<{T9000}> <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/airisk/id/scheme/atlas> ."
    mitig = (
        "<https://w3id.org/airisk/id/mitigation/atlas-aml-m9000> <https://w3id.org/airisk/ontology#mitigatesRisk> "
        f"<{T9000}> ."
    )
    cases = {
        "entity must have exactly one rdfs:label": lambda nt: nt.replace(label, ""),
        "risk category must belong to exactly one taxonomy": lambda nt: nt.replace(scheme, ""),
        "evidence names a triple that the import does not assert": lambda nt: nt.replace(mitig, ""),
        "has no evidence node": lambda nt: (
            nt + "<https://w3id.org/airisk/id/mitigation/atlas-aml-m9000> "
            f"<https://w3id.org/airisk/ontology#mitigatesRisk> <{risk_iri('atlas', 'AML.T9001')}> .\n"
        ),
        "link points to an entity of the wrong kind": lambda nt: nt.replace(
            "mitigation-type/atlas-policy> .", "mitigation-type/no-such-type> ."
        ),
        "broader concept must be a risk category": lambda nt: (
            nt + f"<{T9000}> <http://www.w3.org/2004/02/skos/core#broader> <https://example.org/elsewhere> .\n"
        ),
    }
    assert check_import(good, ctx) == []
    for message, breakage in cases.items():
        broken = build_import("atlas", ATLAS_SMALL, curated_kg)
        broken.ntriples = breakage(good.ntriples.decode()).encode()
        assert broken.ntriples != good.ntriples, message
        found = [str(p) for p in check_import(broken, ctx)]
        assert any(message in f for f in found), (message, found)


def test_shacl_agrees(fresh_kg: KnowledgeGraph, tmp_path: Path) -> None:
    """pySHACL with the project's shapes, on the curated fixture plus every kind of import.

    Imported data conforms to the same shapes as curated data: unlinked imported test methods
    (ar:linkStatus "unlinked"), outside (ORCID) mapping authors (foaf:Agent), and concepts added
    below a curated taxonomy are all allowed; anything else fails.
    """
    import pyoxigraph as ox

    from graph.validation.validate import load_shapes, run_shacl

    ws = tmp_path / "w"
    run_import("atlas", ATLAS_SMALL, fresh_kg, workspace=ws)
    run_import("sssom", SSSOM_SMALL, fresh_kg, workspace=ws)
    run_import("inspect-evals", INSPECT_SMALL, fresh_kg, workspace=ws)
    run_import("mit", write_workbook(tmp_path / "m.xlsx"), fresh_kg, workspace=ws)
    store = fresh_kg.store
    graphs = [g for g in store.graphs() if not g.endswith("/ontology")]
    data = Graph().parse(data=store.serialize(ox.RdfFormat.N_TRIPLES, graphs).decode(), format="nt")  # type: ignore[attr-defined]
    findings = [p for p in run_shacl(data, {}, load_shapes()) if p.severity == "error"]
    assert [str(p) for p in findings] == []


def test_inspect_installed_package(tmp_path: Path) -> None:
    """`airisk import inspect-evals installed` finds the package through its installed metadata (RECORD)."""
    import os
    import shutil
    import subprocess
    import sys

    site = tmp_path / "site"
    pkg = site / "inspect_evals"
    shutil.copytree(INSPECT_SMALL, pkg)
    (pkg / "__init__.py").write_text("raise RuntimeError('inspect_evals must not be imported')\n")
    info = site / "inspect_evals-0.3.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: inspect_evals\nVersion: 0.3.0\nLicense-Expression: MIT\n"
    )
    record = [f"{p.relative_to(site)},," for p in sorted(pkg.rglob("*")) if p.is_file()]
    (info / "RECORD").write_text("\n".join(record + ["inspect_evals-0.3.0.dist-info/METADATA,,"]) + "\n")
    env = {**os.environ, "PYTHONPATH": str(site), "AIRISK_WORKSPACE": str(tmp_path / "ws")}
    out = subprocess.run(
        [sys.executable, "-m", "graph", "--data", str(CURATED), "import", "inspect-evals", "installed", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    import json

    doc = json.loads(out.stdout)
    assert doc["source"]["version"] == "0.3.0" and doc["source"]["licence"] == "MIT"
    assert doc["counts"]["evaluations"] == 3 and doc["counts"]["files that are not evaluation metadata"] == 1
