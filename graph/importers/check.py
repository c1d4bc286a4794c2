"""Check a built import completely, in memory, before anything is stored.

The checks mirror the SHACL data contract (``ontology/shapes.ttl``) for the kinds of entity
importers write, as a few SPARQL queries on a scratch Oxigraph store holding the import graph and
the types of the curated entities it links to. (pySHACL itself takes tens of seconds on an import
of ATLAS's size; the test suite runs it on small imports to show the two agree.)
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.core.errors import DataError, Location, Problem
from graph.core.namespaces import AR, SKOS, entity_iri
from graph.importers.common import ImportResult
from graph.importers.context import Context

_PREFIXES = """PREFIX ar: <https://w3id.org/airisk/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

CLAIM_PROPERTIES = (
    "ar:assessesRisk ar:measuresCapability ar:enablesRisk ar:mitigatesRisk ar:classifiedAs ar:documentsRisk "
    "prov:wasRevisionOf ar:removedIn "
    "skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch"
)

#: (message, SPARQL SELECT returning ?x [and ?detail]) -- every row is a problem.
CHECKS: list[tuple[str, str]] = [
    (
        "entity must have exactly one rdfs:label",
        """SELECT ?x (COUNT(?l) AS ?detail) WHERE {
             VALUES ?c { ar:RiskCategory ar:Mitigation ar:MitigationType ar:TestMethod ar:RiskEntry ar:Source }
             GRAPH <urn:x-import> { ?x a ?c } OPTIONAL { ?x rdfs:label ?l } } GROUP BY ?x HAVING (COUNT(?l) != 1)""",
    ),
    (
        "entity must cite a source (dcterms:source an ar:Source)",
        """SELECT ?x WHERE {
             VALUES ?c { ar:RiskCategory ar:Mitigation ar:MitigationType ar:TestMethod ar:RiskEntry ar:CaseStudy }
             GRAPH <urn:x-import> { ?x a ?c } FILTER NOT EXISTS { ?x dcterms:source ?s . ?s a ar:Source } }""",
    ),
    (
        "risk category must belong to exactly one taxonomy and have one notation and a prefLabel",
        """SELECT ?x WHERE {
             { SELECT ?x (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?n) AS ?nn) (COUNT(?p) AS ?np) WHERE {
                 GRAPH <urn:x-import> { ?x a ar:RiskCategory } OPTIONAL { ?x skos:inScheme ?s . ?s a ar:Taxonomy }
                 OPTIONAL { ?x skos:notation ?n } OPTIONAL { ?x skos:prefLabel ?p } } GROUP BY ?x }
             FILTER (?ns != 1 || ?nn != 1 || ?np < 1) }""",
    ),
    (
        "broader concept must be a risk category of the same taxonomy",
        """SELECT ?x ?detail WHERE { GRAPH <urn:x-import> { ?x skos:broader ?detail }
             FILTER NOT EXISTS { ?x a ar:MitigationType }
             FILTER NOT EXISTS { ?detail a ar:RiskCategory ; skos:inScheme ?s . ?x skos:inScheme ?s } }""",
    ),
    (
        "evidence names a triple that the import does not assert",
        """SELECT ?x WHERE {
             GRAPH <urn:x-import> { ?x a ar:Evidence ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                                         owl:annotatedTarget ?o }
             FILTER NOT EXISTS { GRAPH <urn:x-import> { ?s ?p ?o } } }""",
    ),
    (
        "evidence must name exactly one triple (owl:annotatedSource, owl:annotatedProperty, owl:annotatedTarget)",
        """SELECT ?x WHERE {
             { SELECT ?x (COUNT(DISTINCT ?s) AS ?ns) (COUNT(DISTINCT ?p) AS ?np) (COUNT(DISTINCT ?o) AS ?no) WHERE {
                 GRAPH <urn:x-import> { ?x a ar:Evidence } OPTIONAL { ?x owl:annotatedSource ?s }
                 OPTIONAL { ?x owl:annotatedProperty ?p } OPTIONAL { ?x owl:annotatedTarget ?o } } GROUP BY ?x }
             FILTER (?ns != 1 || ?np != 1 || ?no != 1) }""",
    ),
    (
        "evidence has no source",
        """SELECT ?x WHERE { GRAPH <urn:x-import> { ?x a ar:Evidence }
             FILTER NOT EXISTS { ?x dcterms:source ?src } }""",
    ),
    (
        "link points to an entity of the wrong kind",
        """SELECT ?x ?detail WHERE {
             VALUES (?p ?c) { (ar:assessesRisk ar:RiskCategory) (ar:mitigatesRisk ar:RiskCategory)
                              (ar:enablesRisk ar:RiskCategory) (ar:classifiedAs ar:RiskCategory)
                              (ar:documentsRisk ar:RiskCategory) (ar:measuresCapability ar:Capability)
                              (ar:methodType ar:MethodType) (ar:mitigationType ar:MitigationType) }
             GRAPH <urn:x-import> { ?x ?p ?detail } FILTER NOT EXISTS { ?detail a ?c } }""",
    ),
    (
        "test method needs exactly one method type, and a risk or capability link unless flagged unlinked",
        """SELECT ?x WHERE {
             { SELECT ?x (COUNT(DISTINCT ?t) AS ?nt) WHERE {
                 GRAPH <urn:x-import> { ?x a ar:TestMethod } OPTIONAL { ?x ar:methodType ?t } } GROUP BY ?x }
             FILTER (?nt != 1 || (NOT EXISTS { ?x ar:assessesRisk|ar:measuresCapability ?any }
                                  && NOT EXISTS { ?x ar:linkStatus "unlinked" })) }""",
    ),
    (
        "mitigation type's broader concept must be a mitigation type of the same scheme",
        """SELECT ?x ?detail WHERE { GRAPH <urn:x-import> { ?x a ar:MitigationType ; skos:broader ?detail }
             FILTER NOT EXISTS { ?detail a ar:MitigationType ; skos:inScheme ?s . ?x skos:inScheme ?s } }""",
    ),
    (
        "mitigation needs exactly one mitigation type",
        """SELECT ?x WHERE {
             { SELECT ?x (COUNT(DISTINCT ?t) AS ?nt) WHERE {
                 GRAPH <urn:x-import> { ?x a ar:Mitigation } OPTIONAL { ?x ar:mitigationType ?t } } GROUP BY ?x }
             FILTER (?nt != 1) }""",
    ),
    (
        "source needs one title",
        """SELECT ?x WHERE {
             { SELECT ?x (COUNT(?t) AS ?n) WHERE {
                 GRAPH <urn:x-import> { ?x a ar:Source } OPTIONAL { ?x dcterms:title ?t } } GROUP BY ?x }
             FILTER (?n != 1) }""",
    ),
]

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_IN_SCHEME = ox.NamedNode(str(SKOS.inScheme))


def _context_quads(ctx: Context) -> list[ox.Quad]:
    """Types (and schemes) of the curated entities an import may point to."""
    quads: list[ox.Quad] = []
    for concept, (prefix, _code, _label) in ctx.concepts.items():
        c = ox.NamedNode(concept)
        quads.append(ox.Quad(c, _TYPE, ox.NamedNode(str(AR.RiskCategory))))
        if prefix in ctx.schemes:
            quads.append(ox.Quad(c, _IN_SCHEME, ox.NamedNode(ctx.schemes[prefix])))
    for scheme in ctx.schemes.values():
        quads.append(ox.Quad(ox.NamedNode(scheme), _TYPE, ox.NamedNode(str(AR.Taxonomy))))
    for iri in ctx.other_concepts:
        quads.append(ox.Quad(ox.NamedNode(iri), _TYPE, ox.NamedNode(str(AR.RiskCategory))))
    kinds = {
        "MethodType": "method_type",
        "MitigationType": "mitigation_type",
        "Capability": "capability",
        "Source": "source",
        "Organisation": "organisation",
        "Mitigation": "mitigation",
    }
    for cls, kind in kinds.items():
        for ident in ctx.ids.get(cls, set()):
            quads.append(ox.Quad(ox.NamedNode(str(entity_iri(kind, ident))), _TYPE, ox.NamedNode(str(AR[cls]))))
    for tm in ctx.test_methods.values():
        quads.append(ox.Quad(ox.NamedNode(tm.iri), _TYPE, ox.NamedNode(str(AR.TestMethod))))
    return quads


_ENTITIES = """SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH <urn:x-import> { ?s a ?c }
    FILTER (STRSTARTS(STR(?c), "https://w3id.org/airisk/ontology#")) } GROUP BY ?c"""
_CLAIMS = f"""SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {CLAIM_PROPERTIES} }} GRAPH <urn:x-import> {{ ?s ?p ?o }} }}"""
_EVIDENCED = """SELECT ?s ?p ?o WHERE { GRAPH <urn:x-import> {
    ?ax owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ; dcterms:source ?src } }"""


def _unevidenced(store: ox.Store) -> list[tuple[str, str, str]]:
    """Claims without an evidence node citing a source (two queries and a set difference)."""

    def triples(query: str) -> set[tuple[str, str, str]]:
        res = store.query(_PREFIXES + query, use_default_graph_as_union=True)
        return {(sol["s"].value, sol["p"].value, sol["o"].value) for sol in res}  # type: ignore[union-attr]

    return sorted(triples(_CLAIMS) - triples(_EVIDENCED))


def check_import(result: ImportResult, ctx: Context) -> list[Problem]:
    """Every contract violation of ``result`` (empty when the import may be stored)."""
    store = ox.Store()
    try:
        store.load(result.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x-import"))
    except SyntaxError as exc:  # an importer bug: it must never write invalid N-Triples
        raise DataError(f"internal error: the import produced invalid N-Triples ({exc})") from None
    # curated entities are only typed here when the import does not describe them itself
    store.extend([ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in _context_quads(ctx)])
    result.entities = {
        sol["c"].value.rsplit("#", 1)[-1]: int(sol["n"].value)
        for sol in store.query(_ENTITIES, use_default_graph_as_union=True)  # type: ignore[union-attr]
    }
    problems: list[Problem] = []
    for message, query in CHECKS:
        for sol in store.query(_PREFIXES + query, use_default_graph_as_union=True):  # type: ignore[union-attr]
            x = sol["x"]
            try:
                detail = sol["detail"]
            except (KeyError, IndexError):
                detail = None
            subject = x.value if x is not None else "?"
            extra = f" ({detail.value})" if detail is not None else ""
            problems.append(Problem(f"{message}{extra}", Location(result.source.file, record=subject), check="import"))
    for subj, prop, obj in _unevidenced(store):
        problems.append(
            Problem(
                f"link {prop} {obj} has no evidence node citing a source",
                Location(result.source.file, record=subj),
                check="import",
            )
        )
    return problems
