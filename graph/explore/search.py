"""What the Explore and Overview pages show: search, entity pages, taxonomy trees, summaries.

Every function here runs a few SPARQL queries through ``kg.select`` and returns plain
dataclasses, so the pages only render (and the same calls work on a remote store).

- :func:`search` finds entities by name, code, alias or id;
- :func:`entity` gathers everything about one entity (:class:`EntityView`, see
  :mod:`graph.explore.entity`);
- :func:`taxonomy_tree` gives a taxonomy (or one of our own vocabularies) as a tree;
- :func:`taxonomies`, :func:`entity_counts`, :func:`scope_statement` and
  :func:`ontology_summary` describe what is in the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.core.namespaces import curie, scheme_iri
from graph.explore.entity import KIND_LABELS, EntityView, entity, kind_of_class, sparql_literal

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

__all__ = [
    "Hit",
    "TreeNode",
    "TaxonomyRow",
    "OntologyClass",
    "OntologyRelation",
    "OntologySummary",
    "EntityView",
    "KIND_LABELS",
    "VOCABULARIES",
    "search",
    "entity",
    "taxonomy_tree",
    "taxonomies",
    "entity_counts",
    "scope_statement",
    "ontology_summary",
    "natural_key",
]

#: Our own vocabularies that can be browsed like a taxonomy: name -> (title, class, grouping property).
VOCABULARIES: dict[str, tuple[str, str, str | None]] = {
    "capabilities": ("Capabilities", "ar:Capability", None),
    "test-methods": ("Test methods (by method type)", "ar:TestMethod", "ar:methodType"),
    "mitigations": ("Mitigations (by mitigation type)", "ar:Mitigation", "ar:mitigationType"),
    "organisations": ("Organisations", "ar:Organisation", None),
    "reports": ("Evaluation reports", "ar:EvaluationReport", None),
    "models": ("AI models", "ar:AIModel", None),
}

_SEARCH_CLASSES = (
    "ar:RiskCategory ar:Capability ar:TestMethod ar:Mitigation ar:Organisation ar:EvaluationReport "
    "ar:AIModel ar:GovernanceEvent ar:MethodType ar:MitigationType ar:Taxonomy ar:Source"
)
_FIELD_RANK = {"code": 0, "id": 0, "name": 1, "alias": 2}


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, and which of its texts matched and how well."""

    iri: str
    curie: str
    label: str
    kind: str
    matched_field: str  # "name", "alias", "code" or "id"
    matched_text: str
    rank: int  # lower is better


@dataclass
class TreeNode:
    """One node of a taxonomy tree."""

    iri: str
    curie: str
    code: str
    label: str
    severity: int | None = None
    not_applicable: bool = False
    tests: int = 0
    children: list[TreeNode] = field(default_factory=list)

    def walk(self, depth: int = 0) -> list[tuple[int, TreeNode]]:
        """This node and its descendants, depth first, with their depth."""
        out = [(depth, self)]
        for child in self.children:
            out.extend(child.walk(depth + 1))
        return out


@dataclass(frozen=True)
class TaxonomyRow:
    """One taxonomy of the graph, for the Overview."""

    prefix: str
    title: str
    publisher: str
    version: str
    issued: str
    licence: str
    url: str
    concepts: int
    published: int | None
    imported: bool


@dataclass(frozen=True)
class OntologyClass:
    curie: str
    label: str
    definition: str
    instances: int


@dataclass(frozen=True)
class OntologyRelation:
    curie: str
    label: str
    definition: str
    kind: str  # "object" or "datatype"
    domain: str
    range: str
    uses: int


@dataclass(frozen=True)
class OntologySummary:
    classes: list[OntologyClass]
    relations: list[OntologyRelation]


def natural_key(code: str) -> tuple[tuple[int, object], ...]:
    """Sort key that orders ``4.10`` after ``4.9`` and ``LLM02`` after ``LLM01``."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.split(r"(\d+)", code) if p)


# ---------------------------------------------------------------------------------- search
def search(kg: KnowledgeGraph, text: str, limit: int = 50) -> list[Hit]:
    """Find entities whose name, code, alias or id contains ``text`` (case-insensitive).

    Exact matches of a code or id (``mit:4.2``, ``wmdp``) come first, then names that start with
    the text, then names containing it, then aliases. Each entity appears once, with its best
    match.

    Parameters
    ----------
    kg : KnowledgeGraph
        The graph.
    text : str
        What the user typed; empty text returns no hits.
    limit : int
        At most this many hits.
    """
    needle = " ".join(text.split()).lower()
    if not needle:
        return []
    res = kg.select(
        f"""SELECT ?s ?class (SAMPLE(?l) AS ?label) ?field ?v WHERE {{
              VALUES ?class {{ {_SEARCH_CLASSES} }}
              ?s a ?class .
              {{ ?s rdfs:label ?v BIND("name" AS ?field) }}
              UNION {{ ?s dcterms:title ?v BIND("name" AS ?field) }}
              UNION {{ ?s skos:altLabel ?v BIND("alias" AS ?field) }}
              UNION {{ ?s skos:notation ?v BIND("code" AS ?field) }}
              UNION {{ ?s dcterms:identifier ?v BIND("id" AS ?field) }}
              FILTER(CONTAINS(LCASE(STR(?v)), {sparql_literal(needle)}))
              OPTIONAL {{ ?s rdfs:label ?l }}
            }} GROUP BY ?s ?class ?field ?v"""
    )
    best: dict[str, Hit] = {}
    for row in res.rows:
        iri = row["s"].value
        value = row["v"].value
        fld = row["field"].value
        low = value.lower()
        short = curie(iri, kg.prefixes)
        if low == needle or short.lower() == needle:
            rank = 0
        elif fld == "name" and low.startswith(needle):
            rank = 10
        elif fld == "name" and re.search(r"\b" + re.escape(needle), low):
            rank = 20
        else:
            rank = 30 + 10 * _FIELD_RANK.get(fld, 3)
        label = row["label"].value if "label" in row else value
        hit = Hit(iri, short, label, kind_of_class(row["class"].value), fld, value, rank)
        old = best.get(iri)
        if old is None or (hit.rank, hit.matched_field) < (old.rank, old.matched_field):
            best[iri] = hit
    hits = sorted(best.values(), key=lambda h: (h.rank, len(h.label), h.label.lower(), h.curie))
    return hits[: max(0, limit)]


# ---------------------------------------------------------------------------------- trees
def taxonomy_tree(kg: KnowledgeGraph, prefix: str) -> list[TreeNode]:
    """The concepts of taxonomy ``prefix`` as a tree (roots in code order), with severity,
    the not-applicable flag and the number of test methods that assess each concept directly.

    ``prefix`` may also name one of our own :data:`VOCABULARIES` (``capabilities``,
    ``test-methods``, ...), which are returned as flat lists or grouped by their type.
    """
    if prefix in VOCABULARIES:
        return _vocabulary_tree(kg, prefix)
    res = kg.select(
        f"""SELECT ?c ?code (SAMPLE(?l) AS ?label) (SAMPLE(?b) AS ?broader) (SAMPLE(?sev) AS ?severity)
                   (SAMPLE(?na) AS ?notApplicable) (COUNT(DISTINCT ?t) AS ?tests) WHERE {{
              ?c skos:inScheme <{scheme_iri(prefix)}> ; skos:notation ?code .
              OPTIONAL {{ ?c rdfs:label ?l }}
              OPTIONAL {{ ?c skos:broader ?b }}
              OPTIONAL {{ ?c ar:severity ?sev }}
              OPTIONAL {{ ?c ar:notApplicable ?na }}
              OPTIONAL {{ ?t ar:assessesRisk ?c }}
            }} GROUP BY ?c ?code"""
    )
    nodes: dict[str, TreeNode] = {}
    parent: dict[str, str] = {}
    for row in res.rows:
        iri = row["c"].value
        code = row["code"].value
        sev = row["severity"].py if "severity" in row else None
        nodes[iri] = TreeNode(
            iri=iri,
            curie=curie(iri, kg.prefixes),
            code=code,
            label=row["label"].value if "label" in row else code,
            severity=int(sev) if isinstance(sev, int) else None,
            not_applicable=bool(row["notApplicable"].py) if "notApplicable" in row else False,
            tests=int(row["tests"].py),
        )
        if "broader" in row:
            parent[iri] = row["broader"].value
    roots: list[TreeNode] = []
    for iri, node in nodes.items():
        up = parent.get(iri)
        if up in nodes:
            nodes[up].children.append(node)
        else:
            roots.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: natural_key(n.code))
    return sorted(roots, key=lambda n: natural_key(n.code))


def _vocabulary_tree(kg: KnowledgeGraph, name: str) -> list[TreeNode]:
    _title, cls, group_prop = VOCABULARIES[name]
    group = f"OPTIONAL {{ ?s {group_prop} ?g . OPTIONAL {{ ?g rdfs:label ?gl }} }}" if group_prop else ""
    res = kg.select(
        f"""SELECT ?s ?id (SAMPLE(?l) AS ?label) (SAMPLE(?g) AS ?group) (SAMPLE(?gl) AS ?groupLabel)
                   (COUNT(DISTINCT ?t) AS ?tests) WHERE {{
              ?s a {cls} . OPTIONAL {{ ?s dcterms:identifier ?id }}
              OPTIONAL {{ ?s rdfs:label ?l }}
              OPTIONAL {{ ?t ar:measuresCapability ?s }}
              {group}
            }} GROUP BY ?s ?id"""
    )
    groups: dict[str, TreeNode] = {}
    flat: list[TreeNode] = []
    for row in res.rows:
        iri = row["s"].value
        short = curie(iri, kg.prefixes)
        node = TreeNode(
            iri=iri,
            curie=short,
            code=row["id"].value if "id" in row else short,
            label=row["label"].value if "label" in row else short,
            tests=int(row["tests"].py),
        )
        if "group" in row:
            group_iri = row["group"].value
            if group_iri not in groups:
                gshort = curie(group_iri, kg.prefixes)
                glabel = row["groupLabel"].value if "groupLabel" in row else gshort
                groups[group_iri] = TreeNode(iri=group_iri, curie=gshort, code=gshort.split(":", 1)[-1], label=glabel)
            groups[group_iri].children.append(node)
        else:
            flat.append(node)
    for g in groups.values():
        g.children.sort(key=lambda n: n.label.lower())
    return sorted(groups.values(), key=lambda n: n.label.lower()) + sorted(flat, key=lambda n: n.label.lower())


# ---------------------------------------------------------------------------------- overview
def taxonomies(kg: KnowledgeGraph) -> list[TaxonomyRow]:
    """Every risk taxonomy in the graph with its version and how many concepts it holds."""
    res = kg.select(
        """SELECT ?t ?prefix (SAMPLE(?ti) AS ?title) (SAMPLE(?pu) AS ?publisher) (SAMPLE(?v) AS ?version)
                  (SAMPLE(?i) AS ?issued) (SAMPLE(?li) AS ?licence) (SAMPLE(?u) AS ?url)
                  (SAMPLE(?pc) AS ?published) (COUNT(DISTINCT ?c) AS ?concepts) (SAMPLE(?g) AS ?graph) WHERE {
             ?t a ar:Taxonomy ; ar:prefix ?prefix .
             OPTIONAL { ?t dcterms:title ?ti } OPTIONAL { ?t dcterms:publisher ?pu }
             OPTIONAL { ?t owl:versionInfo ?v } OPTIONAL { ?t dcterms:issued ?i }
             OPTIONAL { ?t dcterms:license ?li } OPTIONAL { ?t foaf:page ?u }
             OPTIONAL { ?t ar:publishedConceptCount ?pc }
             OPTIONAL { ?c skos:inScheme ?t }
             OPTIONAL { GRAPH ?g { ?t a ar:Taxonomy } }
           } GROUP BY ?t ?prefix ORDER BY ?prefix"""
    )
    rows: list[TaxonomyRow] = []
    for r in res.rows:

        def text(var: str, row: dict = r) -> str:  # type: ignore[type-arg]
            return row[var].value if var in row else ""

        published = r["published"].py if "published" in r else None
        rows.append(
            TaxonomyRow(
                prefix=text("prefix"),
                title=text("title") or text("prefix"),
                publisher=text("publisher"),
                version=text("version"),
                issued=text("issued"),
                licence=text("licence"),
                url=text("url"),
                concepts=int(r["concepts"].py),
                published=int(published) if isinstance(published, int) else None,
                imported="/graph/import/" in text("graph"),
            )
        )
    return rows


def entity_counts(kg: KnowledgeGraph) -> dict[str, int]:
    """How many entities of each kind the graph holds (keys as in :data:`KIND_LABELS`)."""
    classes = " ".join(
        f"ar:{c}"
        for c in [
            "RiskCategory",
            "Capability",
            "TestMethod",
            "Mitigation",
            "Organisation",
            "TestingExercise",
            "EvaluationReport",
            "AIModel",
            "GovernanceEvent",
            "MethodType",
            "MitigationType",
            "Taxonomy",
            "Source",
            "Evidence",
            "Mapping",
        ]
    )
    res = kg.select(
        f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?class {{ {classes} }} ?s a ?class }} "
        "GROUP BY ?class"
    )
    out = {kind: 0 for kind in KIND_LABELS}
    out.update({"evidence": 0, "mapping": 0})
    for row in res.rows:
        local = row["class"].value.rsplit("#", 1)[-1]
        key = {"Evidence": "evidence", "Mapping": "mapping"}.get(local) or kind_of_class(row["class"].value)
        out[key] = int(row["n"].py)
    return out


def scope_statement(kg: KnowledgeGraph) -> str:
    """One sentence saying what the graph covers and where it comes from."""
    counts = entity_counts(kg)
    tax = taxonomies(kg)
    publishers = sorted({t.publisher for t in tax if t.publisher})
    return (
        f"{counts['risk']} risk categories from {len(tax)} published taxonomies"
        f"{' (' + ', '.join(t.prefix for t in tax) + ')' if tax else ''}, linked to "
        f"{counts['capability']} capabilities, {counts['test_method']} test methods, "
        f"{counts['mitigation']} mitigations and {counts['report']} published evaluation reports; "
        f"every link cites at least one of {counts['source']} public sources"
        f"{' (publishers include ' + ', '.join(publishers[:3]) + ')' if publishers else ''}."
    )


def ontology_summary(kg: KnowledgeGraph) -> OntologySummary:
    """The ontology's classes and relations with their definitions and how often each is used."""
    classes = kg.select(
        """SELECT ?c (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) (COUNT(DISTINCT ?s) AS ?n) WHERE {
             ?c a owl:Class . FILTER(STRSTARTS(STR(?c), STR(ar:)))
             OPTIONAL { ?c rdfs:label ?l } OPTIONAL { ?c skos:definition ?d }
             OPTIONAL { ?s a ?c }
           } GROUP BY ?c ORDER BY ?c"""
    )
    relations = kg.select(
        """SELECT ?p ?type (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition)
                  (GROUP_CONCAT(DISTINCT STR(?dom); separator=" ") AS ?domains)
                  (GROUP_CONCAT(DISTINCT STR(?ran); separator=" ") AS ?ranges) WHERE {
             VALUES ?type { owl:ObjectProperty owl:DatatypeProperty }
             ?p a ?type . FILTER(STRSTARTS(STR(?p), STR(ar:)))
             OPTIONAL { ?p rdfs:label ?l } OPTIONAL { ?p skos:definition ?d }
             OPTIONAL { ?p schema:domainIncludes ?dom } OPTIONAL { ?p schema:rangeIncludes ?ran }
           } GROUP BY ?p ?type ORDER BY ?p"""
    )
    uses = kg.select(
        """SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o . FILTER(STRSTARTS(STR(?p), STR(ar:))) } GROUP BY ?p"""
    )
    used = {r["p"].value: int(r["n"].py) for r in uses.rows}

    def short_list(text: str) -> str:
        return ", ".join(curie(x, kg.prefixes) for x in text.split())

    return OntologySummary(
        classes=[
            OntologyClass(
                curie=curie(r["c"].value, kg.prefixes),
                label=r["label"].value if "label" in r else "",
                definition=r["definition"].value if "definition" in r else "",
                instances=int(r["n"].py),
            )
            for r in classes.rows
        ],
        relations=[
            OntologyRelation(
                curie=curie(r["p"].value, kg.prefixes),
                label=r["label"].value if "label" in r else "",
                definition=r["definition"].value if "definition" in r else "",
                kind="object" if r["type"].value.endswith("ObjectProperty") else "datatype",
                domain=short_list(r["domains"].value) if "domains" in r else "",
                range=short_list(r["ranges"].value) if "ranges" in r else "",
                uses=used.get(r["p"].value, 0),
            )
            for r in relations.rows
        ],
    )
