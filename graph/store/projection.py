"""The graph as a networkx ``MultiDiGraph``: the projection that GraphML export, graph algorithms
and the network view share.

Nodes are entities (risk categories, capabilities, test methods, mitigations, organisations,
models, exercises, events) keyed by IRI, with ``label``, ``kind`` and ``curie`` attributes. Edges
are the relations between them, with a ``relation`` attribute (the property's local name). The
projection is built from two SPARQL queries, so it works on any store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.core.namespaces import curie

if TYPE_CHECKING:
    import networkx as nx

    from graph.store.kg import KnowledgeGraph

KIND_OF_CLASS = {
    "RiskCategory": "risk",
    "Capability": "capability",
    "TestMethod": "test_method",
    "Mitigation": "mitigation",
    "Organisation": "organisation",
    "AIModel": "model",
    "TestingExercise": "exercise",
    "EvaluationReport": "report",
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
    "ar:commissionedBy",
    "prov:wasGeneratedBy",
    "skos:inScheme",
)


def build_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Project the entities and their relations into a ``networkx.MultiDiGraph``."""
    import networkx as nx  # only the callers that draw or export a network pay for networkx

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
