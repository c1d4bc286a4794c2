"""Every catalogue query runs on the real engine with asserted answers on the fixture graph."""

from __future__ import annotations

import pytest

from graph.core.errors import NotFound, QueryError
from graph.core.namespaces import curie
from graph.queries.catalogue import CatalogueQuery, Param, load_catalogue, term_for

CATALOGUE = load_catalogue()


def rows(kg, name: str, **params: str) -> list[dict]:  # type: ignore[no-untyped-def]
    result = kg.query(name, params)
    return [
        {k: (curie(v) if isinstance(v, str) and v.startswith("https://w3id.org/") else v) for k, v in r.items()}
        for r in result.records()
    ]


def test_catalogue_answers_at_least_15_competency_questions() -> None:
    assert len(CATALOGUE) >= 15
    for q in CATALOGUE.values():
        assert q.title and q.title != q.name, q.name
        assert q.description, q.name
        assert q.competency.endswith("?"), f"{q.name}: competency question missing"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_query_runs_on_the_fixture(fixture_kg, name: str) -> None:  # type: ignore[no-untyped-def]
    q = CATALOGUE[name]
    params = {
        p.name: {"risk": "mit:4.2", "taxonomy": "mit", "capability": "cbrn-uplift"}.get(p.type, p.default or "")
        for p in q.params
    }
    result = fixture_kg.query(name, params)
    assert result.vars, name


EXPECTED = {
    ("taxonomies", ()): [("mit", 5, 5), ("nist600", 2, 2)],
}


def test_taxonomies(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = [(r["prefix"], r["concepts"], r["published"]) for r in rows(fixture_kg, "taxonomies")]
    assert got == [("mit", 5, 5), ("nist600", 2, 2)]


def test_risks_in_taxonomy(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = [(r["code"], r["broader"], r["severity"]) for r in rows(fixture_kg, "risks-in-taxonomy", taxonomy="mit")]
    assert got == [("1", None, None), ("1.1", "1", 3), ("1.2", "1", None), ("4", None, None), ("4.2", "4", 5)]


def test_tests_for_mit_domain_includes_narrower_concepts(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = {(r["test"], r["risk"]) for r in rows(fixture_kg, "tests-for-mit-domain", domain="mit:4")}
    assert got == {("test:wmdp", "mit:4.2"), ("test:cybench", "mit:4.2")}
    got1 = {(r["test"], r["risk"]) for r in rows(fixture_kg, "tests-for-mit-domain", domain="mit:1")}
    assert got1 == {("test:bias-bench", "mit:1.1")}


def test_tests_for_risk_gives_evidence(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = sorted((r["test"], r["source"], r["note"]) for r in rows(fixture_kg, "tests-for-risk", risk="nist600:2.1"))
    assert got == [
        ("test:wmdp", "src:src-a", "Measures CBRN knowledge."),
        ("test:wmdp", "src:src-b", "Measures CBRN knowledge."),
    ]


def test_mitigations_for_capability(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = {
        (r["risk"], r["mitigation"]) for r in rows(fixture_kg, "mitigations-for-capability", capability="cbrn-uplift")
    }
    assert got == {("mit:4.2", "mtg:unlearning"), ("nist600:2.1", "mtg:unlearning")}
    got2 = {
        (r["risk"], r["mitigation"]) for r in rows(fixture_kg, "mitigations-for-capability", capability="persuasion")
    }
    assert got2 == {("mit:1.2", "mtg:content-filter")}


def test_crosswalk_looks_both_ways(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    out = rows(fixture_kg, "crosswalk", risk="nist600:2.1")
    assert [(r["direction"], r["other"], r["confidence"]) for r in out] == [("outgoing", "mit:4.2", 0.8)]
    assert out[0]["justification"] == "Both name weapons harms."
    back = rows(fixture_kg, "crosswalk", risk="mit:4.2")
    assert [(r["direction"], r["other"], r["taxonomy"]) for r in back] == [("incoming", "nist600:2.1", "nist600")]


def test_joint_exercises(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    (r,) = rows(fixture_kg, "joint-exercises")
    assert r["exercise"] == "exercise:joint-x"
    assert set(r["organisations"].split("; ")) == {"UK institute", "US institute"}
    assert r["models"] == "Model X" and r["domains"] == "Weapons and cyberattacks" and r["date"] == "2024-11-19"


def test_unmeasured_capabilities(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    assert [(r["capability"], r["enables"]) for r in rows(fixture_kg, "unmeasured-capabilities")] == [
        ("cap:persuasion", "mit:1.2")
    ]


def test_untested_leaf_risks(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    assert [r["code"] for r in rows(fixture_kg, "untested-leaf-risks", taxonomy="mit")] == ["1.2"]
    # nist600:2.1 is tested directly; 2.2 has only a relatedMatch, which never counts
    assert [r["code"] for r in rows(fixture_kg, "untested-leaf-risks", taxonomy="nist600")] == ["2.2"]


def test_mitigated_but_untested(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    assert [(r["code"], r["mitigations"]) for r in rows(fixture_kg, "mitigated-but-untested", taxonomy="mit")] == [
        ("1.2", 1)
    ]


def test_tests_by_method_type(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = {
        r["methodType"]: (r["tests"], r["risks"], r["capabilities"]) for r in rows(fixture_kg, "tests-by-method-type")
    }
    assert got == {"mtype:static-mcq": (2, 3, 1), "mtype:agentic-task-suite": (1, 1, 0)}


def test_single_source_links(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = {(r["subject"], r["object"]) for r in rows(fixture_kg, "single-source-links")}
    assert ("test:wmdp", "nist600:2.1") not in got  # two sources
    assert ("test:wmdp", "mit:4.2") in got and ("nist600:2.2", "mit:1.2") in got
    assert len(got) == 11


def test_capability_risks(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = {(r["capability"], r["risk"], r["measuredBy"]) for r in rows(fixture_kg, "capability-risks")}
    assert got == {
        ("cap:cbrn-uplift", "mit:4.2", 1),
        ("cap:cbrn-uplift", "nist600:2.1", 1),
        ("cap:persuasion", "mit:1.2", 0),
    }


def test_tests_for_capability(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = [
        (r["test"], r["year"], r["maintainer"])
        for r in rows(fixture_kg, "tests-for-capability", capability="cbrn-uplift")
    ]
    assert got == [("test:wmdp", "2024", "Org A")]


def test_mapping_coverage(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    got = {
        (r["from"], r["to"], r["predicate"].rsplit("#", 1)[-1], r["mappings"])
        for r in rows(fixture_kg, "mapping-coverage")
    }
    assert got == {("nist600", "mit", "closeMatch", 1), ("nist600", "mit", "relatedMatch", 1)}


def test_governance_timeline(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    assert [(r["date"], r["kind"]) for r in rows(fixture_kg, "governance-timeline")] == [
        ("2024-04-01", "event"),
        ("2024-11-19", "report"),
    ]


def test_risks_without_mitigation(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    assert [r["code"] for r in rows(fixture_kg, "risks-without-mitigation", taxonomy="mit")] == ["1.1", "1", "4"]


def test_model_exercises(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    (r,) = rows(fixture_kg, "model-exercises")
    assert (r["developer"], r["model"]) == ("Org A", "Model X")
    assert set(r["testers"].split("; ")) == {"UK institute", "US institute"}


def test_unknown_query_suggests_names(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound, match="did you mean crosswalk"):
        fixture_kg.query("crosswalks", {})


def test_unknown_parameter_is_an_error(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match="has no parameter 'bogus'"):
        fixture_kg.query("crosswalk", {"bogus": "x"})


@pytest.mark.parametrize(
    "ptype,raw",
    [
        ("risk", "mit:4.2> } ; DROP ALL ; { <x"),
        ("iri", "http://x> . ?s ?p ?o"),
        ("int", "1; DROP"),
        ("risk", "nosuchprefix:1"),
    ],
)
def test_parameters_cannot_change_the_query(ptype: str, raw: str) -> None:
    with pytest.raises(QueryError):
        term_for(Param("p", ptype, None, ""), raw)


def test_string_parameters_are_escaped() -> None:
    assert term_for(Param("p", "string", None, ""), 'a" } DROP ALL { "') == '"a\\" } DROP ALL { \\""'


def test_render_replaces_every_placeholder() -> None:
    q = CatalogueQuery("x", "t", "d", "SELECT * { {{r}} ?p ?o }", (Param("r", "risk", "mit:1", ""),))
    assert q.render() == "SELECT * { <https://w3id.org/airisk/id/risk/mit/1> ?p ?o }"
