"""Each SHACL shape with a failing fixture: the built fixture graph, broken one way at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph.core.build import build_graph
from graph.core.load import load_dataset
from graph.core.namespaces import AR, DCTERMS, FOAF, OWL, RDFS, SKOS, entity_iri, link_iri, risk_iri, scheme_iri
from graph.validation.validate import load_shapes, run_shacl

SHAPES = load_shapes()


@pytest.fixture(scope="module")
def built(fixture_data: Path):  # type: ignore[no-untyped-def]
    return build_graph(load_dataset(fixture_data))


def violations(g: Graph, locations: dict) -> list[str]:  # type: ignore[type-arg]
    return [f"{p.location.record}|{p.message}" for p in run_shacl(g, locations, SHAPES) if p.severity == "error"]


def test_fixture_conforms(built) -> None:  # type: ignore[no-untyped-def]
    assert violations(built.graph, built.locations) == []


WMDP = entity_iri("test_method", "wmdp")
R42 = risk_iri("mit", "4.2")
R11 = risk_iri("mit", "1.1")
N21 = risk_iri("nist600", "2.1")


def drop(s: URIRef, p: URIRef) -> Callable[[Graph], None]:
    return lambda g: g.remove((s, p, None))


CASES: list[tuple[str, Callable[[Graph], None], str, str]] = [
    ("taxonomy title", drop(scheme_iri("mit"), DCTERMS.title), "mit", "taxonomy needs a title"),
    ("taxonomy licence", drop(scheme_iri("mit"), DCTERMS.license), "mit", "taxonomy needs a licence"),
    (
        "taxonomy completeness",
        lambda g: g.set((scheme_iri("nist600"), AR.publishedConceptCount, Literal(12))),
        "nist600",
        "taxonomy is incomplete: 2 concepts in the graph, 12 published",
    ),
    ("risk source", drop(R11, DCTERMS.source), "mit:1.1", "must cite at least one source"),
    ("risk scheme", drop(R11, SKOS.inScheme), "mit:1.1", "must belong to exactly one taxonomy"),
    (
        "risk severity range",
        lambda g: g.set((R42, AR.severity, Literal(9))),
        "mit:4.2",
        "severity must be one integer from 1 to 5",
    ),
    (
        "broader across schemes",
        lambda g: g.add((N21, SKOS.broader, risk_iri("mit", "4"))),
        "nist600:2.1",
        "is in another taxonomy",
    ),
    (
        "mapping inside one scheme",
        lambda g: g.add((R11, SKOS.closeMatch, R42)),
        "mit:1.1",
        "a SKOS mapping must link two different taxonomies",
    ),
    (
        "capability without risk",
        drop(entity_iri("capability", "persuasion"), AR.enablesRisk),
        "persuasion",
        "a capability must enable at least one risk category",
    ),
    (
        "test method type",
        drop(WMDP, AR.methodType),
        "wmdp",
        "exactly one method type",
    ),
    (
        "test method links",
        lambda g: [g.remove((WMDP, p, None)) for p in (AR.assessesRisk, AR.measuresCapability)],
        "wmdp",
        "a test method must assess a risk or measure a capability",
    ),
    (
        "mitigation links",
        drop(entity_iri("mitigation", "content-filter"), AR.mitigatesRisk),
        "content-filter",
        "a mitigation must mitigate at least one risk category",
    ),
    (
        "vocabulary source",
        drop(entity_iri("method_type", "static-mcq"), DCTERMS.source),
        "static-mcq",
        "at least one source",
    ),
    ("organisation label", drop(entity_iri("organisation", "org-a"), RDFS.label), "org-a", "exactly one label"),
    ("model source", drop(entity_iri("model", "model-x"), DCTERMS.source), "model-x", "at least one source"),
    (
        "exercise organisation",
        drop(entity_iri("exercise", "joint-x"), URIRef("http://www.w3.org/ns/prov#wasAssociatedWith")),
        "joint-x",
        "an exercise names at least one organisation",
    ),
    (
        "report date",
        drop(entity_iri("report", "joint-x"), DCTERMS.issued),
        "joint-x",
        "a report needs one publication date",
    ),
    ("event date", drop(entity_iri("event", "mou"), DCTERMS.date), "mou", "an event needs a date"),
    ("source url", drop(entity_iri("source", "src-a"), FOAF.page), "src-a", "a source needs an http(s) URL"),
    (
        "evidence of an unasserted triple",
        lambda g: g.remove((WMDP, AR.assessesRisk, R42)),
        "",
        "evidence names a triple that is not asserted",
    ),
    (
        "link without evidence",
        lambda g: g.add((WMDP, AR.assessesRisk, R11)),
        "wmdp",
        "has no evidence node",
    ),
    (
        "evidence without source",
        drop(
            link_iri(str(WMDP), str(AR.measuresCapability), str(entity_iri("capability", "cbrn-uplift"))),
            DCTERMS.source,
        ),
        "",
        "must cite at least one source",
    ),
    (
        "mapping justification",
        drop(link_iri(str(N21), str(SKOS.closeMatch), str(R42)), AR.justification),
        "",
        "a mapping needs a SEMAPV justification",
    ),
    (
        "mapping author",
        drop(link_iri(str(N21), str(SKOS.closeMatch), str(R42)), DCTERMS.creator),
        "",
        "a mapping needs an author",
    ),
]


@pytest.mark.parametrize("name,breaker,record,message", CASES, ids=[c[0] for c in CASES])
def test_each_shape_catches_its_violation(built, name, breaker, record, message) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    for t in built.graph:
        g.add(t)
    breaker(g)
    found = violations(g, built.locations)
    assert any(message in v and record in v for v in found), found


def test_violation_points_back_to_the_yaml(built, fixture_data: Path) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    for t in built.graph:
        g.add(t)
    g.remove((entity_iri("capability", "persuasion"), AR.enablesRisk, None))
    (p,) = [p for p in run_shacl(g, built.locations, SHAPES) if "enable at least one" in p.message]
    assert p.location.file == "data/capabilities.yaml" and p.location.line == 18 and p.location.field == "enables"


def test_markup_in_a_label_is_a_warning(built) -> None:  # type: ignore[no-untyped-def]
    g = Graph()
    for t in built.graph:
        g.add(t)
    g.set((WMDP, RDFS.label, Literal("<img src=x onerror=alert(1)>")))
    found = [p for p in run_shacl(g, built.locations, SHAPES) if "markup" in p.message]
    assert found and all(p.severity == "warning" for p in found)
    _ = OWL
