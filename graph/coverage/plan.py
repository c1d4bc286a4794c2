"""The planner ("which K test methods would most reduce the severity-weighted gap?") and what-if.

The objective is the reduction of the total gap (sum over the risks in scope of
weight x (1 - score)). Every risk's score is a monotone submodular function of the set of test
methods (see :mod:`graph.coverage.rules`), so:

- with a budget of K methods, the greedy algorithm (take the method with the largest marginal
  gain, K times; lazy evaluation) reaches at least 1 - 1/e (about 63 %) of the best possible
  reduction (Nemhauser, Wolsey and Fisher 1978);
- with a cost per method and a total budget, the best of three candidates (cost-benefit greedy,
  plain greedy that skips what does not fit, and the best single method) reaches at least
  (1 - 1/e) / 2 (about 32 %) of the optimum (Leskovec et al. 2007; Khuller, Moss and Naor 1999);
- an exact branch-and-bound search (bounded by the sum of the best single-method gains, which
  submodularity makes an upper bound) runs first when ``exact`` is not False, and is used when it
  finishes within its node limit; the plan says which one ran (``Plan.algorithm``, ``optimal``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from graph.core.errors import AiriskError
from graph.coverage.lens import choose_lens
from graph.coverage.report import (
    CoverageReport,
    RiskChange,
    WhatIf,
    check_taxonomy,
    compare_reports,
    compute_coverage,
    inventory_items,
    model_for,
)
from graph.coverage.rules import EPS, Clusters, Model, status_of
from graph.coverage.why import Explainer, Incremental
from graph.index.data import CoverageData, paused_gc
from graph.inventory.match import inventory_from_tests, matcher_for, resolve_tests
from graph.inventory.model import Inventory, InventoryEntry

GUARANTEE_K = "greedy: at least 1 - 1/e (63 %) of the optimal gap reduction (monotone submodular objective)"
GUARANTEE_COST = (
    "best of cost-benefit greedy, plain greedy and best single method: at least (1 - 1/e)/2 (32 %) "
    "of the optimal gap reduction within the budget"
)
SEVERE = 4  # severity from which a gap no catalogue method can close is listed
EXACT_NODE_LIMIT = 200_000  # exact=True
AUTO_NODE_LIMIT = 20_000  # exact=None: try, then fall back to greedy


@dataclass
class PlanStep:
    """One recommended test method, in the order the plan adds them."""

    test_id: str
    test_iri: str
    label: str
    method_type: str | None
    cost: float
    gain: float
    cumulative_gain: float
    newly_assessed: tuple[str, ...]
    newly_strong: tuple[str, ...]  # the gaps it closes (to strong)
    improved: tuple[str, ...]  # every counted risk it raises
    raises: tuple[str, ...] = ()  # the gaps it raises without closing them

    @property
    def effect(self) -> str:
        """``"closes mit:4.2; raises nist600:2.1, gdm-fsf:cbrn"`` (what this step does to the gaps)."""
        parts = []
        if self.newly_strong:
            parts.append("closes " + ", ".join(self.newly_strong))
        if self.raises:
            parts.append("raises " + ", ".join(self.raises))
        return "; ".join(parts) or "no gap changes"


@dataclass(frozen=True)
class OpenGap:
    """A severe gap that no catalogue method can close (even the whole catalogue leaves it below strong)."""

    id: str
    label: str
    severity: int | None
    status_with_catalogue: str
    reason: str


@dataclass
class Plan:
    """Recommended test methods with the marginal gain of each."""

    steps: list[PlanStep]
    gap_before: float
    gap_after: float
    budget: float
    cost_total: float
    algorithm: str
    guarantee: str
    optimal: bool
    candidates: int
    inventory: str | None = None
    taxonomy: str | None = None
    notes: list[str] = field(default_factory=list)
    lens: dict[str, Any] = field(default_factory=dict)
    unclosable: list[OpenGap] = field(default_factory=list)  # severe gaps no catalogue method can close

    @property
    def total_gain(self) -> float:
        return self.gap_before - self.gap_after

    @property
    def tests(self) -> list[str]:
        return [s.test_id for s in self.steps]

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for n, s in enumerate(self.steps, 1):
            d = asdict(s)
            for k in ("newly_assessed", "newly_strong", "improved", "raises"):
                d[k] = "; ".join(d[k])
            rows.append({"step": n, **d, "effect": s.effect})
        cols = ["step", *PlanStep.__dataclass_fields__, "effect"]
        return pd.DataFrame(rows, columns=cols)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["total_gain"] = self.total_gain
        for s, step in zip(d["steps"], self.steps, strict=True):
            for k in ("newly_assessed", "newly_strong", "improved", "raises"):
                s[k] = list(s[k])
            s["effect"] = step.effect
        return d


def _empty(name: str = "empty") -> Inventory:
    return Inventory(name)


@paused_gc()
def plan(
    data: CoverageData,
    inventory: Inventory | None = None,
    budget: float = 3,
    costs: dict[str, float] | None = None,
    taxonomy: str | None = None,
    exact: bool | None = None,
    statuses: Iterable[str] | None = None,
    default_cost: float = 1.0,
    lens: str | None = None,
) -> Plan:
    """Recommend the catalogue test methods that most reduce the severity-weighted gap.

    Parameters
    ----------
    data
        The coverage data (:func:`graph.index.data.gather` of a graph).
    inventory
        What is already run (``None``: nothing yet).
    budget
        The number of methods to add, or with ``costs`` the total cost.
    costs
        Cost per test method (keys: IRI, id, name or alias); methods not listed cost ``default_cost``.
    taxonomy
        Reduce the gap of this taxonomy's risks only.
    lens
        Reduce the gap of this lens (a cluster of matched risks counts once); see
        :func:`graph.coverage.lens.choose_lens`.
    exact
        ``None``: try the exact search, fall back to greedy past its node limit; ``True``: exact
        only (error past the limit); ``False``: greedy only.
    """
    if budget <= 0:
        raise AiriskError("the budget must be positive")
    base_inv = inventory if inventory is not None else _empty()
    model, keys = inventory_items(model_for(data), base_inv, statuses)
    check_taxonomy(data, taxonomy)
    chosen_lens = choose_lens(data, model.index, lens, taxonomy)
    scope = chosen_lens.clusters
    cost_of: dict[str, float] = {}
    if costs:
        resolve_tests(data, list(costs))  # raises naming every unknown test method
        m = matcher_for(data)
        for name, value in costs.items():
            iri = m.match(name)[0]
            if iri is not None:
                if not float(value) > 0:
                    raise AiriskError(f"the cost of {name!r} must be positive, got {value!r}")
                cost_of[iri] = float(value)
    inc = Incremental(model, set(keys), scope)
    cands: dict[str, tuple[float, float]] = {}  # iri -> (singleton gain, cost)
    for iri in data.tests:
        if iri in keys:
            continue
        c = cost_of.get(iri, default_cost) if costs else 1.0
        if c > budget + EPS:
            continue
        g = inc.gain(iri)
        if g > EPS:
            cands[iri] = (g, c)
    notes: list[str] = []
    chosen: list[str] | None = None
    algorithm, guarantee, optimal = "", "", False
    if not cands:
        chosen, algorithm, guarantee, optimal = (
            [],
            "none needed: no catalogue test method reduces the gap",
            "optimal",
            True,
        )
    elif exact is not False:
        limit = EXACT_NODE_LIMIT if exact else AUTO_NODE_LIMIT
        chosen, nodes = _branch_and_bound(inc, cands, budget, bool(costs), limit)
        if chosen is not None:
            algorithm = f"exact (branch and bound over {len(cands)} candidates, {nodes} nodes)"
            guarantee, optimal = "optimal", True
        elif exact:
            raise AiriskError(f"the exact search passed {limit} nodes; use the greedy planner")
        else:
            notes.append(f"exact search stopped after {limit} nodes; greedy used")
    if chosen is None and cands:
        if costs:
            chosen, algorithm = _budgeted(model, keys, scope, cands, budget)
            guarantee = GUARANTEE_COST
        else:
            chosen = _greedy(Incremental(model, set(keys), scope), cands, int(budget), None)
            algorithm, guarantee = "greedy (lazy evaluation)", GUARANTEE_K
    chosen = chosen or []
    steps, before, after = _steps(model, keys, scope, _order(model, keys, scope, chosen), cost_of, bool(costs))
    return Plan(
        steps,
        before,
        after,
        float(budget),
        sum(s.cost for s in steps),
        algorithm,
        guarantee,
        optimal,
        len(cands),
        inventory.name if inventory else None,
        taxonomy,
        notes,
        chosen_lens.to_dict(),
        _unclosable(model, keys, scope),
    )


def _unclosable(model: Model, keys: set[str], scope: Clusters) -> list[OpenGap]:
    """Severe gaps of the scope (severity >= 4) that stay below strong even with the whole catalogue."""
    full = model.evaluate(set(keys) | set(model.data.tests))
    explainer = Explainer(model, full, frozenset(set(keys) | set(model.data.tests)), scope)
    out: list[OpenGap] = []
    for cluster in scope:
        live = [i for i in cluster if model.applicable[i]]
        if not live or model.cluster_score(full.score, cluster) >= 1 - EPS:
            continue
        i = min(live, key=lambda c: (full.score[c], live.index(c)))
        severity = max((model.data.risks[model.iris[c]].severity or 0) for c in live)
        if severity < SEVERE:
            continue
        node = model.data.risks[model.iris[i]]
        score = model.cluster_score(full.score, cluster)
        out.append(OpenGap(node.curie, node.label, severity, status_of(score, True), explainer.reason(i)[0]))
    out.sort(key=lambda g: (-(g.severity or 0), g.id))
    return out


def _greedy(
    inc: Incremental,
    cands: dict[str, tuple[float, float]],
    budget: float,
    cost_budget: float | None,
    by_ratio: bool = False,
) -> list[str]:
    """Lazy greedy: ``budget`` picks (cardinality), or until ``cost_budget`` is spent."""
    heap = [(-(g / c if by_ratio else g), iri) for iri, (g, c) in cands.items()]
    heapq.heapify(heap)
    chosen: list[str] = []
    spent = 0.0
    while heap and (cost_budget is not None or len(chosen) < budget):
        neg, iri = heapq.heappop(heap)
        cost = cands[iri][1]
        if cost_budget is not None and spent + cost > cost_budget + EPS:
            continue
        g = inc.gain(iri)
        value = g / cost if by_ratio else g
        if heap and value < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-value, iri))  # stale: re-queue with its current gain
            continue
        if g <= EPS:
            break
        inc.add(iri)
        chosen.append(iri)
        spent += cost
    return chosen


def _budgeted(
    model: Model, keys: set[str], scope: Clusters, cands: dict[str, tuple[float, float]], budget: float
) -> tuple[list[str], str]:
    options = {
        "cost-benefit greedy": _greedy(Incremental(model, set(keys), scope), cands, 0, budget, by_ratio=True),
        "greedy by gain": _greedy(Incremental(model, set(keys), scope), cands, 0, budget),
    }
    best_single = max(cands, key=lambda i: (cands[i][0], i), default=None)
    options["best single method"] = [best_single] if best_single else []
    values = {name: _value(model, keys, scope, chosen) for name, chosen in options.items()}
    name = max(options, key=lambda n: (values[n] + 1e-12 * (n == "cost-benefit greedy"), n == "cost-benefit greedy"))
    return options[name], f"budgeted greedy ({name} was best)"


def _value(model: Model, keys: set[str], scope: Clusters, chosen: list[str]) -> float:
    before = model.gap(model.evaluate(keys), scope)
    return before - model.gap(model.evaluate(keys | set(chosen)), scope)


def _branch_and_bound(
    inc: Incremental,
    cands: dict[str, tuple[float, float]],
    budget: float,
    with_costs: bool,
    limit: int = EXACT_NODE_LIMIT,
) -> tuple[list[str] | None, int]:
    """The optimal set, or None past the node limit."""
    order = sorted(cands, key=lambda i: (-cands[i][0], i))
    gains = [cands[i][0] for i in order]
    costs = [cands[i][1] for i in order]
    k = int(budget) if not with_costs else len(order)
    best_value, best_set = -1.0, [order[0]] if order else []
    nodes = 0

    def bound(start: int, room_k: int, room_cost: float) -> float:
        if not with_costs:
            return sum(gains[start : start + room_k])
        total, room = 0.0, room_cost  # fractional knapsack over singleton gains
        for j in sorted(range(start, len(order)), key=lambda j: -gains[j] / costs[j]):
            if costs[j] <= room:
                total += gains[j]
                room -= costs[j]
            else:
                total += gains[j] * room / costs[j]
                break
        return total

    def dfs(start: int, value: float, chosen: list[str], room_k: int, room_cost: float) -> bool:
        nonlocal best_value, best_set, nodes
        nodes += 1
        if nodes > limit:
            return False
        if value > best_value + 1e-12:
            best_value, best_set = value, list(chosen)
        if room_k == 0 or start >= len(order):
            return True
        if value + bound(start, room_k, room_cost) <= best_value + 1e-12:
            return True
        for j in range(start, len(order)):
            if with_costs and costs[j] > room_cost + EPS:
                continue
            if not with_costs and value + sum(gains[j : j + room_k]) <= best_value + 1e-12:
                break  # gains are sorted: no later start can do better
            g = inc.gain(order[j])
            if g <= EPS:
                continue
            journal = inc.add(order[j])
            chosen.append(order[j])
            ok = dfs(j + 1, value + g, chosen, room_k - 1, room_cost - costs[j])
            chosen.pop()
            inc.undo(journal)
            if not ok:
                return False
        return True

    finished = dfs(0, 0.0, [], k, float(budget))
    return (best_set if finished else None), nodes


def _order(model: Model, keys: set[str], scope: Clusters, chosen: list[str]) -> list[str]:
    """Present a chosen set in greedy order (largest marginal gain first)."""
    inc = Incremental(model, set(keys), scope)
    rest, out = list(chosen), []
    while rest:
        best = max(rest, key=lambda i: (inc.gain(i), i))
        inc.add(best)
        out.append(best)
        rest.remove(best)
    return out


def _steps(
    model: Model, keys: set[str], scope: Clusters, chosen: list[str], cost_of: dict[str, float], with_costs: bool
) -> tuple[list[PlanStep], float, float]:
    """Per-step gains and the gaps each closes or raises (incremental), and the exact gap before and after."""
    data = model.data
    inc = Incremental(model, set(keys), scope)
    share = inc.share
    before = model.gap(model.evaluate(keys), scope)
    steps: list[PlanStep] = []
    cumulative = 0.0
    for iri in chosen:
        _, _, new_score = inc.changes(iri)
        changed = sorted(i for i in new_score if i in share)
        old = {i: inc.score[i] for i in changed}
        gain = sum(share[i] * (new_score[i] - old[i]) for i in changed)
        cumulative += gain
        t = data.tests[iri]
        closes = tuple(model.curies[i] for i in changed if old[i] < 1 - EPS <= new_score[i])
        improved = tuple(model.curies[i] for i in changed if new_score[i] > old[i] + EPS)
        steps.append(
            PlanStep(
                t.id,
                iri,
                t.label,
                t.method_type,
                cost_of.get(iri, 1.0) if with_costs else 1.0,
                gain,
                cumulative,
                tuple(model.curies[i] for i in changed if old[i] <= EPS < new_score[i]),
                closes,
                improved,
                tuple(c for c in improved if c not in closes),
            )
        )
        inc.add(iri)
    after = model.gap(model.evaluate(set(keys) | set(chosen)), scope)
    return steps, before, after


def what_if(
    data: CoverageData,
    inventory: Inventory | None,
    add: Iterable[str],
    taxonomy: str | None = None,
    statuses: Iterable[str] | None = None,
    lens: str | None = None,
) -> WhatIf:
    """Coverage before and after adding test methods (ids, names or aliases) to ``inventory``.

    ``inventory=None`` starts from an empty inventory.
    """
    base = inventory if inventory is not None else _empty()
    names = list(add)
    extra = inventory_from_tests(data, names, base.name)
    entries = [
        InventoryEntry(
            e.test_method,
            0,
            e.test_iri,
            e.test_id,
            e.name,
            "planned",
            matched_by="id",
            method_type=e.method_type,
            cells={"test_method": e.test_method, "status": "planned"},
        )
        for e in extra.entries
    ]
    if statuses is not None:
        statuses = list(statuses) + ["planned"]
    after_inv = base.with_entries(entries)
    before: CoverageReport = compute_coverage(data, base, taxonomy, statuses, lens)
    after: CoverageReport = compute_coverage(data, after_inv, taxonomy, statuses, lens)
    changes: list[RiskChange] = compare_reports(before, after)
    return WhatIf(
        before, after, [e.test_id or e.test_method for e in entries], before.gap_total - after.gap_total, changes
    )
