"""Everything about one entity, for its page: :func:`entity` returns an :class:`EntityView`.

Four SPARQL queries: the entity's own statements, its links in both directions with their
evidence nodes, the sources cited by that evidence, and the labels and kinds of everything
referenced. Mappings to other taxonomies (``skos:*Match``) are kept apart from the other links.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.core import labels
from graph.core.errors import NotFound
from graph.core.namespaces import curie, expand
from graph.store.projection import KIND_OF_CLASS

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

#: Kind key -> what a person calls it.
KIND_LABELS: dict[str, str] = {
    "risk": "Risk category",
    "capability": "Capability",
    "test_method": "Test method",
    "mitigation": "Mitigation",
    "organisation": "Organisation",
    "exercise": "Testing exercise",
    "report": "Evaluation report",
    "model": "AI model",
    "event": "Governance event",
    "method_type": "Method type",
    "mitigation_type": "Mitigation type",
    "taxonomy": "Taxonomy",
    "source": "Source",
}
_CLASS_KIND = {**KIND_OF_CLASS, "Source": "source"}

#: Relation (CURIE) -> (label read from the subject, label read from the object), from the one
#: label table (:mod:`graph.core.labels`).
RELATION_LABELS: dict[str, tuple[str, str]] = {
    c: (r.forward, r.inverse) for c, r in labels.RELATIONS.items() if c not in labels.MAPPING_RELATIONS
}
#: Mapping predicate -> (label read from the subject, label read from the object).
MAPPING_LABELS: dict[str, tuple[str, str]] = {
    c: (labels.RELATIONS[c].forward, labels.RELATIONS[c].inverse) for c in labels.MAPPING_RELATIONS
}
#: Literal properties shown as facts on the page: CURIE -> label.
FACTS: dict[str, str] = {
    "skos:notation": "code",
    "dcterms:identifier": "identifier",
    "owl:versionInfo": "version",
    "dcterms:publisher": "publisher",
    "dcterms:issued": "issued",
    "dcterms:date": "date",
    "dcterms:license": "licence",
    "dcterms:creator": "authors",
    "ar:modality": "modality",
    "ar:year": "year",
    "ar:inspectTask": "Inspect task",
    "ar:orgType": "organisation type",
    "ar:country": "country",
    "ar:eventType": "event type",
    "ar:sourceKind": "source kind",
    "ar:doi": "DOI",
    "ar:prefix": "prefix",
    "ar:publishedConceptCount": "published concept count",
    "ar:linkStatus": "link status",
}
_LINK_PROPS = tuple(RELATION_LABELS) + tuple(MAPPING_LABELS)


def kind_of_class(class_iri: str) -> str:
    """The kind key of an ``ar:`` class IRI (``...#RiskCategory`` -> ``risk``)."""
    return _CLASS_KIND.get(class_iri.rsplit("#", 1)[-1], "other")


def sparql_literal(text: str) -> str:
    """``text`` as a SPARQL string literal (quotes, backslashes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


@dataclass(frozen=True)
class EntityRef:
    """A link target: enough to show and link to it."""

    iri: str
    curie: str
    label: str
    kind: str


@dataclass(frozen=True)
class SourceRef:
    """A cited source."""

    iri: str
    curie: str
    title: str
    url: str
    publisher: str
    date: str


@dataclass(frozen=True)
class Evidence:
    """Why a link is claimed: rationale, sources, and for mappings justification and confidence."""

    note: str = ""
    sources: tuple[SourceRef, ...] = ()
    confidence: float | None = None
    justification: str = ""
    locator: str = ""


@dataclass(frozen=True)
class Link:
    """A link between this entity and another one."""

    relation: str  # CURIE of the property, e.g. ar:assessesRisk
    direction: str  # "out" (this entity is the subject) or "in"
    label: str  # the relation read from this entity's side
    other: EntityRef
    evidence: Evidence | None


@dataclass(frozen=True)
class LinkGroup:
    """The links of one relation in one direction."""

    relation: str
    direction: str
    label: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class MappingLink:
    """A crosswalk to a concept of another taxonomy."""

    predicate: str
    direction: str
    label: str
    other: EntityRef
    taxonomy: str
    justification: str
    confidence: float | None
    note: str
    sources: tuple[SourceRef, ...]


@dataclass
class EntityView:
    """Everything the entity page shows."""

    iri: str
    curie: str
    kind: str
    kind_label: str
    label: str
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    urls: list[tuple[str, str]] = field(default_factory=list)
    taxonomy: str = ""
    severity: int | None = None
    severity_evidence: Evidence | None = None
    not_applicable: bool = False
    not_applicable_evidence: Evidence | None = None
    sources: list[SourceRef] = field(default_factory=list)
    mappings: list[MappingLink] = field(default_factory=list)
    groups: list[LinkGroup] = field(default_factory=list)


def resolve(kg: KnowledgeGraph, iri_or_curie: str) -> str:
    """The IRI for an IRI or a CURIE; raise NotFound for an unknown prefix."""
    text = iri_or_curie.strip()
    iri = expand(text, kg.prefixes) if ":" in text else None
    if iri is None:
        raise NotFound(f"{text!r} is not a known entity id: write a CURIE such as mit:4.2 or test:wmdp")
    return iri


def entity(kg: KnowledgeGraph, iri_or_curie: str) -> EntityView:
    """Gather the entity page of ``iri_or_curie`` (``mit:4.2``, ``test:wmdp`` or a full IRI).

    Raises
    ------
    NotFound
        When the graph has no typed entity with that IRI.
    """
    iri = resolve(kg, iri_or_curie)
    if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in '<>" {}|^`\\'):
        raise NotFound(f"{iri_or_curie!r} is not a valid entity id")
    me = f"<{iri}>"
    props = kg.select(f"SELECT ?p ?o WHERE {{ {me} ?p ?o }}")
    if not props.rows:
        raise NotFound(f"no entity {iri_or_curie!r} in the graph (search for it by name on the Explore page)")
    values = " ".join(_LINK_PROPS)
    detail = (
        "OPTIONAL { ?ax rdfs:comment ?note } OPTIONAL { ?ax ar:confidence ?conf } "
        "OPTIONAL { ?ax ar:justification ?just } OPTIONAL { ?ax ar:locator ?loc }"
    )
    links = kg.select(
        f"""SELECT ?dir ?p ?other ?ax ?note ?conf ?just ?loc WHERE {{
              VALUES ?p {{ {values} }}
              {{ {me} ?p ?other . BIND("out" AS ?dir) OPTIONAL {{
                   ?ax owl:annotatedSource {me} ; owl:annotatedProperty ?p ; owl:annotatedTarget ?other . {detail} }} }}
              UNION
              {{ ?other ?p {me} . BIND("in" AS ?dir) OPTIONAL {{
                   ?ax owl:annotatedSource ?other ; owl:annotatedProperty ?p ; owl:annotatedTarget {me} . {detail} }} }}
              FILTER(isIRI(?other))
            }}"""
    )
    # evidence nodes on literal-valued claims of this entity (severity, not applicable)
    own_claims = kg.select(
        f"""SELECT ?p ?ax ?note WHERE {{
              VALUES ?p {{ ar:severity ar:notApplicable }}
              ?ax owl:annotatedSource {me} ; owl:annotatedProperty ?p . OPTIONAL {{ ?ax rdfs:comment ?note }}
            }}"""
    )
    axioms = {r["ax"].value for r in links.rows if "ax" in r} | {r["ax"].value for r in own_claims.rows}
    ev_sources: dict[str, list[str]] = defaultdict(list)
    if axioms:
        res = kg.select(
            "SELECT ?ax ?src WHERE { VALUES ?ax { "
            + " ".join(f"<{a}>" for a in sorted(axioms))
            + " } ?ax dcterms:source ?src }"
        )
        for r in res.rows:
            ev_sources[r["ax"].value].append(r["src"].value)
    own_sources = [r["o"].value for r in props.rows if _short(kg, r["p"].value) == "dcterms:source"]
    refs = {r["other"].value for r in links.rows} | {s for v in ev_sources.values() for s in v} | set(own_sources)
    refs |= {r["o"].value for r in props.rows if r["o"].kind == "uri"}
    details = _details(kg, refs | {iri})
    view = _base_view(kg, iri, props.rows, details)
    source_of = {s: _source_ref(kg, s, details) for s in refs}
    view.sources = sorted((source_of[s] for s in set(own_sources)), key=lambda s: s.title.lower())

    def evidence(ax: str | None, note: str = "", conf: float | None = None, just: str = "", loc: str = "") -> Evidence:
        srcs = tuple(sorted((source_of[s] for s in ev_sources.get(ax or "", [])), key=lambda s: s.title.lower()))
        return Evidence(note, srcs, conf, just, loc)

    for r in own_claims.rows:
        claim = evidence(r["ax"].value, r["note"].value if "note" in r else "")
        if r["p"].value.endswith("#severity"):
            view.severity_evidence = claim
        else:
            view.not_applicable_evidence = claim
    grouped: dict[tuple[str, str], list[Link]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for r in links.rows:
        rel = _short(kg, r["p"].value)
        direction = r["dir"].value
        other_iri = r["other"].value
        if (rel, direction, other_iri) in seen:
            continue
        seen.add((rel, direction, other_iri))
        other = details[other_iri].ref if other_iri in details else None
        if other is None or other.kind == "other":
            continue  # evidence nodes, schemes of our own vocabularies, ...
        if rel == "dcterms:source" and direction == "out":
            continue  # shown as the entity's sources
        ev: Evidence | None = None
        if "ax" in r:
            conf = r["conf"].py if "conf" in r else None
            ev = evidence(
                r["ax"].value,
                r["note"].value if "note" in r else "",
                float(conf) if isinstance(conf, (int, float)) else None,
                curie(r["just"].value, kg.prefixes) if "just" in r else "",
                r["loc"].value if "loc" in r else "",
            )
        if rel in MAPPING_LABELS:
            label = MAPPING_LABELS[rel][0 if direction == "out" else 1]
            view.mappings.append(
                MappingLink(
                    rel,
                    direction,
                    label,
                    other,
                    other.curie.split(":", 1)[0],
                    ev.justification if ev else "",
                    ev.confidence if ev else None,
                    ev.note if ev else "",
                    ev.sources if ev else (),
                )
            )
            continue
        label = RELATION_LABELS[rel][0 if direction == "out" else 1]
        grouped[(rel, direction)].append(Link(rel, direction, label, other, ev))
    order = {rel: i for i, rel in enumerate(RELATION_LABELS)}
    view.groups = [
        LinkGroup(rel, d, ls[0].label, tuple(sorted(ls, key=lambda link: _sort_ref(link.other))))
        for (rel, d), ls in sorted(grouped.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1] != "out"))
    ]
    view.mappings.sort(key=lambda m: (m.taxonomy, _sort_ref(m.other)))
    return view


def _sort_ref(ref: EntityRef) -> tuple[str, str]:
    return (ref.label.lower(), ref.curie)


def _short(kg: KnowledgeGraph, iri: str) -> str:
    return curie(iri, kg.prefixes)


@dataclass(frozen=True)
class _Detail:
    ref: EntityRef
    url: str = ""
    publisher: str = ""
    date: str = ""


def _details(kg: KnowledgeGraph, iris: set[str]) -> dict[str, _Detail]:
    """Label, kind (``other`` when not an entity) and source facts of each IRI."""
    out: dict[str, _Detail] = {}
    valid = sorted(i for i in iris if not any(c in i for c in '<>" {}|^`\\'))
    for start in range(0, len(valid), 400):
        chunk = " ".join(f"<{i}>" for i in valid[start : start + 400])
        res = kg.select(
            f"""SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?title) (GROUP_CONCAT(DISTINCT STR(?c)) AS ?classes)
                       (SAMPLE(?u) AS ?url) (SAMPLE(?pu) AS ?publisher) (SAMPLE(?d) AS ?date) WHERE {{
                  VALUES ?x {{ {chunk} }}
                  OPTIONAL {{ ?x rdfs:label ?l }} OPTIONAL {{ ?x dcterms:title ?t }}
                  OPTIONAL {{ ?x a ?c . FILTER(STRSTARTS(STR(?c), STR(ar:))) }}
                  OPTIONAL {{ ?x foaf:page ?u }} OPTIONAL {{ ?x dcterms:publisher ?pu }}
                  OPTIONAL {{ ?x dcterms:date ?d }}
                }} GROUP BY ?x"""
        )
        for r in res.rows:
            x = r["x"].value
            kinds = [kind_of_class(c) for c in (r["classes"].value.split() if "classes" in r else [])]
            kind = next((k for k in kinds if k != "other"), "other")
            label = r["label"].value if "label" in r else (r["title"].value if "title" in r else curie(x, kg.prefixes))
            out[x] = _Detail(
                EntityRef(x, curie(x, kg.prefixes), label, kind),
                r["url"].value if "url" in r else "",
                r["publisher"].value if "publisher" in r else "",
                r["date"].value if "date" in r else "",
            )
    return out


def _source_ref(kg: KnowledgeGraph, iri: str, details: dict[str, _Detail]) -> SourceRef:
    d = details.get(iri)
    short = curie(iri, kg.prefixes)
    if d is None:
        return SourceRef(iri, short, short, "", "", "")
    return SourceRef(iri, short, d.ref.label, d.url, d.publisher, d.date)


def _base_view(kg: KnowledgeGraph, iri: str, rows: list, details: dict[str, _Detail]) -> EntityView:  # type: ignore[type-arg]
    me = details[iri].ref if iri in details else None
    kind = me.kind if me else "other"
    view = EntityView(
        iri=iri,
        curie=curie(iri, kg.prefixes),
        kind=kind,
        kind_label=KIND_LABELS.get(kind, "Entity"),
        label=me.label if me else curie(iri, kg.prefixes),
    )
    facts: list[tuple[str, str]] = []
    for r in rows:
        p = _short(kg, r["p"].value)
        o = r["o"]
        if p in ("dcterms:description", "skos:definition") and not view.description:
            view.description = o.value
        elif p == "skos:altLabel":
            view.aliases.append(o.value)
        elif p == "ar:severity":
            view.severity = int(o.py) if isinstance(o.py, int) else None
        elif p == "ar:notApplicable":
            view.not_applicable = bool(o.py)
        elif p == "skos:inScheme" and kind == "risk":
            view.taxonomy = details[o.value].ref.label if o.value in details else o.value
        elif p in ("foaf:page", "ar:report") and o.kind == "uri":
            view.urls.append(("web page" if p == "foaf:page" else "report", o.value))
        elif p in FACTS and o.kind == "literal":
            facts.append((FACTS[p], o.value))
    order = list(FACTS.values())
    view.facts = sorted(set(facts), key=lambda f: (order.index(f[0]), f[1]))
    view.aliases.sort(key=str.lower)
    view.urls.sort()
    return view
