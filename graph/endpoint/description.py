"""The endpoint's SPARQL 1.1 Service Description (``GET /sparql`` without a query)."""

from __future__ import annotations

from graph.store.oxigraph import XSD, Store, Term

# ---------------------------------------------------------------------- service description
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOID_NS = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
_SD_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def graph_sizes(store: Store) -> dict[str, int]:
    """The number of triples in each named graph of ``store`` (for the service description)."""
    sizes = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in sizes.rows if "g" in row}


def service_description(
    endpoint: str, graph_sizes: dict[str, int], isolation: str = ""
) -> list[tuple[Term, Term, Term]]:
    """The SPARQL 1.1 Service Description: query language, result formats, the default dataset.

    Federation (``sd:BasicFederatedQuery``) and update are not advertised: the endpoint refuses both.
    ``isolation`` says how query workers are kept off the network (an ``rdfs:comment``; it says
    loudly when the machine cannot enforce it).
    """

    def uri(v: str) -> Term:
        return Term("uri", v)

    def b(v: str) -> Term:
        return Term("bnode", v)

    def integer(n: int) -> Term:
        return Term("literal", str(n), XSD + "integer")

    service, dataset, default = b("service"), b("dataset"), b("defaultGraph")
    out: list[tuple[Term, Term, Term]] = [
        (service, uri(RDF_TYPE), uri(SD + "Service")),
        (service, uri(SD + "endpoint"), uri(endpoint)),
        (service, uri(SD + "supportedLanguage"), uri(SD + "SPARQL11Query")),
        (service, uri(SD + "feature"), uri(SD + "UnionDefaultGraph")),
        (service, uri(SD + "defaultDataset"), dataset),
        (dataset, uri(RDF_TYPE), uri(SD + "Dataset")),
        (dataset, uri(SD + "defaultGraph"), default),
        (default, uri(RDF_TYPE), uri(SD + "Graph")),
        (default, uri(VOID_NS + "triples"), integer(sum(graph_sizes.values()))),
    ]
    out += [(service, uri(SD + "resultFormat"), uri(FORMATS_NS + f)) for f in _SD_FORMATS]
    if isolation:
        out.append((service, uri(RDFS_COMMENT), Term("literal", isolation, XSD + "string")))
    for i, (name, size) in enumerate(sorted(graph_sizes.items())):
        ng, g = b(f"namedGraph{i}"), b(f"graph{i}")
        out += [
            (dataset, uri(SD + "namedGraph"), ng),
            (ng, uri(RDF_TYPE), uri(SD + "NamedGraph")),
            (ng, uri(SD + "name"), uri(name)),
            (ng, uri(SD + "graph"), g),
            (g, uri(RDF_TYPE), uri(SD + "Graph")),
            (g, uri(VOID_NS + "triples"), integer(size)),
        ]
    return out
