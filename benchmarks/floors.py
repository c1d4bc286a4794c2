"""The comparators of ``bench_commands.py``: the least a process must do to give the same answer.

Each is run as its own process (``python benchmarks/floors.py WHAT FILE``), imports only what it
needs (pyoxigraph; rdflib and pySHACL for ``validate``) and reads an N-Triples export of the graph.

- ``curated IN OUT``: the exported graph minus the ontology's triples (what ``validate`` checks);
- ``validate FILE``: pySHACL with ``ontology/shapes.ttl`` minus its ``sh:sparql`` constraints, then
  those constraints as whole-graph SPARQL queries on pyoxigraph;
- ``stats FILE``: bulk-load into pyoxigraph, count triples, classes and relations;
- ``gaps FILE``: bulk-load into pyoxigraph, one query for the risks that neither they nor a narrower
  risk are covered (assessed by a test, or enabled by a capability a test measures).
"""

from __future__ import annotations

import sys
from pathlib import Path

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"
AR = "https://w3id.org/airisk/ontology#"
PREFIXES = f"""PREFIX ar: <{AR}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
GAP = (
    PREFIXES
    + """SELECT ?risk WHERE {
  ?risk a ar:RiskCategory .
  MINUS { SELECT DISTINCT ?risk WHERE {
    { ?t ar:assessesRisk ?sub } UNION { ?c ar:enablesRisk ?sub . ?t ar:measuresCapability ?c }
    ?sub skos:broader* ?risk } }
}"""
)
STATS = [
    "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(ar:))) } "
    "GROUP BY ?class",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { VALUES ?p { ar:assessesRisk ar:measuresCapability ar:enablesRisk "
    "ar:mitigatesRisk skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch skos:broader "
    "ar:severity ar:methodType ar:mitigationType prov:wasAssociatedWith dcterms:source } ?s ?p ?o } GROUP BY ?p",
    "SELECT ?prefix (COUNT(?c) AS ?n) WHERE { ?t a ar:Taxonomy ; ar:prefix ?prefix . ?c skos:inScheme ?t } "
    "GROUP BY ?prefix",
]


def loaded(path: str):  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    return store


def curated(src: str, out: str) -> None:
    import pyoxigraph as ox

    store = loaded(src)
    for name in ("airisk.ttl", "bridge.ttl"):
        if (ONTOLOGY / name).is_file():
            for q in ox.parse(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE):
                store.remove(q)
    store.dump(output=out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def validate(path: str) -> None:
    from pyshacl import validate as shacl
    from rdflib import BNode, Graph
    from rdflib.namespace import RDFS, SH

    shapes = Graph().parse(str(ONTOLOGY / "shapes.ttl"), format="turtle")
    drop: set = set()

    def closure(node):  # type: ignore[no-untyped-def]
        for p, o in shapes.predicate_objects(node):
            drop.add((node, p, o))
            if isinstance(o, BNode):
                closure(o)

    queries = []
    for shape, c in list(shapes.subject_objects(SH.sparql)):
        closure(c)
        drop.add((shape, SH.sparql, c))
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for owner in shapes.objects(c, SH.prefixes)
            for d in shapes.objects(owner, SH.declare)
        )
        targets = [f"{{ ?this a/<{RDFS.subClassOf}>* <{k}> }}" for k in shapes.objects(shape, SH.targetClass)]
        targets += [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
        body = str(shapes.value(c, SH.select)).replace("$this", "?this")
        cut = body.index("{") + 1  # focus nodes bound first inside the WHERE group, as SHACL pre-binds $this
        focus = f" {{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(targets)} }} }} "
        queries.append(prefixes + body[:cut] + focus + body[cut:])
    for t in drop:
        shapes.remove(t)
    data = Graph().parse(path, format="nt")
    shacl(data, shacl_graph=shapes, inference="none", advanced=True)
    store = loaded(path)
    for q in queries:
        list(store.query(q))


def main() -> None:
    what, path = sys.argv[1], sys.argv[2]
    if what == "curated":
        curated(path, sys.argv[3])
    elif what == "validate":
        validate(path)
    elif what == "stats":
        store = loaded(path)
        len(store)
        for q in STATS:
            list(store.query(PREFIXES + q))
    elif what == "gaps":
        print(len(list(loaded(path).query(GAP))))
    else:
        raise SystemExit(f"unknown floor {what!r}")


if __name__ == "__main__":
    main()
