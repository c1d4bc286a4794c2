"""Turn a checked :class:`~graph.core.load.Dataset` into RDF (an rdflib ``Graph``).

Every link that is a claim is written twice (see ``docs/decisions/0002-evidence-on-links.md``):
the plain triple, which plain SPARQL counts and follows, and an ``owl:Axiom`` evidence node
(``ar:Evidence``) naming the same triple with ``owl:annotatedSource/Property/Target`` and
carrying its sources (``dcterms:source``), rationale (``rdfs:comment``), and for mappings the
SEMAPV justification, confidence and author.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD as RDFLIB_XSD

from graph.core.errors import Location
from graph.core.load import CURIE_RE, Concept, Dataset, Mapping, Record, link_items, nested_items
from graph.core.namespaces import (
    AR,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SEMAPV,
    SKOS,
    VANN,
    association_iri,
    entity_iri,
    link_iri,
    outcome_iri,
    person_slug,
    risk_iri,
    risk_namespace,
    scheme_iri,
)
from graph.core.schema import LINK_PROPERTIES
from graph.core.versions import version_triples

CLASS_OF_KIND = {
    "capability": [AR.Capability, SKOS.Concept],
    "test_method": [AR.TestMethod, PROV.Plan],
    "mitigation": [AR.Mitigation, SKOS.Concept],
    "method_type": [AR.MethodType, SKOS.Concept],
    "mitigation_type": [AR.MitigationType, SKOS.Concept],
    "organisation": [AR.Organisation, PROV.Organization, FOAF.Organization],
    "model": [AR.AIModel, PROV.Entity],
    "report": [AR.EvaluationReport, PROV.Entity, DCTERMS.BibliographicResource],
    "event": [AR.GovernanceEvent, PROV.Activity],
    "source": [AR.Source, DCTERMS.BibliographicResource, PROV.Entity],
}

#: Vocabularies of our own whose members are SKOS concepts in a scheme of ours.
OWN_SCHEMES = {
    "capability": "capabilities",
    "method_type": "method-types",
    "mitigation_type": "mitigation-types",
    "mitigation": "mitigations",
}

PLAIN_FIELDS: dict[str, URIRef] = {
    "title": DCTERMS.title,
    "publisher": DCTERMS.publisher,
    "authors": DCTERMS.creator,
    "licence": DCTERMS.license,
    "country": AR.country,
    "org_type": AR.orgType,
    "event_type": AR.eventType,
    "kind": AR.sourceKind,
    "doi": AR.doi,
    "note": RDFS.comment,
}
REF_FIELDS: dict[str, tuple[URIRef, str]] = {
    "method_type": (AR.methodType, "method_type"),
    "mitigation_type": (AR.mitigationType, "mitigation_type"),
    "maintainer": (AR.maintainer, "organisation"),
    "developer": (AR.developer, "organisation"),
    "parent": (AR.parentOrganisation, "organisation"),
}
#: Event relations: each is a claim, written with evidence from the record's sources.
CLAIM_LIST_FIELDS: dict[str, tuple[URIRef, str]] = {
    "organisations": (PROV.wasAssociatedWith, "organisation"),
}


def date_literal(text: str) -> Literal:
    """Type a ``YYYY[-MM[-DD]]`` string as xsd:gYear, xsd:gYearMonth or xsd:date."""
    if len(text) == 4:
        return Literal(text, datatype=RDFLIB_XSD.gYear)
    if len(text) == 7:
        return Literal(text, datatype=RDFLIB_XSD.gYearMonth)
    return Literal(text, datatype=RDFLIB_XSD.date)


def resolve_risk(curie: str) -> URIRef | None:
    """Return the IRI of a risk CURIE ``prefix:code`` (any prefix)."""
    m = CURIE_RE.match(curie)
    return risk_iri(m.group(1), m.group(2)) if m else None


class Builder:
    """Collects the triples of a build and where each subject was defined."""

    def __init__(self) -> None:
        self.g = Graph()
        self.locations: dict[str, Location] = {}

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.g.add((s, p, o))

    def text(self, s: URIRef, p: URIRef, value: Any, lang: bool = True) -> None:
        if value is None:
            return
        self.add(s, p, Literal(str(value), lang="en") if lang else Literal(str(value)))

    def sources(self, s: URIRef, ids: Any) -> None:
        for src in ids or []:
            self.add(s, DCTERMS.source, entity_iri("source", str(src)))

    def claim(
        self,
        s: URIRef,
        p: URIRef,
        o: URIRef | Literal,
        sources: Any,
        note: Any = None,
        loc: Location | None = None,
        extra: dict[URIRef, Any] | None = None,
    ) -> URIRef:
        self.add(s, p, o)
        ax = link_iri(str(s), str(p), str(o))
        self.add(ax, RDF.type, OWL.Axiom)
        self.add(ax, RDF.type, AR.Evidence)
        self.add(ax, OWL.annotatedSource, s)
        self.add(ax, OWL.annotatedProperty, p)
        self.add(ax, OWL.annotatedTarget, o)
        self.sources(ax, sources)
        if note:
            self.text(ax, RDFS.comment, note)
        for prop, value in (extra or {}).items():
            if value is not None:
                self.add(ax, prop, value if isinstance(value, (URIRef, Literal)) else Literal(value))
        if loc:
            self.locations[str(ax)] = loc
        return ax


@dataclass
class BuildResult:
    """The built graph and, for every subject IRI, where it was defined."""

    graph: Graph
    locations: dict[str, Location] = field(default_factory=dict)


def build_graph(ds: Dataset) -> BuildResult:
    """Build the RDF graph of the curated data (not the ontology)."""
    b = Builder()
    for tax in ds.taxonomies.values():
        _build_taxonomy(b, tax.prefix, tax.header, list(tax.concepts.values()))
    for records in ds.records.values():
        for rec in records.values():
            _build_record(b, rec)
    for scheme_slug in sorted(set(OWN_SCHEMES.values())):
        s = URIRef(f"{scheme_iri(scheme_slug)}")
        b.add(s, RDF.type, SKOS.ConceptScheme)
        b.add(s, RDFS.label, Literal(f"AI Risk Graph {scheme_slug.replace('-', ' ')}", lang="en"))
    for m in ds.mappings:
        _build_mapping(b, m)
    version_triples(ds, b.claim, b.add)
    for item in ds.not_applicable:
        risk = resolve_risk(str(item.get("risk")))
        if risk is not None:
            b.claim(
                risk,
                AR.notApplicable,
                Literal(True),
                item.get("sources"),
                item.get("note"),
                item.loc("risk", str(item.get("risk"))),
                {AR.locator: Literal(str(item["locator"]))} if "locator" in item else None,
            )
    return BuildResult(b.g, b.locations)


def _build_taxonomy(b: Builder, prefix: str, header: Any, concepts: list[Concept]) -> None:
    s = scheme_iri(prefix)
    b.locations[str(s)] = header.loc(None, prefix)
    b.add(s, RDF.type, AR.Taxonomy)
    b.add(s, RDF.type, SKOS.ConceptScheme)
    b.text(s, DCTERMS.title, header.get("title"))
    b.text(s, RDFS.label, header.get("title"))
    b.text(s, DCTERMS.publisher, header.get("publisher"), lang=False)
    b.text(s, OWL.versionInfo, header.get("version"), lang=False)
    if header.get("issued"):
        b.add(s, DCTERMS.issued, date_literal(str(header["issued"])))
    b.text(s, DCTERMS.license, header.get("licence"), lang=False)
    if header.get("url"):
        b.add(s, FOAF.page, URIRef(str(header["url"])))
    b.text(s, DCTERMS.description, header.get("description"))
    b.add(s, AR.prefix, Literal(prefix))
    b.add(s, VANN.preferredNamespacePrefix, Literal(prefix))
    b.add(s, VANN.preferredNamespaceUri, Literal(risk_namespace(prefix), datatype=RDFLIB_XSD.anyURI))
    if isinstance(header.get("published_concept_count"), int):
        b.add(s, AR.publishedConceptCount, Literal(header["published_concept_count"]))
    b.sources(s, header.get("sources"))
    for concept in concepts:
        _build_concept(b, s, concept)


def _build_concept(b: Builder, scheme: URIRef, concept: Concept) -> None:
    data = concept.data
    c = risk_iri(concept.prefix, concept.code)
    b.locations[str(c)] = concept.loc()
    b.add(c, RDF.type, AR.RiskCategory)
    b.add(c, RDF.type, SKOS.Concept)
    b.add(c, SKOS.inScheme, scheme)
    b.add(c, SKOS.notation, Literal(concept.code))
    b.add(c, DCTERMS.identifier, Literal(concept.curie))
    b.text(c, SKOS.prefLabel, data.get("label"))
    b.text(c, RDFS.label, data.get("label"))
    b.text(c, SKOS.definition, data.get("description"))
    b.text(c, DCTERMS.description, data.get("description"))
    for alias in data.get("aliases") or []:
        b.text(c, SKOS.altLabel, alias)
    b.sources(c, data.get("sources"))
    broader = data.get("broader")
    if broader is not None:
        parent = risk_iri(concept.prefix, str(broader))
        b.add(c, SKOS.broader, parent)
        b.add(parent, SKOS.narrower, c)
    else:
        b.add(c, SKOS.topConceptOf, scheme)
        b.add(scheme, SKOS.hasTopConcept, c)
    sev = data.get("severity")
    if isinstance(sev, dict) and isinstance(sev.get("level"), int):
        b.claim(
            c,
            AR.severity,
            Literal(sev["level"]),
            sev.get("sources"),
            sev.get("note"),
            concept.loc("severity"),
        )


def _build_record(b: Builder, rec: Record) -> None:
    if rec.kind == "report":
        build_report(b, rec)
        return
    s = entity_iri(rec.kind, rec.id)
    data = rec.data
    b.locations[str(s)] = rec.loc()
    for cls in CLASS_OF_KIND[rec.kind]:
        b.add(s, RDF.type, cls)
    if rec.kind in OWN_SCHEMES:
        b.add(s, SKOS.inScheme, scheme_iri(OWN_SCHEMES[rec.kind]))
    b.add(s, DCTERMS.identifier, Literal(rec.id))
    name = data.get("name") or data.get("label") or data.get("title")
    b.text(s, RDFS.label, name)
    if rec.kind in OWN_SCHEMES:
        b.text(s, SKOS.prefLabel, name)
    b.text(s, DCTERMS.description, data.get("description"))
    for alias in data.get("aliases") or []:
        b.text(s, SKOS.altLabel, alias)
    for key, prop in PLAIN_FIELDS.items():
        if key in data and not (key == "title" and rec.kind != "source"):
            b.text(s, prop, data[key], lang=key in ("title", "note"))
    for key, (prop, kind) in REF_FIELDS.items():
        if key in data:
            b.add(s, prop, entity_iri(kind, str(data[key])))
    if "url" in data:
        b.add(s, FOAF.page, URIRef(str(data["url"])))
    for key in ("date", "release_date"):
        if key in data:
            b.add(s, DCTERMS.date if key == "date" else DCTERMS.issued, date_literal(str(data[key])))
    if "year" in data:
        b.add(s, AR.year, Literal(str(data["year"]), datatype=RDFLIB_XSD.gYear))
    if isinstance(data.get("open_weights"), bool):
        b.add(s, AR.openWeights, Literal(data["open_weights"]))
    if rec.kind == "event":
        build_signatories(b, rec)
    for mod in data.get("modality") or []:
        b.add(s, AR.modality, Literal(str(mod)))
    for task in data.get("inspect_task") or []:
        b.add(s, AR.inspectTask, Literal(str(task)))
    b.sources(s, data.get("sources"))
    for key, (prop, kind) in CLAIM_LIST_FIELDS.items():
        for value in data.get(key) or []:
            target = resolve_risk(str(value)) if kind == "risk" else entity_iri(kind, str(value))
            if target is not None:
                b.claim(s, prop, target, data.get("sources"), None, rec.loc(key))
    for field_name, link in link_items(rec):
        prop_name, target_kind = LINK_PROPERTIES[field_name]
        value = str(link.get(target_kind))
        target = resolve_risk(value) if target_kind == "risk" else entity_iri(target_kind, value)
        if target is None:
            continue
        extra: dict[URIRef, Any] = {}
        if "confidence" in link:
            extra[AR.confidence] = Literal(float(link["confidence"]), datatype=RDFLIB_XSD.decimal)
        if "locator" in link:
            extra[AR.locator] = Literal(str(link["locator"]))
        if "role" in link:
            extra[AR.linkRole] = AR[LINK_ROLES[str(link["role"])]]
            extra[AR.roleNote] = Literal(str(link.get("role_note", "")), lang="en")
        b.claim(s, AR[prop_name], target, link.get("sources"), link.get("note"), link.loc(target_kind, rec.id), extra)


#: YAML ``role`` of a capability -> risk link -> the ontology individual.
LINK_ROLES = {"evidence": "EvidenceRole", "context": "ContextRole"}


def _build_mapping(b: Builder, m: Mapping) -> None:
    s, o = resolve_risk(m.subject), resolve_risk(m.object)
    if s is None or o is None or not m.predicate.startswith("skos:"):
        return
    pred = SKOS[m.predicate[5:]]
    extra: dict[URIRef, Any] = {
        AR.justification: SEMAPV[m.justification[7:]] if m.justification.startswith("semapv:") else None,
        AR.mappingSet: URIRef(m.mapping_set) if m.mapping_set.startswith("http") else None,
        DCTERMS.creator: entity_iri("organisation", m.author[4:]) if m.author.startswith("org:") else None,
    }
    if m.confidence is not None:
        extra[AR.confidence] = Literal(str(m.confidence), datatype=RDFLIB_XSD.decimal)
    sources = [src[4:] for src in m.sources if src.startswith("src:")]
    ax = b.claim(s, pred, o, sources, m.comment, m.loc(), extra)
    b.add(ax, RDF.type, AR.Mapping)


# ---------------------------------------------------------------- evaluation reports and signatories
# See docs/decisions/0008-evaluation-reports.md.


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
