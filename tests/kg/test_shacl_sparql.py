"""The shapes' sh:sparql constraints as whole-graph queries give exactly pySHACL's per-node results."""

from __future__ import annotations

import pytest
from rdflib import Graph

from graph.validation.sparql_checks import data_store, run_sparql_checks, split_shapes
from graph.validation.validate import load_shapes, run_shacl

from .test_shapes import CASES, SHAPES
from .test_shapes import built as built  # noqa: F401  (the fixture)


def described(problems: list) -> list[tuple[str, str, str, str]]:  # type: ignore[type-arg]
    return sorted((p.location.record or "", p.location.field or "", p.severity, p.message) for p in problems)


@pytest.mark.parametrize("name,breaker,record,message", CASES, ids=[c[0] for c in CASES])
def test_whole_graph_checks_equal_pyshacl_per_focus_node(built, name, breaker, record, message) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    for t in built.graph:
        g.add(t)
    breaker(g)
    fast = run_shacl(g, built.locations, SHAPES)
    reference = run_shacl(g, built.locations, SHAPES, sparql_per_focus=True)
    assert described(fast) == described(reference)
    assert any(message in p.message for p in fast)


def test_split_leaves_no_sparql_constraint_for_pyshacl() -> None:
    plain, checks = split_shapes(load_shapes())
    sh_sparql = "http://www.w3.org/ns/shacl#sparql"
    assert not [t for t in plain if str(t[1]) == sh_sparql]
    assert len(checks) == len([t for t in load_shapes() if str(t[1]) == sh_sparql]) >= 5
    assert all("$this" not in c.query for c in checks)


SHAPES_TTL = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:decl sh:declare [ sh:prefix "ex" ; sh:namespace "urn:ex:"^^xsd:anyURI ] ,
  [ sh:prefix "rdfs" ; sh:namespace "http://www.w3.org/2000/01/rdf-schema#"^^xsd:anyURI ] .
ex:NodeTarget a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:prefixes ex:decl ;
  sh:message "{$this} points to {?o}" ; sh:select "SELECT $this ?o WHERE { $this ex:p ?o }" ] .
ex:ObjectsTarget a sh:NodeShape ; sh:targetObjectsOf ex:p ; sh:severity sh:Warning ; sh:sparql [ sh:prefixes ex:decl ;
  sh:message "object {$this} has no label" ;
  sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this rdfs:label ?l } }" ] .
ex:Thing a sh:NodeShape , rdfs:Class ; sh:sparql [ sh:prefixes ex:decl ; sh:message "thing {$this} lacks q" ;
  sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this ex:q ?x } }" ] .
ex:Off a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:deactivated true ; sh:prefixes ex:decl ;
  sh:message "never" ; sh:select "SELECT $this WHERE { }" ] .
"""
DATA_TTL = """@prefix ex: <urn:ex:> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a ex:p ex:b , ex:c . ex:c rdfs:label "c" . ex:t1 a ex:Thing . ex:t2 a ex:Sub ; ex:q 1 . ex:t3 a ex:Sub .
ex:Sub rdfs:subClassOf ex:Thing .
"""


def test_targets_messages_and_severities_follow_shacl() -> None:
    shapes = Graph().parse(data=SHAPES_TTL, format="turtle")
    data = Graph().parse(data=DATA_TTL, format="turtle")
    _plain, checks = split_shapes(shapes)
    found = sorted(
        (f.focus, f.message, f.severity.rsplit("#", 1)[-1]) for f in run_sparql_checks(data_store(data), checks)
    )
    assert found == [
        ("urn:ex:a", "urn:ex:a points to urn:ex:b", "Violation"),
        ("urn:ex:a", "urn:ex:a points to urn:ex:c", "Violation"),
        ("urn:ex:b", "object urn:ex:b has no label", "Warning"),
        ("urn:ex:t1", "thing urn:ex:t1 lacks q", "Violation"),
        ("urn:ex:t3", "thing urn:ex:t3 lacks q", "Violation"),
    ]
    fast = run_shacl(data, {}, shapes)
    reference = run_shacl(data, {}, shapes, sparql_per_focus=True)
    assert described(fast) == described(reference)


def test_validation_leaves_the_data_graph_as_it_was(built) -> None:  # type: ignore[no-untyped-def]
    # pySHACL runs in place (no copy of the graph): only sound while no shape adds triples.
    rule = "http://www.w3.org/ns/shacl#rule"
    assert not [t for t in load_shapes() if str(t[1]) == rule]
    g = Graph()
    for t in built.graph:
        g.add(t)
    before = set(g)
    run_shacl(g, built.locations, SHAPES)
    assert set(g) == before
