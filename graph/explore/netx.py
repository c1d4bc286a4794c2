"""Graph algorithms on the networkx projection (:mod:`graph.store.projection`): neighbourhoods,
capability-to-mitigation paths and centrality."""

from __future__ import annotations

import networkx as nx


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
