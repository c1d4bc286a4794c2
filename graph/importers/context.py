"""What an importer needs to know about the graph it links into, read with a few SPARQL queries.

Importers link imported entities to curated ones (ATLAS tactics, MIT domains and causal codes,
curated test methods, method types, capabilities). They read those from the curated named graph
only, never from other imports, so that an import's triples do not depend on what else is in the
workspace (re-importing the same file gives the same triples). SSSOM mappings may also point at
concepts of other imports; :attr:`Context.other_concepts` lists those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.core.namespaces import risk_iri
from graph.store.kg import GRAPH_CURATED, KnowledgeGraph


@dataclass
class CuratedTestMethod:
    """A curated test method, as the Inspect importer matches evals against it."""

    iri: str
    id: str
    label: str
    aliases: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)


@dataclass
class Context:
    """The curated entities importers may link to (IRIs as plain strings)."""

    #: risk concept IRI -> (taxonomy prefix, code, label) of every curated risk category
    concepts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: taxonomy prefix -> scheme IRI of every curated taxonomy
    schemes: dict[str, str] = field(default_factory=dict)
    test_methods: dict[str, CuratedTestMethod] = field(default_factory=dict)
    #: class local name (``MethodType``, ``Capability``, ``Source`` ...) -> identifiers of curated entities
    ids: dict[str, set[str]] = field(default_factory=dict)
    #: curated risk concept IRI -> its broader concept's IRI, and -> its other names
    broader: dict[str, str] = field(default_factory=dict)
    alt_labels: dict[str, set[str]] = field(default_factory=dict)
    #: risk concept IRIs defined by other imports (for mappings)
    other_concepts: set[str] = field(default_factory=set)
    prefixes: dict[str, str] = field(default_factory=dict)

    def has_concept(self, prefix: str, code: str) -> bool:
        return str(risk_iri(prefix, code)) in self.concepts

    def has(self, cls: str, ident: str) -> bool:
        return ident in self.ids.get(cls, set())


def _v(row: dict[str, Any], key: str) -> str:
    term = row.get(key)
    return str(term) if term is not None else ""


def build_context(kg: KnowledgeGraph, exclude_graph: str | None = None) -> Context:
    """Read the context from ``kg`` (curated graph; other imports except ``exclude_graph``)."""
    ctx = Context(prefixes=dict(kg.prefixes))
    cur = f"<{GRAPH_CURATED}>"
    rows = kg.select(
        f"""SELECT ?c ?prefix ?code ?label ?scheme WHERE {{ GRAPH {cur} {{
              ?c a ar:RiskCategory ; skos:notation ?code ; skos:inScheme ?scheme .
              ?scheme ar:prefix ?prefix . OPTIONAL {{ ?c skos:prefLabel ?label }} }} }}"""
    ).rows
    for r in rows:
        ctx.concepts[_v(r, "c")] = (_v(r, "prefix"), _v(r, "code"), _v(r, "label"))
        ctx.schemes[_v(r, "prefix")] = _v(r, "scheme")
    for r in kg.select(
        f"""SELECT ?c ?b ?alt WHERE {{ GRAPH {cur} {{ ?c a ar:RiskCategory .
              {{ ?c skos:broader ?b }} UNION {{ ?c skos:altLabel ?alt }} }} }}"""
    ).rows:
        if r.get("b") is not None:
            ctx.broader[_v(r, "c")] = _v(r, "b")
        if r.get("alt") is not None:
            ctx.alt_labels.setdefault(_v(r, "c"), set()).add(_v(r, "alt"))
    for r in kg.select(f"SELECT ?s ?prefix WHERE {{ GRAPH {cur} {{ ?s a ar:Taxonomy ; ar:prefix ?prefix }} }}").rows:
        ctx.schemes[_v(r, "prefix")] = _v(r, "s")
    rows = kg.select(
        f"""SELECT ?m ?id ?label ?alias ?task WHERE {{ GRAPH {cur} {{
              ?m a ar:TestMethod ; dcterms:identifier ?id ; rdfs:label ?label .
              OPTIONAL {{ ?m skos:altLabel ?alias }} OPTIONAL {{ ?m ar:inspectTask ?task }} }} }}"""
    ).rows
    for r in rows:
        m = ctx.test_methods.setdefault(_v(r, "m"), CuratedTestMethod(_v(r, "m"), _v(r, "id"), _v(r, "label")))
        if r.get("alias") is not None:
            m.aliases.add(_v(r, "alias"))
        if r.get("task") is not None:
            m.tasks.add(_v(r, "task"))
    rows = kg.select(
        f"""SELECT ?class ?id WHERE {{ GRAPH {cur} {{
              VALUES ?class {{ ar:MethodType ar:MitigationType ar:Capability ar:Source ar:Organisation ar:Mitigation }}
              ?x a ?class ; dcterms:identifier ?id }} }}"""
    ).rows
    for r in rows:
        ctx.ids.setdefault(_v(r, "class").rsplit("#", 1)[-1], set()).add(_v(r, "id"))
    exclude = f"FILTER (?g != <{exclude_graph}>)" if exclude_graph else ""
    rows = kg.select(
        f"""SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?c a ar:RiskCategory }}
              FILTER (?g != {cur} && STRSTARTS(STR(?g), "https://w3id.org/airisk/id/graph/import/")) {exclude} }}"""
    ).rows
    ctx.other_concepts = {_v(r, "c") for r in rows}
    return ctx
