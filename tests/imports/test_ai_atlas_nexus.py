"""``airisk import ai-atlas-nexus``: the real IBM AI Atlas Nexus 1.2.3 release, and hostile copies of it.

The release is read where it lies (``../shared/external/ai-atlas-nexus``), never copied into the
project; hostile variants are mutated copies in a temporary folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from graph.core.errors import DataError
from graph.coverage.report import compute_coverage
from graph.importers import build_import, run_import
from graph.importers.common import ImportResult
from graph.store.kg import KnowledgeGraph
from tests.imports.conftest import EXTERNAL, need_external, snapshot

NEXUS = EXTERNAL / "ai-atlas-nexus"


@pytest.fixture(scope="module")
def shipped_kg() -> KnowledgeGraph:
    """The shipped curated data: the taxonomies whose IRIs the import reuses."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def result(shipped_kg: KnowledgeGraph) -> ImportResult:
    need_external()
    return build_import("ai-atlas-nexus", NEXUS, shipped_kg, source_version="1.2.3")


def release_copy(tmp_path: Path) -> Path:
    need_external()
    dest = tmp_path / "nexus"
    shutil.copytree(NEXUS, dest)
    return dest


def triples(result: ImportResult) -> set[str]:
    return set(result.ntriples.decode().splitlines())


RISK = "https://w3id.org/airisk/id/risk/"
AR = "https://w3id.org/airisk/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def test_real_release_counts(result: ImportResult) -> None:
    c = result.counts
    # AIR 2024: 16 level-2 and 43 level-3 groups and the 314 level-4 categories, in the curated scheme
    assert c["concepts of air2024"] == 16 + 43 + 314
    assert c["concepts of ibm-risk-atlas"] == 115 and c["concepts of credo-ucf"] == 64
    assert c["concepts of nist600"] == 12 and c["concepts of mit"] == 31 and c["concepts of mit-causal"] == 12
    assert c["concepts of owasp-llm"] == 10 and c["concepts of ailuminate"] == 15 and c["concepts of owasp-asi"] == 10
    # reused: 16 + 41 AIR groups (two IBM groups combine two curated level-3 categories each), all 12 NIST
    # AI 600-1 risks, 31 MIT domains and subdomains, 12 causal codes, 10 OWASP LLM, 15 AILuminate hazards,
    # 10 OWASP Agentic
    assert c["risk categories reusing curated IRIs"] == 57 + 12 + 31 + 12 + 10 + 15 + 10
    assert c["risk categories"] == 517
    assert c["mitigations"] == 1153 and c["mitigation types"] == 38 and c["mitigation links"] == 711
    assert c["test methods"] == 38 and c["evaluations matching curated test methods"] == 15
    assert c["test links"] == 15 and c["mappings"] == 1704 and c["files"] == 58
    assert result.warnings == []
    assert result.entities["Taxonomy"] == 4 and result.entities["MitigationTaxonomy"] == 2
    assert result.source.version == "1.2.3" and result.source.licence == "Apache-2.0"


def test_curated_iris_are_reused_and_level_4_hangs_below_them(result: ImportResult) -> None:
    t = triples(result)
    ident = f"<{AR}sourceIdentifier>"
    assert f'<{RISK}air2024/1.1> {ident} "ai-risk-taxonomy-confidentiality" .' in t
    assert f'<{RISK}air2024/14> {ident} "ai-risk-taxonomy-discrimination/bias" .' in t
    assert f'<{RISK}nist600/2.1> {ident} "nist-cbrn-information-or-capabilities" .' in t
    assert f'<{RISK}owasp-llm/LLM02> {ident} "llm022025-sensitive-information-disclosure" .' in t
    assert f'<{RISK}mit-causal/intent.3> {ident} "mit-ai-causal-risk-intent-other" .' in t
    assert f'<{RISK}ailuminate/non-physical> {ident} "ail-non-physical-hazards" .' in t
    assert f'<{RISK}owasp-asi/ASI01> {ident} "asi01-agent-goal-hijack" .' in t
    # a curated concept gets no second label from the import
    assert not any(line.startswith(f"<{RISK}air2024/1.1> <{SKOS}prefLabel>") for line in t)
    assert f"<{RISK}air2024/network-intrusion> <{SKOS}broader> <{RISK}air2024/1.1> ." in t
    combined = f"<{RISK}air2024/discrimination-protected-characteristics-combinations>"
    assert f"{combined} <{SKOS}broader> <{RISK}air2024/14> ." in t
    scheme = "https://w3id.org/airisk/id/scheme/ibm-risk-atlas"
    assert f"<{RISK}ibm-risk-atlas/atlas-evasion-attack> <{SKOS}inScheme> <{scheme}> ." in t


def test_links_and_mappings_carry_their_file_and_line(result: ImportResult) -> None:
    t = triples(result)
    mtg = "https://w3id.org/airisk/id/mitigation/nexus-gv-1-1-001"
    # NIST AI 600-1 action GV-1.1-001 addresses Data Privacy (2.4) and Intellectual Property (2.10)
    assert f"<{mtg}> <{AR}mitigatesRisk> <{RISK}nist600/2.4> ." in t
    assert f"<{mtg}> <{AR}mitigatesRisk> <{RISK}nist600/2.10> ." in t
    locators = [line for line in t if f"<{AR}locator>" in line]
    assert any("knowledge_graph/nist_ai_rmf_data.yaml line" in line for line in locators)
    assert any("mappings/owasp_asi2owasp_llm.tsv line" in line for line in locators)
    # a measure is "unlinked" exactly when no link (from a field or from a mapping row) reaches a risk
    unlinked = {line.split(" ")[0] for line in t if f'<{AR}linkStatus> "unlinked"' in line}
    linked = {line.split(" ")[0] for line in t if f"<{AR}mitigatesRisk>" in line or f"<{AR}assessesRisk>" in line}
    assert unlinked and linked and not unlinked & linked


def test_the_same_release_gives_the_same_bytes(shipped_kg: KnowledgeGraph, result: ImportResult) -> None:
    again = build_import("ai-atlas-nexus", NEXUS, shipped_kg, source_version="1.2.3")
    assert again.ntriples == result.ntriples


def test_imported_risks_join_coverage(tmp_path: Path) -> None:
    need_external()
    kg = KnowledgeGraph.load()
    report = run_import("ai-atlas-nexus", NEXUS, kg, workspace=tmp_path / "ws", source_version="1.2.3")
    assert report.result.triples > 40_000
    cov = compute_coverage(kg, taxonomy="ibm-risk-atlas")
    assert len(cov.risks) == 115
    assessed = [r for r in cov.risks if r.status != "not assessed" and r.status != "not applicable"]
    assert assessed, "evaluations linked by the import must assess some IBM AI Risk Atlas risks"
    air = compute_coverage(kg, taxonomy="air2024")
    assert len(air.risks) == 4 + 16 + 45 + 314 + 2  # curated levels 1-3, level 4 and the two combined groups


# ------------------------------------------------------------------------------ hostile copies
def test_broken_yaml_names_file_and_line(tmp_path: Path, shipped_kg: KnowledgeGraph) -> None:
    rel = release_copy(tmp_path)
    f = rel / "knowledge_graph" / "credo.yaml"
    f.write_text(f.read_text() + "  - id: [unclosed\n")
    with pytest.raises(DataError) as exc:
        build_import("ai-atlas-nexus", rel, shipped_kg)
    first = exc.value.problems[0]
    assert first.location.file.endswith("credo.yaml") and first.location.line is not None
    assert first.location.line >= 1220


def test_yaml_bomb_is_refused(tmp_path: Path, shipped_kg: KnowledgeGraph) -> None:
    rel = release_copy(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nentries: [*b, *b, *b]\n"
    (rel / "knowledge_graph" / "bomb.yaml").write_text(bomb)
    with pytest.raises(DataError, match="aliases"):
        build_import("ai-atlas-nexus", rel, shipped_kg)


def test_records_without_id_or_name_and_wrong_types_are_warnings(tmp_path: Path, shipped_kg: KnowledgeGraph) -> None:
    rel = release_copy(tmp_path)
    f = rel / "knowledge_graph" / "owasp_asi_data.yaml"
    text = f.read_text()
    text = text.replace("  - id: asi10-rogue-agents\n", "  - idx: asi10-rogue-agents\n", 1)
    text = text.replace('    name: "ASI09:2026 Human-Agent Trust Exploitation"\n', "    name: [a, b]\n", 1)
    f.write_text(text)
    (rel / "knowledge_graph" / "odd.yaml").write_text("entries: just text\n")
    res = build_import("ai-atlas-nexus", rel, shipped_kg)
    msgs = [str(p) for p in res.warnings]
    assert any("owasp_asi_data.yaml" in m and "without an 'id'" in m for m in msgs), msgs
    assert any("asi09-human-agent-trust-exploitation: field 'name' should be one value" in m for m in msgs), msgs
    assert any("odd.yaml" in m and "collection 'entries' is not a list" in m for m in msgs), msgs
    assert res.counts["concepts of owasp-asi"] == 8


def test_unknown_fields_and_missing_optional_fields_are_tolerated(
    tmp_path: Path, shipped_kg: KnowledgeGraph, result: ImportResult
) -> None:
    rel = release_copy(tmp_path)
    for f in (rel / "knowledge_graph").rglob("*.yaml"):
        lines = f.read_text().splitlines()
        out = []
        for line in lines:
            if line.startswith("    dateModified:"):
                continue  # an optional field another release may not have
            out.append(line)
            if line.startswith("  - id: "):
                out.append("    colourOfTheYear: teal")  # a field this importer has never seen
        f.write_text("\n".join(out) + "\n")
    res = build_import("ai-atlas-nexus", rel, shipped_kg)
    assert res.counts == result.counts
    assert not any("colourOfTheYear" in line for line in res.ntriples.decode().splitlines())


def test_broken_mapping_table_and_wrong_folder(tmp_path: Path, shipped_kg: KnowledgeGraph) -> None:
    rel = release_copy(tmp_path)
    (rel / "mappings" / "ibm2ibm.tsv").write_text("# curie_map: {}\nsubject\tobject\n")
    with pytest.raises(DataError, match=r"lacks the column\(s\) subject_id, predicate_id, object_id") as exc:
        build_import("ai-atlas-nexus", rel, shipped_kg)
    assert exc.value.problems[0].location.line == 2
    with pytest.raises(DataError, match="no such folder"):
        build_import("ai-atlas-nexus", tmp_path / "nowhere", shipped_kg)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="no LinkML YAML files"):
        build_import("ai-atlas-nexus", empty, shipped_kg)
    (empty / "x.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(DataError, match="expected a mapping of collections"):
        build_import("ai-atlas-nexus", empty, shipped_kg)


def test_a_failed_import_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    need_external()
    kg = KnowledgeGraph.load()
    ws = tmp_path / "ws"
    run_import("ai-atlas-nexus", NEXUS, kg, workspace=ws, source_version="1.2.3")
    before = snapshot(ws)
    rel = release_copy(tmp_path)
    (rel / "knowledge_graph" / "credo.yaml").write_text("entries:\n  - id: x\n   name: bad indent\n")
    with pytest.raises(DataError):
        run_import("ai-atlas-nexus", rel, kg, workspace=ws)
    assert snapshot(ws) == before


def test_shacl_agrees_on_a_part_of_the_release(fresh_kg: KnowledgeGraph, tmp_path: Path) -> None:
    """pySHACL with the project's shapes on curated fixture data plus a Nexus import of every kind of record."""
    import pyoxigraph as ox
    from rdflib import Graph

    from graph.validation.validate import load_shapes, run_shacl

    need_external()
    part = tmp_path / "part"
    (part / "knowledge_graph").mkdir(parents=True)
    (part / "mappings").mkdir()
    for name in (
        "owasp_asi_data",
        "owasp_llm_2.0_data",
        "nist_ai_rmf_data",
        "granite_guardian_dimensions",
        "mit_ai_risk_mitigation_data",
        "credo",
        "aiuc1_data",
        "ai_eval_data",
        "risk_atlas_data",
    ):
        shutil.copy(NEXUS / "knowledge_graph" / f"{name}.yaml", part / "knowledge_graph")
    for name in ("owasp_asi2owasp_llm", "granite_guardian_ibm-risk-atlas", "aiuc1_to_owasp_llm_from_tsv_data"):
        shutil.copy(NEXUS / "mappings" / f"{name}.tsv", part / "mappings")
    report = run_import("ai-atlas-nexus", part, fresh_kg, workspace=tmp_path / "w")
    c = report.result.counts
    assert c["mitigations"] > 0 and c["mappings"] > 0 and c["test methods"] > 0 and c["mitigation types"] > 0
    store = fresh_kg.store
    graphs = [g for g in store.graphs() if not g.endswith("/ontology")]
    data = Graph().parse(data=store.serialize(ox.RdfFormat.N_TRIPLES, graphs).decode(), format="nt")  # type: ignore[attr-defined]
    findings = [p for p in run_shacl(data, {}, load_shapes()) if p.severity == "error"]
    assert [str(p) for p in findings] == []


def test_cli_import_list_and_remove(cli: Callable[..., Result]) -> None:
    need_external()
    out = cli("import", "ai-atlas-nexus", NEXUS, "--source-version", "1.2.3")
    assert out.exit_code == 0, out.output
    assert "imported IBM AI Atlas Nexus as 'ai-atlas-nexus'" in out.output and "version: 1.2.3" in out.output
    listed = cli("imports", "ai-atlas-nexus")  # one import in detail
    assert listed.exit_code == 0 and "1.2.3" in listed.output and "Apache-2.0" in listed.output
    bad = cli("import", "ai-atlas-nexus", NEXUS / "LICENSE")
    assert bad.exit_code == 1 and "is a file; give the release folder" in bad.output
    assert "Traceback" not in bad.output
    assert cli("remove", "ai-atlas-nexus").exit_code == 0
