"""Why each risk has the coverage it has, in words, and which catalogue methods would raise it most.

A reason names the weakest point of a risk's evidence: no method at all; only through narrower
risks; only indirect evidence (through which capabilities or mappings); one method type only;
only static benchmarks; tests that reach it only through a context capability. The improvers are
the catalogue test methods (not yet counted) whose addition would raise the risk's score most,
with the gap they would remove; "no public method in the catalogue" when none would.
:class:`Incremental` gives what adding one method would change (the reasons and the planner use it).
"""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, cast

from graph.coverage.rules import (
    DIRECT,
    EPS,
    INTERACTIVE_TYPES,
    STRONG_POINTS,
    Clusters,
    Model,
    Scores,
    combine,
    own_points,
    status_of,
)

if TYPE_CHECKING:
    from graph.coverage.types import RiskCoverage

NO_PUBLIC_METHOD = "no public method in the catalogue"
MAX_IMPROVERS = 3


@dataclass(frozen=True)
class Improver:
    """A catalogue test method that would raise a risk, and by how much."""

    test_id: str
    label: str
    method_type: str | None
    gain: float  # the gap it would remove from this risk
    score_after: float
    status_after: str


@dataclass(frozen=True)
class Why:
    """The reason for a risk's coverage and the methods that would raise it most."""

    reason: str
    kinds: tuple[str, ...]
    improvers: tuple[Improver, ...] = ()

    @property
    def best(self) -> str:
        """``"agentdojo (+1.33); injecagent (+0.67)"`` or "no public method in the catalogue"."""
        if not self.improvers:
            return NO_PUBLIC_METHOD
        return "; ".join(f"{m.test_id} (+{m.gain:.2f})" for m in self.improvers)

    def to_dict(self) -> dict[str, object]:
        return {
            "reason": self.reason,
            "kinds": list(self.kinds),
            "best_methods": [asdict(m) for m in self.improvers],
            "no_public_method": not self.improvers,
        }


def _names(items: list[str], limit: int = 4) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class Explainer:
    """Reasons and improvers for the risks of one evaluation (a model, its counted keys and scores).

    Called with a :class:`RiskCoverage` it returns that row's :class:`Why` (the report's loader).
    """

    def __init__(self, model: Model, scores: Scores, keys: frozenset[str], clusters: Clusters):
        self.model, self.scores, self.keys, self.clusters = model, scores, keys, clusters
        self._raised: dict[int, list[tuple[str, float]]] | None = None
        self._context_by_risk: dict[str, set[str]] | None = None

    def __call__(self, row: RiskCoverage) -> Why:
        index = self.model.index
        i = index[row.iri]
        reason, kinds = self.reason(i)
        if row.members and "not-testable" not in kinds:
            sc = self.scores.score
            pairs = zip(row.members, row.member_iris, strict=True)
            others = [f"{m} ({status_of(sc[index[iri]], True)})" for m, iri in pairs]
            reason += f"; counted once with {_names(others)}"
        if "strong" in kinds or "not-testable" in kinds:
            return Why(reason, kinds)
        members = (i, *(index[m] for m in row.member_iris))
        return Why(reason, kinds, self.improvers(members, row.weight))

    # ------------------------------------------------------------------ improvers
    def raised(self) -> dict[int, list[tuple[str, float]]]:
        """Risk index -> [(catalogue test key, score after adding it)] for every test that raises it."""
        if self._raised is None:
            out: dict[int, list[tuple[str, float]]] = {}
            todo = [k for k in self.model.data.tests if k not in self.keys and k in self.model.items]
            inc = Incremental(self.model, set(self.keys), self.clusters, self.scores) if todo else None
            for key in todo:
                assert inc is not None
                for i, v in inc.changes(key)[2].items():
                    out.setdefault(i, []).append((key, v))
            self._raised = out
        return self._raised

    def improvers(self, members: tuple[int, ...], weight: float) -> tuple[Improver, ...]:
        """The catalogue methods that would raise the (mean) score of ``members`` most, with the gap removed."""
        m, sc = self.model, self.scores.score
        live = [i for i in members if m.applicable[i]]
        if not live:
            return ()
        before = sum(sc[i] for i in live) / len(live)
        after: dict[str, float] = {}  # test -> the cluster's mean score with it
        raised = self.raised()
        for i in live:
            for key, v in raised.get(i, ()):
                after[key] = after.get(key, before) + (v - sc[i]) / len(live)
        ranked = sorted(
            ((weight * (v - before), key, v) for key, v in after.items() if v > before + EPS),
            key=lambda t: (-t[0], t[1]),
        )
        out = []
        for gain, key, v in ranked[:MAX_IMPROVERS]:
            t = m.data.tests[key]
            out.append(Improver(t.id, t.label, t.method_type, gain, v, status_of(v, True)))
        return tuple(out)

    # ------------------------------------------------------------------ reasons
    def reason(self, i: int) -> tuple[str, tuple[str, ...]]:
        """The reason for risk ``i``'s coverage in words, and its kind codes."""
        m, s = self.model, self.scores
        if not m.applicable[i]:
            return f"not testable by model evaluation: {m.na_reason[i]}", ("not-testable",)
        labels = m.data.method_types
        direct = sorted(s.direct.get(i, ()))
        indirect = sorted(s.indirect.get(i, ()))
        kinds: list[str] = []
        parts: list[str] = []
        caps, maps = self._indirect_paths(i)
        if not direct and not indirect:
            if s.rollup[i] > EPS:
                kinds.append("narrower-only")
                parts.append("no method of its own; counted only through its narrower risks")
            else:
                kinds.append("no-method")
                parts.append("no method at all")
        elif not direct:
            kinds.append("indirect-only")
            via = []
            if caps:
                kinds.append("capability-only" if not maps else "capability")
                via.append(f"the capabilit{'y' if len(caps) == 1 else 'ies'} {_names(caps)}")
            if maps:
                kinds.append("mapping-only" if not caps else "mapping")
                via.append(f"mappings from {_names(maps)}")
            parts.append("only indirect evidence, through " + " and ".join(via))
        elif s.score[i] >= 1 - EPS:
            kinds.append("strong")
            n = len(direct)
            shown = _names([labels.get(t, t) for t in direct])
            parts.append(f"tested directly by {n} method type{'s' if n != 1 else ''} ({shown})")
            extra = [labels.get(t, t) for t in indirect if t not in direct]
            if extra:
                parts.append(f"also indirectly through {_names(extra)}")
        else:
            types = sorted(set(direct) | set(indirect))
            if len(types) == 1:
                kinds.append("one-type")
                parts.append(f"one method type only ({labels.get(types[0], types[0])})")
            if not any(t in INTERACTIVE_TYPES for t in types):
                kinds.append("static-only")
                parts.append("only static benchmarks, no interactive method (agents, red teams, people)")
            if not kinds:
                kinds.append("thin")
                parts.append(f"direct evidence earns {s.points[i]:g} of the {STRONG_POINTS:g} points strong needs")
        kids = m.live_children[i]
        if kids and "strong" not in kinds:
            covered = sum(1 for c in kids if s.score[c] > EPS)
            parts.append(f"{covered} of {len(kids)} narrower risks assessed")
        context = self._context(i)
        if context and "strong" not in kinds:
            kinds.append("context")
            parts.append(f"tests of {_names(context)} reach it only as context, not evidence")
        return "; ".join(parts), tuple(kinds)

    def _indirect_paths(self, i: int) -> tuple[list[str], list[str]]:
        """Capability ids and mapped risk CURIEs through which the counted tests reach risk ``i``."""
        m = self.model
        caps: set[str] = set()
        maps: set[str] = set()
        for key in self.scores.methods.get(i, ()):
            item = m.items.get(key)
            if item is None or item.levels.get(i) == DIRECT:
                continue
            for c in item.contributions:
                if c.risk != i or c.via is None:
                    continue
                if c.path == "capability":
                    caps.add(m.data.capabilities.get(c.via, (c.via, c.via))[0])
                else:
                    maps.add(m.data.risks[c.via].curie)
        return sorted(caps), sorted(maps)

    def _context(self, i: int) -> list[str]:
        """Context capabilities of risk ``i`` that a counted test measures."""
        by_risk = self._context_index()
        return sorted(by_risk.get(self.model.iris[i], ()))

    def _context_index(self) -> dict[str, set[str]]:
        """Risk IRI -> ids of its context capabilities measured by a counted test (built once)."""
        if self._context_by_risk is None:
            data = self.model.data
            measured = {c for k in self.keys for c in data.measures.get(k, ())}
            out: dict[str, set[str]] = {}
            for cap, risks in data.context.items():
                if cap in measured:
                    name = data.capabilities.get(cap, (cap, cap))[0]
                    for r in risks:
                        out.setdefault(r, set()).add(name)
            self._context_by_risk = out
        return self._context_by_risk


class Incremental:
    """Scores kept up to date while test methods are added one by one (for the planner).

    ``gain(key)`` is the reduction of the total gap over ``scope`` that adding ``key`` would
    bring, computed on the risks it touches and their broader risks only; ``add`` returns a
    journal that ``undo`` reverts (the exact solver's search uses it).
    """

    def __init__(self, model: Model, keys: set[str], scope: list[int] | Clusters, scores: Scores | None = None):
        """Start from the scores of ``keys`` (``scores``: already evaluated for exactly these keys; not changed)."""
        self.model = model
        s = model.evaluate(keys) if scores is None else scores
        n = len(model.iris)
        empty: frozenset[str] = frozenset()  # shared: add() replaces a risk's set, never changes one in place
        self.direct: list[set[str] | frozenset[str]] = [s.direct.get(i, empty) for i in range(n)]
        self.indirect: list[set[str] | frozenset[str]] = [s.indirect.get(i, empty) for i in range(n)]
        self.own, self.score = list(s.own), list(s.score)
        self.childsum = [s.rollup[i] * model.child_weight[i] for i in range(n)]
        self._scope = scope
        self._share: dict[int, float] | None = None
        self.keys = set(keys)

    @property
    def share(self) -> dict[int, float]:
        """Risk -> its weight in the objective (absent: out of scope); computed when first needed."""
        if self._share is None:
            self._share = self.model.scope_weights(self._scope)
        return self._share

    def changes(self, key: str) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
        """New own scores, changes of the children's weighted sums, new scores."""
        m = self.model
        item = m.items[key]
        new_own: dict[int, float] = {}
        for risk, level in item.levels.items():
            d, x = self.direct[risk], self.indirect[risk]
            if level == DIRECT:
                if item.type_key in d:
                    continue
                pts = own_points(d | {item.type_key}, x)
            else:
                if item.type_key in x:
                    continue
                pts = own_points(d, x | {item.type_key})
            value = min(1.0, pts / STRONG_POINTS)
            if value > self.own[risk]:
                new_own[risk] = value
        new_score: dict[int, float] = {}
        delta_child: dict[int, float] = {}
        heap = [(m.rank[i], i) for i in new_own]
        heapq.heapify(heap)
        queued = set(new_own)
        while heap:
            _, i = heapq.heappop(heap)
            cw = m.child_weight[i]
            roll = (self.childsum[i] + delta_child.get(i, 0.0)) / cw if cw > 0 else 0.0
            value = combine(new_own.get(i, self.own[i]), roll)
            if value <= self.score[i]:
                continue
            new_score[i] = value
            if m.applicable[i]:
                diff = m.weight[i] * (value - self.score[i])
                for p in m.parents[i]:
                    delta_child[p] = delta_child.get(p, 0.0) + diff
                    if p not in queued:
                        queued.add(p)
                        heapq.heappush(heap, (m.rank[p], p))
        return new_own, delta_child, new_score

    def gain(self, key: str) -> float:
        """Reduction of the total gap over the scope if ``key`` were added."""
        _, _, new_score = self.changes(key)
        share = self.share
        return sum(share[i] * (v - self.score[i]) for i, v in new_score.items() if i in share)

    def add(self, key: str) -> list[tuple[str, int, object]]:
        """Add the test method ``key``; return the journal that :meth:`undo` reverts."""
        new_own, delta_child, new_score = self.changes(key)
        journal: list[tuple[str, int, object]] = []
        item = self.model.items[key]
        for risk, level in item.levels.items():
            target = self.direct if level == DIRECT else self.indirect
            if item.type_key not in target[risk]:
                journal.append(("d" if level == DIRECT else "x", risk, target[risk]))
                target[risk] = target[risk] | {item.type_key}
        for i, v in new_own.items():
            journal.append(("own", i, self.own[i]))
            self.own[i] = v
        for i, d in delta_child.items():
            journal.append(("child", i, self.childsum[i]))
            self.childsum[i] += d
        for i, v in new_score.items():
            journal.append(("score", i, self.score[i]))
            self.score[i] = v
        if key not in self.keys:
            self.keys.add(key)
            journal.append(("key", 0, key))
        return journal

    def undo(self, journal: list[tuple[str, int, object]]) -> None:
        """Revert an :meth:`add`."""
        for kind, i, old in reversed(journal):
            if kind == "d":
                self.direct[i] = cast("set[str] | frozenset[str]", old)
            elif kind == "x":
                self.indirect[i] = cast("set[str] | frozenset[str]", old)
            elif kind == "own":
                self.own[i] = float(old)  # type: ignore[arg-type]
            elif kind == "child":
                self.childsum[i] = float(old)  # type: ignore[arg-type]
            elif kind == "score":
                self.score[i] = float(old)  # type: ignore[arg-type]
            else:
                self.keys.discard(str(old))
