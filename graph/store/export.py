"""Export the whole graph: Turtle, N-Triples, JSON-LD, RDF/XML, GraphML, CSV."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.core.errors import AiriskError
from graph.safeio.text import write_csv

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

FORMATS = ("ttl", "nt", "jsonld", "xml", "graphml", "csv")


#: Every triple of the project's named graphs, once: a shared store may hold other graphs too
#: (Virtuoso's default graph includes its own system graphs).
PROJECT_TRIPLES = """CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/airisk/id/graph/")) } }"""


def graph_ntriples(kg: KnowledgeGraph) -> str:
    """All triples of the graph (every named graph, as one graph) in N-Triples."""
    rows = kg.store.construct(PROJECT_TRIPLES)
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in rows)


def export_bytes(kg: KnowledgeGraph, fmt: str) -> bytes:
    """Serialise the graph in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise AiriskError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    nt = graph_ntriples(kg)
    if fmt == "nt":
        return nt.encode()
    if fmt == "ttl":
        tmp = ox.Store()
        tmp.load(nt, format=ox.RdfFormat.N_TRIPLES)
        prefixes = {p: ns for p, ns in kg.prefixes.items()}
        out = tmp.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)
        return out if isinstance(out, bytes) else b""
    if fmt in ("jsonld", "xml"):
        from rdflib import Graph

        g = Graph()
        g.parse(data=nt, format="nt")
        for prefix, ns in kg.prefixes.items():
            g.bind(prefix, ns, override=True)
        return g.serialize(format="json-ld" if fmt == "jsonld" else "xml", encoding="utf-8")
    if fmt == "graphml":
        import networkx as nx

        from graph.store.projection import build_networkx

        nxg = build_networkx(kg)
        simple = nx.DiGraph()
        for n, data in nxg.nodes(data=True):
            simple.add_node(n, **{k: str(v) for k, v in data.items()})
        for u, v, data in nxg.edges(data=True):
            if simple.has_edge(u, v):
                simple.edges[u, v]["relation"] += "|" + data["relation"]
            else:
                simple.add_edge(u, v, relation=data["relation"])
        buf = io.BytesIO()
        nx.write_graphml(simple, buf)
        return buf.getvalue()
    # csv: one row per triple
    rows = kg.store.construct(PROJECT_TRIPLES)
    header = ["subject", "predicate", "object", "object_kind", "object_datatype", "object_lang"]
    body = [[s.value, p.value, o.value, o.kind, o.datatype or "", o.lang or ""] for s, p, o in sorted(rows)]
    return write_csv([header, *body]).encode()


def export_graph(kg: KnowledgeGraph, fmt: str, out: Path) -> int:
    """Write the graph to ``out`` in ``fmt``; return the number of bytes written.

    The file is written next to its destination and renamed into place, so a failed export
    never leaves half a file.
    """
    data = export_bytes(kg, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    tmp.write_bytes(data)
    tmp.replace(out)
    return len(data)
