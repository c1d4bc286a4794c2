"""The SPARQL step of the coverage analysis: a few queries, then plain Python data.

:func:`gather` runs SELECT queries (risks; test methods, capabilities, mitigations and method
types; one per link predicate; the roles of capability links; taxonomy titles; aliases and
evidence when first needed) through the graph's store, so the same code works on the embedded
store and on a remote SPARQL endpoint, and returns a :class:`CoverageData` that every analysis
of :mod:`graph.coverage` combines in Python. Nothing walks the graph triple by triple.

The queries (:mod:`graph.index.sparql`) are linear scans: no property paths, and one
``FILTER NOT EXISTS`` that looks up a single triple per row. (The textbook gap query with
``NOT EXISTS`` and ``skos:broader*`` grows quadratically, see ``docs/coverage.md``.)
"""

from __future__ import annotations

import contextlib
import gc
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import unquote

from graph.core.namespaces import ID, curie
from graph.index.sparql import (
    ENTITY_KINDS,
    EVIDENCE_BATCH,
    EVIDENCE_LOOKUP_LIMIT,
    LINK_PREDICATES,
    MAPPING_PREDICATES,
    NOT_TESTABLE_DEFAULT,
    P_ASSESSES,
    P_BROADER,
    P_ENABLES,
    P_MEASURES,
    P_METHOD_TYPE,
    P_MITIGATES,
    P_NARROWER,
    P_NOT_APPLICABLE,
    P_SEVERITY,
    Q_ALIASES,
    Q_CLAIM_NOTES,
    Q_ENTITIES,
    Q_ENTRIES,
    Q_EVIDENCE,
    Q_EVIDENCE_FOR,
    Q_NARROWER_ONLY,
    Q_PAIRS,
    Q_RISKS,
    Q_TAXONOMIES,
    ROLE_CONTEXT,
    ROLE_EVIDENCE,
)
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
        return [tuple([None if v is None else v.value for v in sol]) for sol in result]
    res = kg.select(query)
    return [tuple(row[v].value if v in row else None for v in res.vars) for row in res.rows]


def select_pairs(kg: KnowledgeGraph, query: str) -> list[tuple[str, str]]:
    """Like :func:`select_rows` for a query of two variables that are always bound (``?s <p> ?o``)."""
    store = kg.store
    if isinstance(store, OxigraphStore):
        result = store.raw.query(kg.with_prefixes(query), use_default_graph_as_union=True)
        return [(sol[0].value, sol[1].value) for sol in result]  # type: ignore[union-attr,index]
    return [(a, b) for a, b in select_rows(kg, query) if a is not None and b is not None]


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
    _read_entities(data, {kind: select_rows(kg, Q_ENTITIES.replace("{{kind}}", kind)) for kind in ENTITY_KINDS})
    pairs = {p: select_pairs(kg, Q_PAIRS.replace("{{p}}", p)) for p in LINK_PREDICATES}
    pairs[P_NARROWER] = select_pairs(kg, Q_NARROWER_ONLY)
    _read_links(data, pairs)
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


_DIGITS = re.compile(r"(\d+)")


def _code_key(code: str) -> tuple[tuple[int, object], ...]:
    """Sort codes naturally: 1.2 < 1.10, LLM02 < LLM10."""
    return tuple([(0, int(p)) if p.isdigit() else (1, p) for p in _DIGITS.split(code) if p != ""])


def _read_entities(data: CoverageData, rows: dict[str, list[Row]]) -> None:
    """Test methods, capabilities, mitigations and method types from their rows (one list per class)."""
    for iri, ident, label in rows.get("TestMethod", ()):
        if iri is not None and iri not in data.tests:
            ident = ident or _local(iri)
            data.tests[iri] = TestNode(iri, ident, label or ident, None)
    for kind, target in (("Capability", data.capabilities), ("Mitigation", data.mitigations)):
        for iri, ident, label in rows.get(kind, ()):
            if iri is not None and iri not in target:
                ident = ident or _local(iri)
                target[iri] = (ident, label or ident)
    labels_mt: dict[str, str] = {}
    for iri, ident, label in rows.get("MethodType", ()):
        if iri is not None:
            labels_mt.setdefault(_local(iri), label or ident or _local(iri))
    order = {m: i for i, m in enumerate(METHOD_TYPE_ORDER)}
    for mt in sorted(labels_mt, key=lambda m: (order.get(m, len(order)), m)):
        data.method_types[mt] = labels_mt[mt]
    data.tests = dict(sorted(data.tests.items(), key=lambda kv: kv[1].id))


def _grouped(pairs: Iterable[tuple[str, str]], keep: set[str] | dict[str, Any] | None = None) -> dict[str, list[str]]:
    """``s -> sorted distinct o`` of ``pairs`` (only the ``o`` in ``keep``, when given)."""
    out: dict[str, set[str]] = {}
    for s, o in pairs:
        if keep is None or o in keep:
            bucket = out.get(s)
            if bucket is None:
                out[s] = {o}
            else:
                bucket.add(o)
    return {k: sorted(v) if len(v) > 1 else list(v) for k, v in out.items()}


def _read_links(data: CoverageData, pairs: dict[str, list[tuple[str, str]]]) -> None:
    """The claims of the analysis from ``predicate -> [(s, o)]`` (each predicate's rows in store order)."""
    risks = data.risks
    data.assesses = _grouped(pairs.get(P_ASSESSES, ()), risks)
    data.measures = _grouped(pairs.get(P_MEASURES, ()))
    data.enables = _grouped(pairs.get(P_ENABLES, ()), risks)
    data.mitigates = _grouped(((o, s) for s, o in pairs.get(P_MITIGATES, ()) if o in risks))
    tests = data.tests
    for s, o in pairs.get(P_METHOD_TYPE, ()):
        test = tests.get(s)
        if test is not None:
            test.method_type = _local(o)
    for s, o in pairs.get(P_SEVERITY, ()):
        node = risks.get(s)
        if node is not None:
            try:
                level = int(float(o))
            except ValueError:
                continue
            if 1 <= level <= 5:
                node.severity = level
    for s, o in pairs.get(P_NOT_APPLICABLE, ()):
        node = risks.get(s)
        if node is not None and o in ("true", "1"):
            node.not_applicable = NOT_TESTABLE_DEFAULT
    down = ((s, o) for s, o in pairs.get(P_BROADER, ()))
    up = ((o, s) for s, o in pairs.get(P_NARROWER, ()))
    data.parents = _grouped(((s, o) for s, o in (*down, *up) if s != o and s in risks), risks)
    mappings = {
        (s, name, o) for p, name in MAPPING_PREDICATES.items() for s, o in pairs.get(p, ()) if s in risks and o in risks
    }
    data.mappings = sorted(mappings)


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
