"""A networkx projection of the graph, for graph algorithms and the network view.

Nodes are entities (risk categories, capabilities, test methods, mitigations, organisations,
models, exercises, events) keyed by IRI, with ``label``, ``kind`` and ``curie`` attributes. Edges
are the relations between them, with a ``relation`` attribute (the property's local name). The
projection is built from two SPARQL queries, so it works on any store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from .namespaces import curie

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

KIND_OF_CLASS = {
    "RiskCategory": "risk",
    "Capability": "capability",
    "TestMethod": "test_method",
    "Mitigation": "mitigation",
    "Organisation": "organisation",
    "AIModel": "model",
    "TestingExercise": "exercise",
    "GovernanceEvent": "event",
    "MethodType": "method_type",
    "MitigationType": "mitigation_type",
    "Taxonomy": "taxonomy",
}

RELATIONS = (
    "ar:assessesRisk",
    "ar:measuresCapability",
    "ar:enablesRisk",
    "ar:mitigatesRisk",
    "skos:broader",
    "skos:exactMatch",
    "skos:closeMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
    "skos:relatedMatch",
    "ar:methodType",
    "ar:mitigationType",
    "ar:maintainer",
    "ar:developer",
    "prov:wasAssociatedWith",
    "ar:testedModel",
    "ar:referenceModel",
    "ar:coversRisk",
    "ar:coversCapability",
    "ar:usedTestMethod",
    "skos:inScheme",
)


def build_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Project the entities and their relations into a ``networkx.MultiDiGraph``."""
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    classes = " ".join(f"ar:{c}" for c in KIND_OF_CLASS)
    nodes = kg.select(
        f"""SELECT ?s ?class (SAMPLE(?l) AS ?label) WHERE {{
              VALUES ?class {{ {classes} }}
              ?s a ?class . OPTIONAL {{ ?s rdfs:label ?l }}
            }} GROUP BY ?s ?class"""
    )
    ar = kg.prefixes["ar"]
    for row in nodes.rows:
        iri = row["s"].value
        kind = KIND_OF_CLASS[row["class"].value[len(ar) :]]
        label = row["label"].value if "label" in row else curie(iri, kg.prefixes)
        g.add_node(iri, label=label, kind=kind, curie=curie(iri, kg.prefixes))
    values = " ".join(RELATIONS)
    edges = kg.select(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . FILTER(isIRI(?o)) }}")
    for row in edges.rows:
        s, o = row["s"].value, row["o"].value
        if s in g and o in g:
            rel = curie(row["p"].value, kg.prefixes).split(":", 1)[1]
            g.add_edge(s, o, key=rel, relation=rel)
    return g


def neighbourhood(g: nx.MultiDiGraph, node: str, depth: int = 1, relations: set[str] | None = None) -> nx.MultiDiGraph:
    """The subgraph within ``depth`` hops of ``node`` (either direction), optionally only along
    the given relations."""
    if node not in g:
        return nx.MultiDiGraph()
    view = g
    if relations is not None:
        view = nx.subgraph_view(g, filter_edge=lambda u, v, k: g.edges[u, v, k]["relation"] in relations)
    seen = {node}
    frontier = {node}
    for _ in range(max(0, depth)):
        nxt: set[str] = set()
        for n in frontier:
            nxt.update(view.successors(n))
            nxt.update(view.predecessors(n))
        frontier = nxt - seen
        seen |= frontier
    return view.subgraph(seen).copy()


def paths_capability_to_mitigation(g: nx.MultiDiGraph, capability: str, cutoff: int = 3) -> list[list[str]]:
    """Paths from a capability to mitigations: capability -enables-> risk <-mitigates- mitigation,
    also through broader/narrower and mapped risks (up to ``cutoff`` risk hops)."""
    u = nx.Graph()
    for a, b, data in g.edges(data=True):
        if data["relation"] in ("enablesRisk", "mitigatesRisk", "broader", "exactMatch", "closeMatch"):
            u.add_edge(a, b)
    if capability not in u:
        return []
    out: list[list[str]] = []
    mitigations = [n for n, d in g.nodes(data=True) if d.get("kind") == "mitigation" and n in u]
    lengths = nx.single_source_shortest_path_length(u, capability, cutoff=cutoff + 1)
    for m in mitigations:
        if m in lengths:
            out.append(nx.shortest_path(u, capability, m))
    return sorted(out, key=len)


def centrality(g: nx.MultiDiGraph, kind: str | None = None, top: int = 10) -> list[tuple[str, float]]:
    """The most central nodes by degree centrality (optionally only of one kind)."""
    simple = nx.Graph(g)
    scores = nx.degree_centrality(simple) if len(simple) > 1 else {}
    items = [(n, s) for n, s in scores.items() if kind is None or g.nodes[n].get("kind") == kind]
    return sorted(items, key=lambda x: (-x[1], x[0]))[:top]
