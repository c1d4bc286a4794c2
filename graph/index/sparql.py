"""The SPARQL texts and predicate IRIs of the coverage step (:func:`graph.index.data.gather`).

The queries are linear scans: a bound predicate or class per query, ``OPTIONAL`` only for the
identifier and label of an entity, no property paths and no ``GROUP_CONCAT``. Each link
predicate has its own query: a bound predicate is one index scan and every row is two values,
which costs about a third less than one query over a ``VALUES`` list of predicates.
"""

from __future__ import annotations

from graph.core.namespaces import AR, SKOS

_AR = str(AR)
_SKOS = str(SKOS)
P_ASSESSES = _AR + "assessesRisk"
P_MEASURES = _AR + "measuresCapability"
P_ENABLES = _AR + "enablesRisk"
P_MITIGATES = _AR + "mitigatesRisk"
P_METHOD_TYPE = _AR + "methodType"
P_SEVERITY = _AR + "severity"
P_NOT_APPLICABLE = _AR + "notApplicable"
P_BROADER = _SKOS + "broader"
P_NARROWER = _SKOS + "narrower"
MAPPING_PREDICATES = {_SKOS + m: m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}

Q_RISKS = """SELECT ?r ?id ?label WHERE {
  ?r a ar:RiskCategory .
  OPTIONAL { ?r dcterms:identifier ?id }
  OPTIONAL { ?r skos:prefLabel ?label }
}"""

#: The claims the analysis reads, one query per predicate.
LINK_PREDICATES = (P_ASSESSES, P_MEASURES, P_ENABLES, P_MITIGATES, P_METHOD_TYPE, P_SEVERITY, P_NOT_APPLICABLE,
                   P_BROADER, *(p for p, m in MAPPING_PREDICATES.items() if m != "relatedMatch"))  # fmt: skip
Q_PAIRS = "SELECT ?s ?o WHERE { ?s <{{p}}> ?o }"
#: ``skos:narrower`` claims whose inverse ``skos:broader`` claim is not stated (the builder writes both).
Q_NARROWER_ONLY = "SELECT ?s ?o WHERE { ?s skos:narrower ?o FILTER NOT EXISTS { ?o skos:broader ?s } }"

#: The entities of one class (one query per class: no column for the class to decode on every row).
ENTITY_KINDS = ("TestMethod", "Capability", "Mitigation", "MethodType")
Q_ENTITIES = """SELECT ?e ?id ?label WHERE {
  ?e a ar:{{kind}} .
  OPTIONAL { ?e dcterms:identifier ?id }
  OPTIONAL { ?e rdfs:label ?label }
}"""

Q_ALIASES = """SELECT ?t ?alias WHERE {
  ?t a ar:TestMethod .
  { ?t skos:altLabel ?alias } UNION { ?t ar:inspectTask ?alias }
}"""

Q_EVIDENCE = """SELECT ?ax ?s ?p ?o ?src WHERE {
  VALUES ?p { ar:assessesRisk ar:measuresCapability ar:enablesRisk ar:severity ar:notApplicable
              skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?ax owl:annotatedProperty ?p ; owl:annotatedSource ?s ; owl:annotatedTarget ?o .
  OPTIONAL { ?ax dcterms:source ?src }
}"""

Q_EVIDENCE_FOR = """SELECT ?ax ?s ?p ?o ?src WHERE {
  VALUES (?s ?p ?o) { {{values}} }
  ?ax owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o .
  OPTIONAL { ?ax dcterms:source ?src }
}"""
EVIDENCE_BATCH = 200
EVIDENCE_LOOKUP_LIMIT = 2000

#: The role of every capability -> risk link and the reason of every not-testable claim.
Q_CLAIM_NOTES = """SELECT ?s ?p ?o ?role ?rnote ?note WHERE {
  VALUES ?p { ar:enablesRisk ar:notApplicable }
  ?ax owl:annotatedProperty ?p ; owl:annotatedSource ?s ; owl:annotatedTarget ?o .
  OPTIONAL { ?ax ar:linkRole ?role }
  OPTIONAL { ?ax ar:roleNote ?rnote }
  OPTIONAL { ?ax rdfs:comment ?note }
}"""
ROLE_EVIDENCE = _AR + "EvidenceRole"
ROLE_CONTEXT = _AR + "ContextRole"
NOT_TESTABLE_DEFAULT = "curated claim: model testing cannot assess this risk"

Q_TAXONOMIES = """SELECT ?prefix ?title ?version WHERE {
  ?scheme a ar:Taxonomy ; ar:prefix ?prefix .
  OPTIONAL { ?scheme dcterms:title ?title }
  OPTIONAL { ?scheme owl:versionInfo ?version }
}"""


#: Imported risk statements (e.g. the MIT AI Risk Repository's coded entries) per risk category.
Q_ENTRIES = (
    """SELECT ?risk (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ar:RiskEntry ; ar:classifiedAs ?risk } GROUP BY ?risk"""
)
