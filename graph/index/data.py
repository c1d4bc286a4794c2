"""The SPARQL step of the coverage analysis: a handful of queries, then plain Python data.

:func:`gather` runs six SELECT queries (risks, links, entities, aliases, evidence, taxonomy
titles) through the graph's store, so the same code works on the embedded store and on a remote
SPARQL endpoint, and returns a :class:`CoverageData` that every analysis of
:mod:`graph.coverage` combines in Python. Nothing walks the graph triple by triple.

The queries are linear scans with a ``VALUES`` list of predicates: no property paths, no
``FILTER NOT EXISTS``. (The textbook gap query with ``NOT EXISTS`` and ``skos:broader*`` grows
quadratically, see ``docs/coverage.md``.)
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import unquote

from graph.core.namespaces import AR, ID, SKOS, curie
from graph.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

#: Taxonomies whose concepts classify causes rather than name harms: not applicable as a whole.
NOT_APPLICABLE_SCHEMES: dict[str, str] = {
    "mit-causal": "the MIT causal taxonomy classifies causes (entity, intent, timing), it does not name harms",
}

#: Method types that score answers to a fixed set of prompts (data/method-types.yaml).
STATIC_METHOD_TYPES = (
    "static-mcq",
    "static-open-qa",
    "safety-prompt-benchmark",
    "over-refusal",
    "bias-benchmark",
    "toxicity-benchmark",
    "truthfulness-factuality",
)
#: Method types that exercise the system interactively (agents, adversaries, people).
INTERACTIVE_METHOD_TYPES = (
    "agentic-task-suite",
    "ctf-suite",
    "prompt-injection-env",
    "jailbreak-robustness",
    "automated-red-teaming",
    "expert-red-teaming",
    "human-uplift-study",
    "human-subject-experiment",
    "propensity-scenario",
    "multi-agent-persuasion",
)
#: Matrix column order; method types added to the vocabulary later come after these, by id.
METHOD_TYPE_ORDER = STATIC_METHOD_TYPES + INTERACTIVE_METHOD_TYPES

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

Q_LINKS = """SELECT ?s ?p ?o WHERE {
  VALUES ?p { ar:assessesRisk ar:measuresCapability ar:enablesRisk ar:mitigatesRisk ar:methodType
              ar:severity ar:notApplicable skos:broader skos:narrower
              skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?s ?p ?o .
}"""

Q_ENTITIES = """SELECT ?e ?kind ?id ?label WHERE {
  VALUES ?kind { ar:TestMethod ar:Capability ar:Mitigation ar:MethodType }
  ?e a ?kind .
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

Row = tuple[Union[str, None], ...]


class paused_gc(contextlib.ContextDecorator):
    """Pause Python's cyclic garbage collector while a step allocates many small objects.

    The analyses build hundreds of thousands of tuples, sets and dataclasses that never form
    cycles; with the collector running, its passes over the whole heap take about 40 % of the
    time at 1e6 triples. Reference counting still frees everything; the collector is switched
    back on afterwards (only if it was on, so nested and concurrent uses are safe).
    """

    def __enter__(self) -> paused_gc:
        self._was = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._was:
            gc.enable()


LinkKey = tuple[str, str, str]


@dataclass
class RiskNode:
    """A risk category as the analysis sees it."""

    iri: str
    curie: str
    label: str
    prefix: str
    code: str
    severity: int | None = None
    not_applicable: str = ""  # the reason, "" when applicable


@dataclass
class TestNode:
    """A test method of the catalogue."""

    iri: str
    id: str
    label: str
    method_type: str | None
    aliases: tuple[str, ...] = ()


@dataclass
class CoverageData:
    """Everything the coverage analyses need, gathered once from the store by :func:`gather`.

    All keys are IRIs. Pass a ``CoverageData`` instead of the ``KnowledgeGraph`` to every function
    of :mod:`graph.coverage` to reuse it.
    """

    risks: dict[str, RiskNode] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)
    tests: dict[str, TestNode] = field(default_factory=dict)
    assesses: dict[str, list[str]] = field(default_factory=dict)
    measures: dict[str, list[str]] = field(default_factory=dict)
    enables: dict[str, list[str]] = field(default_factory=dict)  # capability -> risks, role evidence only
    context: dict[str, list[str]] = field(default_factory=dict)  # capability -> risks, role context (or none)
    role_notes: dict[tuple[str, str], str] = field(default_factory=dict)  # (capability, risk) -> why that role
    mitigates: dict[str, list[str]] = field(default_factory=dict)
    mappings: list[tuple[str, str, str]] = field(default_factory=list)  # (a, exactMatch|..., b)
    capabilities: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (id, label)
    mitigations: dict[str, tuple[str, str]] = field(default_factory=dict)
    method_types: dict[str, str] = field(default_factory=dict)  # id -> label, in vocabulary order
    links: dict[LinkKey, str] = field(default_factory=dict)  # (s, p, o) -> evidence node IRI
    link_sources: dict[LinkKey, tuple[str, ...]] = field(default_factory=dict)
    taxonomies: dict[str, tuple[str, str]] = field(default_factory=dict)  # prefix -> (title, version)
    entries: dict[str, int] = field(default_factory=dict)  # risk IRI -> documented risk entries (imports)
    prefixes: dict[str, str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    kg: Any = field(default=None, repr=False, compare=False)  # where the lazy parts come from
    _lock: Any = field(default_factory=threading.Lock, repr=False, compare=False)

    @paused_gc()
    def load_evidence(self) -> None:
        """Fetch every evidence node and its sources (once)."""
        with self._lock:
            if "evidence" in self.cache:
                return
            if self.kg is not None:
                self._store_evidence(select_rows(self.kg, Q_EVIDENCE))
            self.cache["evidence"] = True

    def _store_evidence(self, rows: list[Row]) -> None:
        sources: dict[LinkKey, set[str]] = {}
        for ax, s, p, o, src in rows:
            if s is None or p is None or o is None or ax is None:
                continue
            key = (s, p, o)
            self.links.setdefault(key, ax)
            bucket = sources.setdefault(key, set())
            if src:
                bucket.add(src)
        for key, found in sources.items():
            self.link_sources[key] = tuple(sorted(found))

    @paused_gc()
    def ensure_evidence(self, keys: Iterable[LinkKey]) -> None:
        """Fetch the evidence nodes of the claims ``keys`` (s, p, o IRIs) unless already known.

        A few claims are looked up with ``VALUES`` queries (what a table of the top gaps needs);
        many at once fall back to :meth:`load_evidence` (one scan of all evidence nodes).
        """
        if "evidence" in self.cache or self.kg is None:
            return
        with self._lock:
            asked: set[LinkKey] = self.cache.setdefault("asked", set())
            missing = sorted({k for k in keys if k not in asked})
            if not missing:
                return
            if len(missing) > EVIDENCE_LOOKUP_LIMIT:
                pass  # leave the lock: load_evidence takes it
            else:
                for start in range(0, len(missing), EVIDENCE_BATCH):
                    batch = missing[start : start + EVIDENCE_BATCH]
                    values = " ".join(f"(<{s}> <{p}> <{o}>)" for s, p, o in batch)
                    self._store_evidence(select_rows(self.kg, Q_EVIDENCE_FOR.replace("{{values}}", values)))
                asked.update(missing)
                return
        self.load_evidence()

    def load_aliases(self) -> None:
        """Fetch the test methods' aliases and Inspect task names (once; matching needs them)."""
        with self._lock:
            if "aliases" in self.cache:
                return
            if self.kg is not None:
                aliases: dict[str, list[str]] = {}
                for t, alias in select_rows(self.kg, Q_ALIASES):
                    if t in self.tests and alias:
                        aliases.setdefault(t, []).append(alias)
                for t, names in aliases.items():
                    self.tests[t].aliases = tuple(sorted(set(names)))
            self.cache["aliases"] = True

    def by_curie(self) -> dict[str, str]:
        """Risk CURIE -> IRI."""
        key = "by_curie"
        if key not in self.cache:
            self.cache[key] = {r.curie: iri for iri, r in self.risks.items()}
        out: dict[str, str] = self.cache[key]
        return out

    def capability_by_id(self) -> dict[str, str]:
        """Capability id -> IRI."""
        key = "cap_by_id"
        if key not in self.cache:
            self.cache[key] = {cid: iri for iri, (cid, _) in self.capabilities.items()}
        out: dict[str, str] = self.cache[key]
        return out

    def test_by_id(self) -> dict[str, str]:
        """Test-method id -> IRI."""
        key = "test_by_id"
        if key not in self.cache:
            self.cache[key] = {t.id: iri for iri, t in self.tests.items()}
        out: dict[str, str] = self.cache[key]
        return out


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def select_rows(kg: KnowledgeGraph, query: str) -> list[Row]:
    """Run a SELECT query through the graph's store and return rows of plain values.

    On the embedded Oxigraph store the same query text runs on pyoxigraph directly and only the
    values are decoded (about 3x faster on large answers than building :class:`~graph.store.oxigraph.Term`
    objects); on any other store it goes through :meth:`KnowledgeGraph.select`.
    """
    store = kg.store
    if isinstance(store, OxigraphStore):
        import pyoxigraph as ox

        text = kg.with_prefixes(query)
        result = store.raw.query(text, use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("not a SELECT query")
        return [tuple(None if v is None else v.value for v in sol) for sol in result]
    res = kg.select(query)
    return [tuple(row[v].value if v in row else None for v in res.vars) for row in res.rows]


#: Imported risk statements (e.g. the MIT AI Risk Repository's coded entries) per risk category.
Q_ENTRIES = (
    """SELECT ?risk (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ar:RiskEntry ; ar:classifiedAs ?risk } GROUP BY ?risk"""
)


@paused_gc()
def gather(kg: KnowledgeGraph, lazy: bool = True) -> CoverageData:
    """Run the coverage queries on ``kg`` and return the :class:`CoverageData`.

    With ``lazy`` (default) the evidence nodes with their sources, and the test methods' aliases,
    are fetched on first use (explanations and inventory matching); ``lazy=False`` fetches all now.
    """
    data = CoverageData(prefixes=dict(kg.prefixes))
    for prefix, title, version in select_rows(kg, Q_TAXONOMIES):
        if prefix and prefix not in data.taxonomies:
            data.taxonomies[prefix] = (title or prefix, version or "")
    _read_risks(data, select_rows(kg, Q_RISKS))
    _read_entities(data, select_rows(kg, Q_ENTITIES))
    _read_links(data, select_rows(kg, Q_LINKS))
    _read_claim_notes(data, select_rows(kg, Q_CLAIM_NOTES))
    for risk, n in select_rows(kg, Q_ENTRIES):
        if risk in data.risks and n is not None:
            data.entries[risk] = int(n)
    data.kg = kg
    if not lazy:
        data.load_aliases()
        data.load_evidence()
    return data


_RISK_NS = ID + "risk/"


def _prefix_and_code(iri: str, cur: str) -> tuple[str, str]:
    """Taxonomy prefix and code from a risk's CURIE (its dcterms:identifier), else from its IRI."""
    if ":" in cur and not cur.startswith(("http:", "https:", "urn:")):
        prefix, code = cur.split(":", 1)
        return prefix, code
    if iri.startswith(_RISK_NS) and "/" in iri[len(_RISK_NS) :]:
        prefix, code = iri[len(_RISK_NS) :].split("/", 1)
        return prefix, unquote(code)
    return "", _local(iri)


def _read_risks(data: CoverageData, rows: list[Row]) -> None:
    for iri, ident, label in rows:
        if iri is None:
            continue
        node = data.risks.get(iri)
        if node is not None:  # a second label: keep the first
            continue
        cur = ident or curie(iri, data.prefixes)
        prefix, code = _prefix_and_code(iri, cur)
        node = RiskNode(iri, cur, label or cur, prefix, code)
        data.risks[iri] = node
        reason = NOT_APPLICABLE_SCHEMES.get(node.prefix)
        if reason:
            node.not_applicable = reason
    data.risks = dict(sorted(data.risks.items(), key=lambda kv: (kv[1].prefix, _code_key(kv[1].code))))


def _code_key(code: str) -> tuple[tuple[int, object], ...]:
    """Sort codes naturally: 1.2 < 1.10, LLM02 < LLM10."""
    import re

    parts = re.split(r"(\d+)", code)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p != "")


def _read_entities(data: CoverageData, rows: list[Row]) -> None:
    labels_mt: dict[str, str] = {}
    for iri, kind, ident, label in rows:
        if iri is None or kind is None:
            continue
        ident = ident or _local(iri)
        kind_name = _local(kind)
        if kind_name == "TestMethod":
            if iri not in data.tests:
                data.tests[iri] = TestNode(iri, ident, label or ident, None)
        elif kind_name == "Capability":
            data.capabilities.setdefault(iri, (ident, label or ident))
        elif kind_name == "Mitigation":
            data.mitigations.setdefault(iri, (ident, label or ident))
        elif kind_name == "MethodType":
            labels_mt.setdefault(_local(iri), label or ident)
    order = {m: i for i, m in enumerate(METHOD_TYPE_ORDER)}
    for mt in sorted(labels_mt, key=lambda m: (order.get(m, len(order)), m)):
        data.method_types[mt] = labels_mt[mt]
    data.tests = dict(sorted(data.tests.items(), key=lambda kv: kv[1].id))


def _read_links(data: CoverageData, rows: list[Row]) -> None:
    risks = data.risks
    parents: dict[str, set[str]] = {}
    for s, p, o in rows:
        if s is None or p is None or o is None:
            continue
        if p == P_ASSESSES:
            if o in risks:
                data.assesses.setdefault(s, []).append(o)
        elif p == P_MEASURES:
            data.measures.setdefault(s, []).append(o)
        elif p == P_ENABLES:
            if o in risks:
                data.enables.setdefault(s, []).append(o)
        elif p == P_MITIGATES:
            if o in risks:
                data.mitigates.setdefault(o, []).append(s)
        elif p == P_METHOD_TYPE:
            test = data.tests.get(s)
            if test is not None:
                test.method_type = _local(o)
        elif p == P_SEVERITY:
            node = risks.get(s)
            if node is not None:
                try:
                    level = int(float(o))
                except ValueError:
                    continue
                if 1 <= level <= 5:
                    node.severity = level
        elif p == P_NOT_APPLICABLE:
            node = risks.get(s)
            if node is not None and o in ("true", "1"):
                node.not_applicable = NOT_TESTABLE_DEFAULT
        elif p == P_BROADER:
            if s in risks and o in risks and s != o:
                parents.setdefault(s, set()).add(o)
        elif p == P_NARROWER:
            if s in risks and o in risks and s != o:
                parents.setdefault(o, set()).add(s)
        elif p in MAPPING_PREDICATES and s in risks and o in risks:
            data.mappings.append((s, MAPPING_PREDICATES[p], o))
    data.parents = {k: sorted(v) for k, v in parents.items()}
    for d in (data.assesses, data.measures, data.enables, data.mitigates):
        for k in d:
            d[k] = sorted(set(d[k]))
    data.mappings = sorted(set(data.mappings))


Source = Union["KnowledgeGraph", CoverageData]


def as_data(source: Source) -> CoverageData:
    """The :class:`CoverageData` of ``source`` (run the queries if given a KnowledgeGraph)."""
    if isinstance(source, CoverageData):
        return source
    return gather(source)


def _read_claim_notes(data: CoverageData, rows: list[Row]) -> None:
    """Split capability links by role and keep the reasons of not-testable claims.

    Only links whose evidence node says ``ar:linkRole ar:EvidenceRole`` carry test evidence; a link
    with the context role, or with no role at all (a graph built without roles), is context.
    """
    evidence: set[tuple[str, str]] = set()
    for s, p, o, role, rnote, note in rows:
        if s is None or o is None:
            continue
        if p == P_ENABLES:
            if role == ROLE_EVIDENCE:
                evidence.add((s, o))
            if rnote and role in (ROLE_EVIDENCE, ROLE_CONTEXT):
                data.role_notes[(s, o)] = rnote
        elif p == P_NOT_APPLICABLE and note:
            node = data.risks.get(s)
            if node is not None and node.not_applicable == NOT_TESTABLE_DEFAULT:
                node.not_applicable = " ".join(note.split())
    enables: dict[str, list[str]] = {}
    for cap, risks in data.enables.items():
        for r in risks:
            (enables if (cap, r) in evidence else data.context).setdefault(cap, []).append(r)
    data.enables = enables
