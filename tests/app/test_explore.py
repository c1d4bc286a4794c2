"""graph.explore.search / graph.explore.entity: search, entity pages, trees and summaries on the app fixture."""

from __future__ import annotations

import pytest

from graph.core.errors import NotFound
from graph.explore import search as explore

HOSTILE = "<img src=x onerror=alert(1)>"


def test_search_ranks_exact_code_first_and_finds_aliases(app_kg) -> None:  # type: ignore[no-untyped-def]
    assert explore.search(app_kg, "mit:4.2")[0].curie == "mit:4.2"
    assert explore.search(app_kg, "  4.2 ")[0].curie == "mit:4.2"
    hits = explore.search(app_kg, "bio")
    assert {h.curie for h in hits} == {"test:wmdp", "cap:cbrn-uplift"}
    assert all(h.matched_field == "alias" for h in hits)
    weapons = explore.search(app_kg, "weap")
    assert [h.curie for h in weapons][:2] == ["mit:4.2", "test:wmdp"]  # name before alias
    assert explore.search(app_kg, "") == []
    assert len(explore.search(app_kg, "e", limit=3)) == 3


def test_search_text_cannot_break_the_query(app_kg) -> None:  # type: ignore[no-untyped-def]
    assert explore.search(app_kg, '") } SELECT * WHERE { ?s ?p ?o } #') == []
    hits = explore.search(app_kg, "<img")
    assert [h.curie for h in hits] == ["test:hostile", "nist600:2.2"]  # name first, then name containing it
    assert hits[0].label == HOSTILE


def test_risk_entity_page(app_kg) -> None:  # type: ignore[no-untyped-def]
    v = explore.entity(app_kg, "mit:4.2")
    assert (v.kind, v.label, v.taxonomy, v.severity) == (
        "risk",
        "Weapons and cyberattacks",
        "Fixture domain taxonomy",
        5,
    )
    assert v.severity_evidence is not None and v.severity_evidence.note == "Mass harm."
    assert [s.title for s in v.sources] == ["Fixture source A"]
    assert v.sources[0].url == "https://example.org/a"
    groups = {g.label: g for g in v.groups}
    assert [link.other.curie for link in groups["assessed by"].links] == ["test:cybench", "test:wmdp"]
    wmdp = groups["assessed by"].links[1]
    assert wmdp.direction == "in" and wmdp.evidence is not None
    assert wmdp.evidence.note == "Proxy for weapons knowledge."
    assert [s.title for s in wmdp.evidence.sources] == ["Fixture source A"]
    assert [link.other.curie for link in groups["broader category"].links] == ["mit:4"]
    assert groups["broader category"].links[0].evidence is None  # hierarchy is not a sourced claim
    assert [link.other.curie for link in groups["enabled by"].links] == ["cap:cbrn-uplift"]
    assert [link.other.curie for link in groups["mitigated by"].links] == ["mtg:unlearning"]
    (m,) = v.mappings
    assert (m.other.curie, m.label, m.taxonomy, m.confidence) == ("nist600:2.1", "close match", "nist600", 0.8)
    assert m.justification == "semapv:ManualMappingCuration"
    assert {s.title for s in m.sources} == {"Fixture source A", "Fixture source B"}


def test_mapping_read_from_the_other_side(app_kg) -> None:  # type: ignore[no-untyped-def]
    (m,) = explore.entity(app_kg, "nist600:2.1").mappings
    assert (m.other.curie, m.direction, m.label) == ("mit:4.2", "out", "close match")
    (rel,) = explore.entity(app_kg, "mit:1.2").mappings
    assert (rel.other.curie, rel.direction, rel.label) == ("nist600:2.2", "in", "related")


@pytest.mark.parametrize(
    ("curie", "kind", "group", "expected"),
    [
        ("test:wmdp", "test_method", "assesses", ["mit:4.2", "nist600:2.1"]),
        ("cap:cbrn-uplift", "capability", "measured by", ["test:wmdp"]),
        ("mtg:unlearning", "mitigation", "mitigates", ["mit:4.2", "nist600:2.1"]),
        ("exercise:joint-x", "exercise", "carried out by", ["org:uk-aisi", "org:us-aisi"]),
        ("exercise:joint-x", "exercise", "used test method", ["test:wmdp"]),
        ("report:joint-x", "report", "produced by", ["exercise:joint-x"]),
        ("org:uk-aisi", "organisation", "took part in", ["event:mou", "exercise:joint-x"]),
        ("mtype:static-mcq", "method_type", "test methods of this type", ["test:bias-bench", "test:wmdp"]),
        ("model:model-x", "model", "developed by", ["org:org-a"]),
    ],
)
def test_every_kind_has_a_page(app_kg, curie: str, kind: str, group: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    v = explore.entity(app_kg, curie)
    assert v.kind == kind
    links = {g.label: sorted(link.other.curie for link in g.links) for g in v.groups}
    assert links[group] == expected


def test_entity_facts_urls_and_aliases(app_kg) -> None:  # type: ignore[no-untyped-def]
    v = explore.entity(app_kg, "test:wmdp")
    assert ("year", "2024") in v.facts and ("licence", "MIT") in v.facts and ("Inspect task", "wmdp_bio") in v.facts
    assert v.urls == [("web page", "https://example.org/wmdp")]
    assert v.aliases == ["Weapons of Mass Destruction Proxy", "wmdp-bio"]
    na = explore.entity(app_kg, "mit:6.1")
    assert na.not_applicable and na.not_applicable_evidence is not None
    assert "power concentrates" in na.not_applicable_evidence.note
    full = explore.entity(app_kg, "https://w3id.org/airisk/id/risk/mit/4.2")
    assert full.curie == "mit:4.2"


def test_unknown_entities_say_what_to_do(app_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="no entity 'mit:99'"):
        explore.entity(app_kg, "mit:99")
    with pytest.raises(NotFound, match="not a known entity id"):
        explore.entity(app_kg, "nope:1")
    with pytest.raises(NotFound):
        explore.entity(app_kg, "wmdp")


def test_taxonomy_tree(app_kg) -> None:  # type: ignore[no-untyped-def]
    roots = explore.taxonomy_tree(app_kg, "mit")
    assert [r.code for r in roots] == ["1", "4", "6"]
    walk = [(d, n.code) for r in roots for d, n in r.walk()]
    assert walk == [(0, "1"), (1, "1.1"), (1, "1.2"), (0, "4"), (1, "4.2"), (0, "6"), (1, "6.1")]
    by_code = {n.code: n for r in roots for _d, n in r.walk()}
    assert by_code["4.2"].tests == 2 and by_code["4.2"].severity == 5
    assert by_code["6.1"].not_applicable and not by_code["4.2"].not_applicable
    assert explore.taxonomy_tree(app_kg, "unknown") == []


def test_vocabulary_trees(app_kg) -> None:  # type: ignore[no-untyped-def]
    groups = explore.taxonomy_tree(app_kg, "test-methods")
    assert {g.label: [c.curie for c in g.children] for g in groups} == {
        "Agentic task suite": ["test:cybench"],
        "Multiple-choice benchmark": ["test:bias-bench", "test:wmdp"],
        "Red teaming": ["test:hostile"],
    }
    caps = explore.taxonomy_tree(app_kg, "capabilities")
    assert [(c.curie, c.tests) for c in caps] == [("cap:cbrn-uplift", 1), ("cap:persuasion", 0)]


def test_overview_rows_counts_and_scope(app_kg) -> None:  # type: ignore[no-untyped-def]
    rows = explore.taxonomies(app_kg)
    assert [(t.prefix, t.version, t.concepts, t.published, t.imported) for t in rows] == [
        ("mit", "1", 7, 7, False),
        ("nist600", "2024", 2, 2, False),
    ]
    counts = explore.entity_counts(app_kg)
    assert (counts["risk"], counts["test_method"], counts["capability"], counts["mitigation"]) == (9, 4, 2, 2)
    assert (counts["exercise"], counts["organisation"], counts["source"], counts["taxonomy"]) == (1, 4, 3, 2)
    assert counts["report"] == 1
    text = explore.scope_statement(app_kg)
    assert text.startswith("9 risk categories from 2 published taxonomies (mit, nist600)")
    assert "4 test methods" in text and "3 public sources" in text


def test_ontology_summary(app_kg) -> None:  # type: ignore[no-untyped-def]
    s = explore.ontology_summary(app_kg)
    classes = {c.curie: c for c in s.classes}
    assert classes["ar:RiskCategory"].instances == 9 and classes["ar:RiskCategory"].label == "Risk category"
    assert classes["ar:TestMethod"].instances == 4
    rels = {r.curie: r for r in s.relations}
    assert rels["ar:assessesRisk"].uses == 5
    assert (rels["ar:assessesRisk"].domain, rels["ar:assessesRisk"].range) == ("ar:TestMethod", "ar:RiskCategory")
    assert rels["ar:severity"].kind == "datatype"
