"""What the endpoint serves for an entity IRI: its description as triples and as a plain view.

A GET on ``/id/...`` (the path of ``https://w3id.org/airisk/id/...``) answers with the entity's
description: its own statements, the statements that point to it, the evidence of its claims
(``owl:Axiom`` nodes with sources and rationale) and the labels of its neighbours. The same
triples become Turtle / JSON-LD, or the :class:`EntityView` that the HTML page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.core.namespaces import BASE, ID
from graph.store.oxigraph import Term

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
LABEL_PROPS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
)
TEXT_PROPS = ("http://www.w3.org/2004/02/skos/core#definition", "http://purl.org/dc/terms/description")
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
DCT_SOURCE = "http://purl.org/dc/terms/source"
CONFIDENCE = BASE + "ontology#confidence"
ONTOLOGY_GRAPH = ID + "graph/ontology"
ONTOLOGY_IRI = BASE + "ontology"


def iri_for_path(path: str) -> str:
    """The IRI that a local path names: ``/id/risk/mit/4.2`` -> ``https://w3id.org/airisk/id/risk/mit/4.2``."""
    return BASE + path.lstrip("/")


def local_path(iri: str) -> str | None:
    """The endpoint path that serves ``iri``, or None for IRIs outside this graph."""
    if iri.startswith(ID):
        return "/" + iri[len(BASE) :]
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology"
    return None


def _safe_iri(iri: str) -> str:
    bad = set('<>"{}|^`\\ \n\r\t')
    if any(c in bad for c in iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return iri


def describe_query(iri: str) -> str:
    """CONSTRUCT the description of ``iri`` (statements, incoming links, evidence, labels)."""
    e = f"<{_safe_iri(iri)}>"
    labels = " ".join(f"<{p}>" for p in LABEL_PROPS)
    return f"""CONSTRUCT {{
  {e} ?p ?o . ?o ?lp ?ol . ?s ?q {e} . ?s ?sl ?slabel . ?ax ?ap ?ao . ?ao ?alp ?aol .
}} WHERE {{
  {{ {e} ?p ?o . OPTIONAL {{ VALUES ?lp {{ {labels} }} ?o ?lp ?ol }} }}
  UNION {{ ?s ?q {e} . OPTIONAL {{ VALUES ?sl {{ {labels} }} ?s ?sl ?slabel }} }}
  UNION {{ ?ax <{OWL}annotatedSource> {e} ; ?ap ?ao . OPTIONAL {{ VALUES ?alp {{ {labels} }} ?ao ?alp ?aol }} }}
}}"""


def ontology_query() -> str:
    """CONSTRUCT the ontology graph."""
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"


@dataclass
class Statement:
    """One property of the entity (outgoing or incoming), with the other end's label."""

    prop: Term
    other: Term
    label: str | None = None


@dataclass
class Evidence:
    """The evidence of one claim the entity makes (an ``owl:Axiom`` on ``entity prop target``)."""

    prop: Term
    target: Term
    target_label: str | None
    sources: list[tuple[Term, str | None]] = field(default_factory=list)
    rationale: str | None = None
    confidence: str | None = None


@dataclass
class EntityView:
    """A plain description of one entity, for the HTML page."""

    iri: str
    label: str | None
    description: str | None
    types: list[Term]
    outgoing: list[Statement]
    incoming: list[Statement]
    evidence: list[Evidence]

    @property
    def exists(self) -> bool:
        return bool(self.types or self.outgoing or self.incoming)


def entity_view(iri: str, triples: list[tuple[Term, Term, Term]]) -> EntityView:
    """Build the :class:`EntityView` of ``iri`` from the answer of :func:`describe_query`."""
    # skos:prefLabel wins over rdfs:label over dcterms:title (then the smallest text, for stability).
    ranked: dict[Term, tuple[int, str]] = {}
    for s, p, o in triples:
        if p.value in LABEL_PROPS and o.kind == "literal":
            candidate = (LABEL_PROPS.index(p.value), o.value)
            if s not in ranked or candidate < ranked[s]:
                ranked[s] = candidate
    labels = {s: text for s, (_, text) in ranked.items()}
    me = Term("uri", iri)
    out = sorted({(p, o) for s, p, o in triples if s == me})
    axioms: dict[Term, dict[str, list[Term]]] = {}
    for s, p, _ in triples:
        if s != me and s.kind in ("uri", "bnode") and p.value.startswith(OWL + "annotated"):
            axioms.setdefault(s, {})
    for s, p, o in triples:
        if s in axioms:
            axioms[s].setdefault(p.value, []).append(o)
    evidence: list[Evidence] = []
    for props in axioms.values():
        if props.get(OWL + "annotatedSource") != [me]:
            continue
        prop = props.get(OWL + "annotatedProperty", [Term("uri", "")])[0]
        target = props.get(OWL + "annotatedTarget", [Term("literal", "")])[0]
        evidence.append(
            Evidence(
                prop=prop,
                target=target,
                target_label=labels.get(target),
                sources=sorted((src, labels.get(src)) for src in props.get(DCT_SOURCE, [])),
                rationale=_first(props.get(COMMENT)),
                confidence=_first(props.get(CONFIDENCE)),
            )
        )
    evidence.sort(key=lambda ev: (ev.prop, ev.target))
    axiom_nodes = set(axioms)
    incoming = sorted(
        {(s, p) for s, p, o in triples if o == me and s != me and s not in axiom_nodes}, key=lambda sp: (sp[1], sp[0])
    )
    description: str | None = None
    for text_prop in TEXT_PROPS:
        description = description or _first([o for p, o in out if p.value == text_prop])
    return EntityView(
        iri=iri,
        label=labels.get(me),
        description=description,
        types=[o for p, o in out if p.value == RDF_TYPE],
        outgoing=[Statement(p, o, labels.get(o)) for p, o in out if p.value != RDF_TYPE],
        incoming=[Statement(p, s, labels.get(s)) for s, p in incoming],
        evidence=evidence,
    )


def _first(terms: list[Term] | None) -> str | None:
    return terms[0].value if terms else None
