"""The triple writer shared by the builders: plain triples, and claims with their evidence node.

Every link that is a claim is written twice (``docs/decisions/0002-evidence-on-links.md``): the
plain triple and an ``owl:Axiom`` evidence node naming it, with its sources, rationale and extras.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD as RDFLIB_XSD

from graph.core.errors import Location
from graph.core.load import CURIE_RE
from graph.core.namespaces import AR, DCTERMS, OWL, RDF, RDFS, entity_iri, link_iri, risk_iri


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
