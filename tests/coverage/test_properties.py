"""Properties of the coverage score and the planner on random small graphs, against brute force."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.coverage.plan import plan, what_if
from graph.coverage.report import compute_coverage, model_for
from graph.coverage.why import Incremental
from graph.index.data import CoverageData, RiskNode
from graph.index.data import TestNode as MethodNode
from graph.inventory.match import inventory_from_tests

TYPES = ["static-mcq", "safety-prompt-benchmark", "agentic-task-suite", "expert-red-teaming", "human-uplift-study"]
PREDICATES = ["exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn) -> CoverageData:
    """A random graph: two taxonomies with broader trees, capabilities, tests, mappings, severities."""
    n = draw(st.integers(2, 9))
    data = CoverageData()
    iris = []
    for i in range(n):
        prefix = "p" if i < (n + 1) // 2 else "q"
        iri = f"https://example.org/risk/{prefix}/r{i}"
        sev = draw(st.one_of(st.none(), st.integers(1, 5)))
        na = "curated claim" if draw(st.integers(0, 9)) == 0 else ""
        data.risks[iri] = RiskNode(iri, f"{prefix}:r{i}", f"Risk {i}", prefix, f"r{i}", sev, na)
        same = [j for j in range(i) if iris[j].split("/")[-2] == prefix]
        if same and draw(st.booleans()):
            data.parents[iri] = [iris[draw(st.sampled_from(same))]]
        iris.append(iri)
    caps = [f"https://example.org/cap/c{k}" for k in range(draw(st.integers(0, 3)))]
    for c in caps:
        data.capabilities[c] = (c.rsplit("/", 1)[-1], c)
        data.enables[c] = sorted(draw(st.sets(st.sampled_from(iris), max_size=3)))
    for t in range(draw(st.integers(1, 7))):
        iri = f"https://example.org/test/t{t}"
        data.tests[iri] = MethodNode(iri, f"t{t}", f"Test {t}", draw(st.sampled_from(TYPES)))
        data.assesses[iri] = sorted(draw(st.sets(st.sampled_from(iris), max_size=3)))
        if caps:
            data.measures[iri] = sorted(draw(st.sets(st.sampled_from(caps), max_size=2)))
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.sampled_from(iris)), draw(st.sampled_from(iris))
        if a != b:
            data.mappings.append((a, draw(st.sampled_from(PREDICATES)), b))
    data.method_types = {t: t for t in TYPES}
    return data


def ids(data: CoverageData) -> list[str]:
    return [t.id for t in data.tests.values()]


def gap_with(data: CoverageData, tests: list[str] | tuple[str, ...]) -> float:
    return compute_coverage(data, inventory_from_tests(data, list(tests), "x")).gap_total


@SETTINGS
@given(instances(), st.data())
def test_adding_a_test_method_never_lowers_any_risks_coverage(data: CoverageData, draw: st.DataObject) -> None:
    names = ids(data)
    base = draw.draw(st.lists(st.sampled_from(names), unique=True))
    extra = draw.draw(st.sampled_from(names))
    before = compute_coverage(data, inventory_from_tests(data, base, "x"))
    after = compute_coverage(data, inventory_from_tests(data, [*base, extra], "x"))
    order = ["not assessed", "assessed: weak", "assessed: strong"]
    for r in after.risks:
        b = before.get(r.id)
        assert r.strength >= b.strength - 1e-12
        assert r.gap_score <= b.gap_score + 1e-12
        if r.status != "not testable by model evaluation":
            assert order.index(r.status) >= order.index(b.status)


@SETTINGS
@given(instances(), st.data())
def test_gap_reduction_has_diminishing_returns(data: CoverageData, draw: st.DataObject) -> None:
    """Submodularity, which the greedy planner's guarantee rests on."""
    names = ids(data)
    small = draw.draw(st.lists(st.sampled_from(names), unique=True))
    large = list(dict.fromkeys(small + draw.draw(st.lists(st.sampled_from(names), unique=True))))
    x = draw.draw(st.sampled_from(names))
    gain_small = gap_with(data, small) - gap_with(data, [*small, x])
    gain_large = gap_with(data, large) - gap_with(data, [*large, x])
    assert gain_small >= gain_large - 1e-9


@SETTINGS
@given(instances(), st.data())
def test_incremental_gains_equal_full_recomputation(data: CoverageData, draw: st.DataObject) -> None:
    model = model_for(data)
    names = ids(data)
    base = set(draw.draw(st.lists(st.sampled_from(list(data.tests)), unique=True)))
    scope = list(range(len(model.iris)))
    inc = Incremental(model, set(base), scope)
    for x in draw.draw(st.lists(st.sampled_from(list(data.tests)), max_size=4)):
        expected = model.gap(model.evaluate(base), scope) - model.gap(model.evaluate(base | {x}), scope)
        assert inc.gain(x) == pytest.approx(expected, abs=1e-9)
        journal = inc.add(x)
        if draw.draw(st.booleans()):
            inc.undo(journal)
            assert inc.score == pytest.approx(model.evaluate(base).score, abs=1e-12)
        else:
            base.add(x)
    assert names


@SETTINGS
@given(instances(), st.integers(1, 3))
def test_planner_against_brute_force(data: CoverageData, k: int) -> None:
    names = ids(data)
    before = gap_with(data, [])
    best = max(before - gap_with(data, combo) for combo in itertools.combinations(names, min(k, len(names))))
    greedy = plan(data, None, k, exact=False)
    exact = plan(data, None, k, exact=True)
    assert greedy.total_gain >= (1 - 1 / math.e) * best - 1e-9
    assert exact.total_gain == pytest.approx(best, abs=1e-9)
    assert exact.optimal
    if exact.candidates:
        assert "exact" in exact.algorithm and "greedy" in greedy.algorithm and not greedy.optimal
    assert len(exact.steps) <= k and len(greedy.steps) <= k
    assert greedy.total_gain <= best + 1e-9


@SETTINGS
@given(instances(), st.data())
def test_budgeted_planner_against_brute_force(data: CoverageData, draw: st.DataObject) -> None:
    names = ids(data)
    costs = {n: float(draw.draw(st.integers(1, 4))) for n in names}
    budget = float(draw.draw(st.integers(1, 6)))
    before = gap_with(data, [])
    best = 0.0
    for r in range(len(names) + 1):
        for combo in itertools.combinations(names, r):
            if sum(costs[c] for c in combo) <= budget:
                best = max(best, before - gap_with(data, combo))
    greedy = plan(data, None, budget, costs=costs, exact=False)
    exact = plan(data, None, budget, costs=costs, exact=True)
    assert greedy.cost_total <= budget and exact.cost_total <= budget
    assert greedy.total_gain >= (1 - 1 / math.e) / 2 * best - 1e-9
    assert exact.total_gain == pytest.approx(best, abs=1e-9)


@SETTINGS
@given(instances(), st.data())
def test_the_plans_gain_equals_the_what_ifs_gain(data: CoverageData, draw: st.DataObject) -> None:
    names = ids(data)
    have = draw.draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
    inv = inventory_from_tests(data, have, "ours")
    p = plan(data, inv, draw.draw(st.integers(1, 3)), exact=draw.draw(st.sampled_from([None, False])))
    w = what_if(data, inv, p.tests)
    assert p.total_gain == pytest.approx(w.gain, abs=1e-12)
    assert p.gap_after == pytest.approx(w.after.gap_total, abs=1e-12)
    assert sum(s.gain for s in p.steps) == pytest.approx(p.total_gain, abs=1e-9)
    assert not set(p.tests) & set(have)  # never recommends what the inventory already runs
