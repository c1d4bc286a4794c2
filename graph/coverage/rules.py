"""The coverage rubric and the engine that applies it (pure Python over :class:`CoverageData`).

The rubric (also in the README, "Coverage"):

- Evidence for a risk comes from a test method through one of three paths: **direct** (the test
  assesses the risk), **capability** (the test measures a capability whose link to the risk has
  the role *evidence*; context links carry no evidence) or
  **mapping** (the test assesses a risk of another taxonomy that is an exact or close match, or a
  *narrower* match: a test of a narrower concept counts for the broader one, never the reverse;
  related matches never count). A test that assesses the risk directly gives direct evidence
  only, even if it also reaches the risk indirectly.
- Points: each distinct method type with direct evidence earns 2 points if it is an interactive
  type (agents, adversaries or people in the loop) and 1 point otherwise; a second test method of
  the same type adds nothing (it shares the type's blind spots). Each distinct method type with
  indirect evidence (capability or mapping) earns half that, and indirect evidence earns at most
  1.5 points in total. Own score = min(1, points / 3): strong needs direct evidence from at least
  two test methods.
- Roll-up: share = severity-weighted mean of the scores of the applicable narrower risks (an
  only narrower risk covers at most half of its parent: its weight is counted twice in the
  denominator); score = 1 - (1 - own score) x (1 - share). A broader risk is strong by roll-up
  only when at least two narrower risks exist and all are strong.
- Status: not testable by model evaluation (curated claim, a taxonomy of causes, or every
  narrower risk not testable); not assessed (score 0); assessed: strong (score 1); assessed:
  weak (otherwise).
- Gap score = weight x (1 - score), weight = severity 1..5, or 2 when the risk is unrated.

Every part of the score is a monotone submodular function of the set of test methods (weighted
coverage of method types, truncated; sums, truncations and 1 - (1 - a)(1 - b) of such functions
keep the property), which is what gives the planner's greedy algorithm its guarantee. A cluster
of a deduplicated lens counts once: its weight is its highest member weight, shared equally by
its members, so its score is the mean of theirs and the objective stays a weighted sum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from graph.core.namespaces import SKOS
from graph.index.data import INTERACTIVE_METHOD_TYPES, CoverageData, LinkKey
from graph.index.sparql import P_ASSESSES, P_ENABLES, P_MEASURES

STATUS_NOT_ASSESSED = "not assessed"
STATUS_WEAK = "assessed: weak"
STATUS_STRONG = "assessed: strong"
STATUS_NOT_TESTABLE = "not testable by model evaluation"
STATUS_NOT_APPLICABLE = STATUS_NOT_TESTABLE  # the former name of the same state
STATUSES = (STATUS_NOT_ASSESSED, STATUS_WEAK, STATUS_STRONG, STATUS_NOT_TESTABLE)

#: Method types that exercise the system interactively (agents, adversaries, people), rather than
#: scoring answers to a fixed set of prompts.
INTERACTIVE_TYPES = frozenset(INTERACTIVE_METHOD_TYPES)
POINTS_INTERACTIVE = 2.0
POINTS_STATIC = 1.0
STRONG_POINTS = 3.0
INDIRECT_FACTOR = 0.5
INDIRECT_CAP = 1.5
DEFAULT_WEIGHT = 2.0
SEVERITY_LABELS = {1: "limited", 2: "moderate", 3: "serious", 4: "severe", 5: "catastrophic"}
EPS = 1e-9

DIRECT = 0
INDIRECT = 1

#: Mapping predicates and the direction in which a test's evidence flows along them:
#: (a P b) -> list of (from, to) where a test of ``from`` counts for ``to``.
SOUND_DIRECTIONS = {
    "exactMatch": ("ab", "ba"),
    "closeMatch": ("ab", "ba"),
    "broadMatch": ("ab",),  # b is broader than a: a test of a counts for b
    "narrowMatch": ("ba",),  # b is narrower than a: a test of b counts for a
    "relatedMatch": (),
}


def type_points(type_key: str) -> float:
    """Points a method type earns with direct evidence (2 interactive, 1 otherwise)."""
    return POINTS_INTERACTIVE if type_key in INTERACTIVE_TYPES else POINTS_STATIC


def own_points(direct: set[str] | frozenset[str], indirect: set[str] | frozenset[str]) -> float:
    """Points from the method types with direct and with indirect evidence.

    Every term is a multiple of 0.5, so the sums are exact in floating point in any order.
    """
    d = sum(POINTS_INTERACTIVE if t in INTERACTIVE_TYPES else POINTS_STATIC for t in direct)
    x = sum(POINTS_INTERACTIVE if t in INTERACTIVE_TYPES else POINTS_STATIC for t in indirect) * INDIRECT_FACTOR
    return d + min(INDIRECT_CAP, x)


NO_TYPES: frozenset[str] = frozenset()

#: A scope of risks to count: clusters of risk indexes, each counted once (the mean of its members).
Clusters = tuple[tuple[int, ...], ...]


def combine(own: float, share: float) -> float:
    """A risk's score from its own score and the roll-up share of its narrower risks."""
    return min(1.0, 1.0 - (1.0 - own) * (1.0 - share))


def as_clusters(scope: list[int] | Clusters) -> Clusters:
    """``scope`` as clusters: a plain list of risk indexes becomes one cluster per risk."""
    if scope and not isinstance(scope[0], tuple):
        return tuple((i,) for i in scope)  # type: ignore[misc]
    return tuple(scope)  # type: ignore[arg-type]


def status_of(score: float, applicable: bool) -> str:
    """The status shown for a coverage score."""
    if not applicable:
        return STATUS_NOT_APPLICABLE
    if score <= EPS:
        return STATUS_NOT_ASSESSED
    if score >= 1 - EPS:
        return STATUS_STRONG
    return STATUS_WEAK


class Contribution(NamedTuple):
    """How one test method reaches one risk."""

    risk: int
    level: int  # DIRECT or INDIRECT
    path: str  # "direct" | "capability" | "mapping"
    via: str | None  # capability IRI or mapped risk IRI
    mapping: str | None  # "a skos:exactMatch b" for mapping paths
    hops: tuple[LinkKey, ...]  # the claims (s, p, o) this evidence rests on


class Item:
    """A test method (catalogue or custom) as the engine sees it.

    ``levels`` (risk index -> best level) is all that scoring and planning read. The
    ``contributions`` (every path with the claims it rests on) are what evidence and reasons
    show, for a few risks at a time: given a ``build`` function they are built on first use.
    """

    __slots__ = ("key", "type_key", "levels", "_contributions", "_build")

    def __init__(
        self,
        key: str,
        type_key: str,
        contributions: list[Contribution] | None = None,
        levels: dict[int, int] | None = None,
        build: Callable[[], list[Contribution]] | None = None,
    ):
        self.key = key  # test IRI
        self.type_key = type_key  # method type id, or a pseudo-type for custom tests without one
        self._contributions = contributions
        self._build = build
        if levels is None:
            levels = {}
            for c in contributions or ():
                levels[c.risk] = min(levels.get(c.risk, INDIRECT), c.level)
        self.levels = levels

    @property
    def contributions(self) -> list[Contribution]:
        """How this test method reaches each risk (built once, on first use)."""
        if self._contributions is None:
            self._contributions = self._build() if self._build is not None else []
        return self._contributions


@dataclass
class Scores:
    """The result of evaluating a set of test methods on every risk (sets only for risks with evidence)."""

    direct: dict[int, set[str]]
    indirect: dict[int, set[str]]
    methods: dict[int, set[str]]
    points: list[float]
    own: list[float]
    rollup: list[float]
    score: list[float]


class Model:
    """Risks, hierarchy, weights and the contributions of every test method, indexed."""

    def __init__(self, data: CoverageData):
        self.data = data
        self.iris: list[str] = list(data.risks)
        self.index = {iri: i for i, iri in enumerate(self.iris)}
        n = len(self.iris)
        self.parents: list[list[int]] = [[] for _ in range(n)]
        self.children: list[list[int]] = [[] for _ in range(n)]
        for child, ps in data.parents.items():
            ci = self.index[child]
            for p in ps:
                pi = self.index[p]
                self.parents[ci].append(pi)
                self.children[pi].append(ci)
        for lst in (*self.parents, *self.children):
            lst.sort()  # index order (taxonomy, natural code order): the same on every store
        self.weight = [float(data.risks[iri].severity or DEFAULT_WEIGHT) for iri in self.iris]
        self.topo = self._children_first()
        self.na_reason = [data.risks[iri].not_applicable for iri in self.iris]
        for i in self.topo:  # a parent whose narrower risks are all not applicable
            if not self.na_reason[i] and self.children[i] and all(self.na_reason[c] for c in self.children[i]):
                self.na_reason[i] = "every narrower risk is not testable by model evaluation"
        self.applicable = applicable = [not r for r in self.na_reason]
        self.live_children = [[c for c in kids if applicable[c]] if kids else [] for kids in self.children]
        # an only narrower risk covers at most half of its parent: count its weight twice
        weight = self.weight
        self.child_weight = [
            sum([weight[c] for c in live]) * (2.0 if len(live) == 1 else 1.0) if live else 0.0
            for live in self.live_children
        ]
        self.rank = {node: r for r, node in enumerate(self.topo)}
        self.depth = [1] * n
        for i in reversed(self.topo):
            if self.parents[i]:
                self.depth[i] = 1 + min(self.depth[p] for p in self.parents[i])
        self.curies = [data.risks[iri].curie for iri in self.iris]
        self.items: dict[str, Item] = {}
        self._build_items()
        self.mitigations = self._mitigations()
        names = data.mitigations
        self.mitigation_ids = [
            tuple(sorted([names.get(m, (m, m))[0] for m in ms])) if ms else () for ms in self.mitigations
        ]
        # A risk is mitigated by its own (or inherited, or matched) mitigations, or, for a broader
        # risk, when every applicable narrower risk is mitigated (children first, so this rolls up).
        self.mitigated = [bool(ms) for ms in self.mitigations]
        for i in self.topo:
            if not self.mitigated[i] and self.live_children[i]:
                self.mitigated[i] = all(self.mitigated[c] for c in self.live_children[i])

    def _mitigations(self) -> list[tuple[str, ...]]:
        """Mitigation IRIs per risk: its own, those of every broader risk, those of exact/close matches."""
        data = self.data
        own: list[set[str]] = [set(data.mitigates.get(iri, ())) for iri in self.iris]
        for a, pred, b in data.mappings:
            if pred in ("exactMatch", "closeMatch"):
                ia, ib = self.index[a], self.index[b]
                own[ia].update(data.mitigates.get(b, ()))
                own[ib].update(data.mitigates.get(a, ()))
        out: list[set[str]] = [set() for _ in self.iris]
        parents = self.parents
        for i in reversed(self.topo):  # broader risks first
            out[i] = own[i].union(*[out[p] for p in parents[i]]) if parents[i] else own[i]
        return [tuple(sorted(s)) if len(s) > 1 else tuple(s) for s in out]

    def _children_first(self) -> list[int]:
        """Topological order with every risk after all its narrower risks (cycles broken)."""
        n = len(self.iris)
        pending = [len(self.children[i]) for i in range(n)]
        ready = [i for i in range(n) if pending[i] == 0]
        order: list[int] = []
        seen = [False] * n
        while ready:
            i = ready.pop()
            if seen[i]:
                continue
            seen[i] = True
            order.append(i)
            for p in self.parents[i]:
                pending[p] -= 1
                if pending[p] == 0:
                    ready.append(p)
        order.extend(i for i in range(n) if not seen[i])  # only when the data has a cycle
        return order

    def _build_items(self) -> None:
        data = self.data
        flows: dict[str, list[tuple[str, str, LinkKey]]] = {}
        for a, pred, b in data.mappings:
            key = (a, str(SKOS) + pred, b)
            text = f"{data.risks[a].curie} skos:{pred} {data.risks[b].curie}"
            for direction in SOUND_DIRECTIONS.get(pred, ()):
                src, dst = (a, b) if direction == "ab" else (b, a)
                flows.setdefault(src, []).append((dst, text, key))
        self.flows = flows
        for t, node in data.tests.items():
            self.items[t] = self.make_item(
                t, node.method_type or f"untyped:{node.id}", data.assesses.get(t, []), data.measures.get(t, [])
            )

    def make_item(self, key: str, type_key: str, risks: list[str], capabilities: list[str]) -> Item:
        """The item of a test method that assesses ``risks`` and measures ``capabilities``.

        Its levels are computed now (the same paths as :meth:`contributions_of`, without building
        them); its contributions when first read.
        """
        idx = self.index
        direct = {r for r in risks if r in idx}
        ordered = sorted(direct)
        levels = {idx[r]: DIRECT for r in ordered}
        enables = self.data.enables
        for c in capabilities:
            for r in enables.get(c, ()):
                if r not in direct:
                    i = idx.get(r)
                    if i is not None:
                        levels[i] = INDIRECT
        flows = self.flows
        if flows:
            for m in ordered:
                for dst, _text, _key in flows.get(m, ()):
                    if dst not in direct:
                        i = idx.get(dst)
                        if i is not None:
                            levels[i] = INDIRECT
        return Item(key, type_key, None, levels, partial(self.contributions_of, key, risks, capabilities))

    def contributions_of(self, key: str, risks: list[str], capabilities: list[str]) -> list[Contribution]:
        """Every path through which the test method ``key`` reaches a risk, with the claims of each hop."""
        idx = self.index
        contribs: list[Contribution] = []
        direct = {r for r in risks if r in idx}
        for r in sorted(direct):
            contribs.append(Contribution(idx[r], DIRECT, "direct", None, None, ((key, P_ASSESSES, r),)))
        for c in capabilities:
            for r in self.data.enables.get(c, []):
                if r in idx and r not in direct:
                    hops = ((key, P_MEASURES, c), (c, P_ENABLES, r))
                    contribs.append(Contribution(idx[r], INDIRECT, "capability", c, None, hops))
        for m in sorted(direct):
            for dst, text, mkey in self.flows.get(m, []):
                if dst in idx and dst not in direct:
                    hops = ((key, P_ASSESSES, m), mkey)
                    contribs.append(Contribution(idx[dst], INDIRECT, "mapping", m, text, hops))
        return contribs

    def with_items(self, extra: dict[str, Item]) -> Model:
        """A shallow copy with more items (an inventory's custom tests)."""
        clone = object.__new__(Model)
        clone.__dict__.update(self.__dict__)
        clone.items = {**self.items, **extra}
        return clone

    def evaluate(self, keys: set[str] | frozenset[str] | list[str]) -> Scores:
        """Score every risk when the test methods ``keys`` (item keys) count as evidence."""
        n = len(self.iris)
        direct: dict[int, set[str]] = {}
        indirect: dict[int, set[str]] = {}
        methods: dict[int, set[str]] = {}
        items = self.items
        for key in sorted(set(keys)):
            item = items.get(key)
            if item is None:
                continue
            type_key = item.type_key
            for risk, level in item.levels.items():
                target = direct if level == DIRECT else indirect
                found = target.get(risk)
                if found is None:
                    target[risk] = {type_key}
                else:
                    found.add(type_key)
                found = methods.get(risk)
                if found is None:
                    methods[risk] = {key}
                else:
                    found.add(key)
        points = [0.0] * n
        own = [0.0] * n
        for i in methods:
            points[i] = own_points(direct.get(i, NO_TYPES), indirect.get(i, NO_TYPES))
            own[i] = min(1.0, points[i] / STRONG_POINTS)
        rollup = [0.0] * n
        score = [0.0] * n
        weight, child_weight, live_children = self.weight, self.child_weight, self.live_children
        for i in self.topo:
            cw = child_weight[i]
            if cw > 0:
                total = 0.0
                for c in live_children[i]:  # the applicable narrower risks, in index order
                    total += weight[c] * score[c]
                rollup[i] = total / cw
            score[i] = min(1.0, 1.0 - (1.0 - own[i]) * (1.0 - rollup[i]))  # combine(), inlined
        return Scores(direct, indirect, methods, points, own, rollup, score)

    def cluster_weight(self, cluster: tuple[int, ...]) -> float:
        """The weight of a cluster: the highest weight of its applicable members (0 if none)."""
        return max((self.weight[i] for i in cluster if self.applicable[i]), default=0.0)

    def cluster_score(self, score: list[float], cluster: tuple[int, ...]) -> float:
        """The score of a cluster: the mean score of its applicable members (strong only when all are)."""
        live = [score[i] for i in cluster if self.applicable[i]]
        return sum(live) / len(live) if live else 0.0

    def scope_weights(self, scope: list[int] | Clusters) -> dict[int, float]:
        """Each counted risk's share of the objective: its cluster's weight over its live members."""
        out: dict[int, float] = {}
        for c in as_clusters(scope):
            live = [i for i in c if self.applicable[i]]
            for i in live:
                out[i] = self.cluster_weight(c) / len(live)
        return out

    def gap(self, scores: Scores, scope: list[int] | Clusters) -> float:
        """The total severity-weighted gap over ``scope`` (risk indexes, or clusters counted once)."""
        total = 0.0
        weight, applicable, score = self.weight, self.applicable, scores.score
        for c in as_clusters(scope):
            if len(c) == 1:  # the same numbers as the general case, without the comprehensions
                i = c[0]
                if applicable[i] and weight[i] > 0:
                    total += weight[i] * (1.0 - score[i])
                continue
            w = self.cluster_weight(c)
            if w > 0:
                total += w * (1.0 - self.cluster_score(scores.score, c))
        return total
