"""The fast coverage path gives exactly the answers of the previous way (``reference.py``).

On a generated graph (about 2e4 triples, some hierarchy stated only as ``skos:narrower``) and on
the shipped data: the gathered :class:`CoverageData`, every item's levels, the scores, every row
of the report with its evidence and reasons, and the total gap; with and without an inventory,
for the raw, the deduplicated and the default lens.
"""

from __future__ import annotations

import json
import sys

import pyoxigraph as ox
import pytest

from graph.coverage.report import compute_coverage, model_for
from graph.coverage.rules import Item
from graph.coverage.why import Incremental
from graph.index.data import CoverageData, gather
from graph.index.sparql import P_BROADER, P_NARROWER
from graph.inventory.match import inventory_from_tests
from graph.inventory.model import Inventory
from graph.store.kg import GRAPH_CURATED, KnowledgeGraph
from graph.store.oxigraph import OxigraphStore

from . import reference
from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate, units_for_triples  # noqa: E402


def _generated() -> KnowledgeGraph:
    store = OxigraphStore()
    graph = ox.NamedNode(GRAPH_CURATED)
    store.raw.load(generate(units_for_triples(2e4), 11), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    # state part of the hierarchy one way only: some as skos:narrower alone, some as skos:broader alone
    broader = list(store.raw.quads_for_pattern(None, ox.NamedNode(P_BROADER), None, None))
    for n, q in enumerate(broader):
        if n % 5 == 0:
            store.raw.remove(q)
        elif n % 5 == 1:
            assert isinstance(q.object, ox.NamedNode)
            store.raw.remove(ox.Quad(q.object, ox.NamedNode(P_NARROWER), q.subject, q.graph_name))
    return KnowledgeGraph(store)


@pytest.fixture(scope="module", params=["generated", "shipped"])
def kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    return _generated() if request.param == "generated" else KnowledgeGraph.load()


@pytest.fixture(scope="module")
def data(kg: KnowledgeGraph) -> CoverageData:
    return gather(kg)


def _half_inventory(data: CoverageData) -> Inventory:
    ids = [t.id for n, t in enumerate(data.tests.values()) if n % 2 == 0]
    return inventory_from_tests(data, ids, "half")


def test_gathered_data_is_the_same_as_the_previous_queries_give(kg: KnowledgeGraph, data: CoverageData) -> None:
    ref = reference.gather(kg)
    assert data == ref  # every field: risks, hierarchy, links, entities, mappings, roles, severities
    assert list(data.risks) == list(ref.risks) and list(data.tests) == list(ref.tests)
    assert data.parents and data.assesses and data.mappings and data.enables
    only_narrower = [c for c, ps in ref.parents.items() if len(ps) == 1]
    assert only_narrower  # the hierarchy is not empty, so a lost claim would show


def test_item_levels_are_the_levels_of_their_contributions(data: CoverageData) -> None:
    model = model_for(data)
    assert model.items
    for key, item in model.items.items():
        eager = Item(key, item.type_key, list(item.contributions))
        assert list(item.levels.items()) == list(eager.levels.items()), key


@pytest.mark.parametrize("with_inventory", [False, True])
def test_scores_are_the_same_as_the_previous_arithmetic(data: CoverageData, with_inventory: bool) -> None:
    model = model_for(data)
    keys = {k for n, k in enumerate(model.items) if n % 2 == 0} if with_inventory else set(model.items)
    assert model.evaluate(keys) == reference.evaluate(reference.eager_model(data), keys)


@pytest.mark.parametrize("lens", [None, "all", "default"])
@pytest.mark.parametrize("with_inventory", [False, True])
def test_whole_report_is_the_same(data: CoverageData, lens: str | None, with_inventory: bool) -> None:
    inventory = _half_inventory(data) if with_inventory else None
    new = compute_coverage(data, inventory, lens=lens)
    ref = reference.report(data, inventory, lens)
    got = [r.to_dict() for r in new.risks]  # every field of every row, its evidence and its reason
    assert json.dumps(got, sort_keys=True) == json.dumps(ref["risks"], sort_keys=True)
    assert new.gap_total == ref["gap_total"]
    assert any(r["evidence"] for r in got) and any(r["status"] == "not assessed" for r in got)
    if with_inventory:
        assert any(r["why"]["best_methods"] for r in got)  # the improvers were computed, and compared


def test_incremental_from_given_scores_is_the_same_and_leaves_them_alone(data: CoverageData) -> None:
    model = model_for(data)
    keys = {k for n, k in enumerate(model.items) if n % 3 == 0}
    scope = tuple((i,) for i in range(len(model.iris)))
    scores = model.evaluate(keys)
    before = model.evaluate(keys)
    fresh, given = Incremental(model, set(keys), scope), Incremental(model, set(keys), scope, scores)
    others = [k for k in model.items if k not in keys]
    assert others
    for key in others:
        assert given.changes(key) == fresh.changes(key)
    for key in others[:25]:
        assert given.gain(key) == fresh.gain(key)
        journal, journal_fresh = given.add(key), fresh.add(key)
        assert given.score == fresh.score and given.direct == fresh.direct and given.indirect == fresh.indirect
        given.undo(journal)
        fresh.undo(journal_fresh)
    assert scores == before  # adding and undoing never changed the scores it started from
