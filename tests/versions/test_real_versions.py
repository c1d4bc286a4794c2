"""The shipped new versions: every concept of the revised version is accounted for, with sources."""

from __future__ import annotations

import pytest

from graph.coverage.versions import diff_schemes
from graph.store.kg import KnowledgeGraph


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.mark.parametrize(
    ("old", "new"),
    [("iasr2025", "iasr2026"), ("anthropic-rsp", "anthropic-rsp3"), ("anthropic-rsp3", "anthropic-rsp3-4")],
)
def test_declared_successions_account_for_every_old_concept(kg: KnowledgeGraph, old: str, new: str) -> None:
    d = diff_schemes(kg, old, new, coverage=False)
    assert d.declared
    old_rows = [c for c in d.changes if c.old]
    assert old_rows and all(c.basis == "declared" for c in old_rows), [c for c in old_rows if c.basis != "declared"]
    assert all(c.sources and c.note for c in old_rows)
    accounted = {o for c in old_rows for o in c.old}
    total = kg.select(f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c skos:inScheme scheme:{old} }}").rows[0]["n"].py
    assert len(accounted) == total


def test_rsp_v3_merges_the_ai_rnd_thresholds_and_redefines_cbrn(kg: KnowledgeGraph) -> None:
    d = diff_schemes(kg, "anthropic-rsp", "anthropic-rsp3", coverage=False)
    merged = [c for c in d.changes if c.kind == "merged"]
    assert [(c.old, c.new) for c in merged] == [
        (["anthropic-rsp:ai-rnd-4", "anthropic-rsp:ai-rnd-5"], ["anthropic-rsp3:automated-rnd"])
    ]
    redefined = {c.old[0]: c.new[0] for c in d.changes if c.kind == "redefined"}
    assert redefined["anthropic-rsp:cbrn-3"] == "anthropic-rsp3:cb-non-novel"
