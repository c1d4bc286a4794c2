"""RDF of evaluation reports and of the signatories of governance events.

See ``docs/decisions/0008-evaluation-reports.md``: a report ``report:{id}`` (``ar:EvaluationReport``,
a ``prov:Entity``) ``prov:wasGeneratedBy`` its testing activity ``exercise:{id}``
(``ar:TestingExercise``, a ``prov:Activity``). The activity carries who tested, what, when, with
what access and which methods (each method use a claim with note, locator and sources); the report
carries its title, date, URL, type and outcomes.
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef

from graph.core.load import Record, nested_items
from graph.core.namespaces import (
    AR,
    DCTERMS,
    FOAF,
    PROV,
    RDF,
    RDFS,
    association_iri,
    entity_iri,
    outcome_iri,
    person_slug,
)
from graph.core.triples import Builder, date_literal, resolve_risk

#: Report fields that are relations of the testing activity: a claim each, with the report's sources.
ACTIVITY_RELATIONS: dict[str, tuple[URIRef, str]] = {
    "testers": (PROV.wasAssociatedWith, "organisation"),
    "commissioned_by": (AR.commissionedBy, "organisation"),
    "models": (AR.testedModel, "model"),
    "reference_models": (AR.referenceModel, "model"),
    "capabilities": (AR.coversCapability, "capability"),
    "domains": (AR.coversRisk, "risk"),
}


def exercise_slug(rec: Record) -> str:
    """The IRI slug of a report's testing activity: its ``exercise`` field, else the report id."""
    return str(rec.data.get("exercise") or rec.id)


def build_report(b: Builder, rec: Record) -> None:
    """Write one report record: the report, its testing activity, method uses and outcomes."""
    data = rec.data
    r = entity_iri("report", rec.id)
    ex = entity_iri("exercise", exercise_slug(rec))
    b.locations[str(r)] = rec.loc()
    b.locations[str(ex)] = rec.loc()
    for cls in (AR.EvaluationReport, PROV.Entity, DCTERMS.BibliographicResource):
        b.add(r, RDF.type, cls)
    b.add(ex, RDF.type, AR.TestingExercise)
    b.add(ex, RDF.type, PROV.Activity)
    b.add(r, DCTERMS.identifier, Literal(rec.id))
    b.add(ex, DCTERMS.identifier, Literal(exercise_slug(rec)))
    title = data.get("title")
    b.text(r, RDFS.label, title)
    b.text(r, DCTERMS.title, title)
    b.text(ex, RDFS.label, f"Testing reported in {title}")
    b.text(r, DCTERMS.description, data.get("description"))
    for alias in data.get("aliases") or []:
        b.text(r, DCTERMS.alternative, alias)
    if data.get("published"):
        b.add(r, DCTERMS.issued, date_literal(str(data["published"])))
    if data.get("url"):
        b.add(r, FOAF.page, URIRef(str(data["url"])))
        b.add(ex, AR.report, URIRef(str(data["url"])))
    b.add(r, PROV.wasGeneratedBy, ex)
    for key, kind, prop, target in (
        ("report_type", "report_type", AR.reportType, r),
        ("tester_kind", "tester_kind", AR.testerKind, ex),
        ("access", "access", AR.access, ex),
    ):
        if key in data:
            b.add(target, prop, entity_iri(kind, str(data[key])))
    for key, prop in (("testing_start", PROV.startedAtTime), ("testing_end", PROV.endedAtTime)):
        if key in data:
            b.add(ex, prop, date_literal(str(data[key])))
    sources = data.get("sources")
    b.sources(r, sources)
    b.sources(ex, sources)
    for key, (prop, kind) in ACTIVITY_RELATIONS.items():
        for value in data.get(key) or []:
            obj = resolve_risk(str(value)) if kind == "risk" else entity_iri(kind, str(value))
            if obj is not None:
                b.claim(ex, prop, obj, sources, None, rec.loc(key))
    for use in nested_items(rec, "methods"):
        extra: dict[URIRef, Any] = {}
        if "locator" in use:
            extra[AR.locator] = Literal(str(use["locator"]))
        method = entity_iri("test_method", str(use.get("method")))
        b.claim(ex, AR.usedTestMethod, method, use.get("sources"), use.get("note"), use.loc("method", rec.id), extra)
    for out in nested_items(rec, "outcomes"):
        _build_outcome(b, rec, r, out)


def _build_outcome(b: Builder, rec: Record, report: URIRef, out: Any) -> None:
    if "risk" in out:
        target, prop = resolve_risk(str(out["risk"])), AR.aboutRisk
    else:
        target, prop = entity_iri("capability", str(out.get("capability"))), AR.aboutCapability
    if target is None:
        return
    verdict = str(out.get("verdict"))
    o = outcome_iri(rec.id, str(target), verdict)
    b.locations[str(o)] = out.loc(None, rec.id)
    b.add(report, AR.statesOutcome, o)
    b.add(o, RDF.type, AR.Outcome)
    b.add(o, prop, target)
    b.add(o, AR.verdict, entity_iri("verdict", verdict))
    b.text(o, RDFS.label, f"{verdict.replace('-', ' ')}: {out.get('risk') or out.get('capability')}")
    b.text(o, RDFS.comment, out.get("note"))
    b.sources(o, out.get("sources"))


def build_signatories(b: Builder, rec: Record) -> None:
    """Write the signatories of an event: a person each, and the association with role and organisation."""
    event = entity_iri("event", rec.id)
    for item in nested_items(rec, "signatories"):
        name = str(item.get("name"))
        slug = person_slug(name)
        person = entity_iri("person", slug)
        b.locations.setdefault(str(person), item.loc("name", rec.id))
        b.add(person, RDF.type, FOAF.Person)
        b.add(person, RDF.type, PROV.Person)
        b.add(person, FOAF.name, Literal(name))
        b.text(person, RDFS.label, name)
        b.claim(event, PROV.wasAssociatedWith, person, rec.data.get("sources"), None, item.loc("name", rec.id))
        assoc = association_iri(rec.id, slug)
        b.locations[str(assoc)] = item.loc(None, rec.id)
        b.add(event, PROV.qualifiedAssociation, assoc)
        b.add(assoc, RDF.type, PROV.Association)
        b.add(assoc, PROV.agent, person)
        b.text(assoc, AR.roleTitle, item.get("role"))
        if "organisation" in item:
            b.add(assoc, AR.onBehalfOf, entity_iri("organisation", str(item["organisation"])))
        b.sources(assoc, rec.data.get("sources"))
