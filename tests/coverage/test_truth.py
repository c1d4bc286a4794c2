"""Coverage a planner can trust, on the real catalogue: each kind of correction of the link audit is pinned.

A capability link whose role is context stops carrying evidence; links the audit added close false
gaps; matched risks of a union lens count once; deployment-context categories are not testable
and never ranked; every risk says why; roll-up cannot make a parent strong from one narrower risk.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from graph.core.errors import DataError
from graph.core.load import load_dataset
from graph.coverage.lens import default_lens_id
from graph.coverage.plan import plan
from graph.coverage.report import compute_coverage
from graph.coverage.rules import STATUS_NOT_ASSESSED, STATUS_NOT_TESTABLE, STATUS_STRONG, STATUS_WEAK
from graph.index.data import CoverageData, gather
from graph.inventory.match import inventory_from_tests
from graph.store.kg import KnowledgeGraph

from .conftest import BASIC, ROOT

GENERIC_AGENT_BENCHMARKS = ["gaia", "osworld", "mind2web", "agentbench", "theagentcompany"]


@pytest.fixture(scope="module")
def real_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def real(real_kg: KnowledgeGraph) -> CoverageData:
    return gather(real_kg)


def run(data: CoverageData, *tests: str, lens: str = "every"):  # type: ignore[no-untyped-def]
    return compute_coverage(data, inventory_from_tests(data, list(tests), "t"), lens=lens)


# ------------------------------------------------------------------ link roles


def test_a_context_capability_link_carries_no_evidence(real: CoverageData) -> None:
    """Tool-use benchmarks measure tool use, a context capability of prompt injection: no evidence."""
    rep = run(real, *GENERIC_AGENT_BENCHMARKS)
    llm01 = rep.get("owasp-llm:LLM01")
    assert llm01.status == STATUS_NOT_ASSESSED and llm01.evidence == ()
    assert "tool-computer-use reach it only as context" in llm01.why.reason
    catalogue = compute_coverage(real, lens="every").get("owasp-llm:LLM01")
    assert not {e.test_id for e in catalogue.evidence} & set(GENERIC_AGENT_BENCHMARKS)
    assert catalogue.status == STATUS_STRONG  # through tests that plant injected instructions
    assert {"agentdojo", "injecagent", "codeipi", "agent-threat-bench"} <= {e.test_id for e in catalogue.evidence}


def test_the_named_untested_query_follows_link_roles_and_leaves_out_untestable_risks(real_kg: KnowledgeGraph) -> None:
    codes = {r["code"] for r in real_kg.query("untested-leaf-risks", {"taxonomy": "euaia"}).records()}
    assert "transparency" in codes  # reached only through a context capability (synthetic media)
    assert not codes & {"annex3-4", "art5-1c", "minimal"}  # not testable by model evaluation
    assert "art5-1b" in codes


def test_an_evidence_capability_link_still_counts(real: CoverageData) -> None:
    """CBRN uplift is how CBRN risks come about: measuring it is evidence (through the capability)."""
    r = run(real, "rand-bio-red-team-2024").get("gdm-fsf:cbrn-uplift-1")
    assert r.status == STATUS_WEAK and [(e.path, e.via) for e in r.evidence] == [("capability", "cbrn-uplift")]


def test_every_capability_link_has_a_role_with_a_reason(real: CoverageData) -> None:
    pairs = {(c, r) for c, rs in real.enables.items() for r in rs} | {
        (c, r) for c, rs in real.context.items() for r in rs
    }
    assert len(pairs) == len(real.role_notes) > 80
    assert all(len(note.split()) >= 8 for note in real.role_notes.values())
    assert real.context and real.enables  # both roles are used


def test_a_capability_link_without_a_role_is_refused_with_its_place(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(BASIC, data)
    path = data / "capabilities.yaml"
    text = path.read_text()
    path.write_text(text.replace("        role: evidence\n", "", 1))
    problems = [str(p) for p in load_dataset(data).problems]
    assert any(p.startswith("data/capabilities.yaml:7:9") and "missing required field 'role'" in p for p in problems), (
        problems
    )
    with pytest.raises(DataError, match="missing required field 'role'"):
        KnowledgeGraph.load(data=data)
    assert path.read_text() == text.replace("        role: evidence\n", "", 1)  # nothing written back


# ------------------------------------------------------------------ links added by the audit


def test_self_harm_is_assessed_by_the_refusal_benchmarks_that_test_it(real: CoverageData) -> None:
    """The false gap of the issue: SORRY-Bench and AIR-Bench 2024 both test self-harm refusals."""
    ssh = compute_coverage(real, lens="ailuminate").get("ailuminate:ssh")
    direct = {e.test_id for e in ssh.evidence if e.path == "direct"}
    assert {"sorry-bench", "air-bench-2024", "ailuminate"} <= direct
    assert run(real, "sorry-bench").get("ailuminate:ssh").status == STATUS_WEAK


def test_methods_added_by_the_audit_close_gaps(real: CoverageData) -> None:
    assert run(real, "poisonedrag").get("owasp-llm:LLM08").status != STATUS_NOT_ASSESSED
    assert run(real, "govsim").get("mit:7.6").status != STATUS_NOT_ASSESSED
    assert run(real).get("owasp-llm:LLM08").status == STATUS_NOT_ASSESSED  # nothing run: a gap again


def test_removed_links_do_not_count(real: CoverageData) -> None:
    assert run(real, "sad").get("mit:7.1").evidence == ()  # situational awareness is a precondition only
    assert run(real, "metr-time-horizon").get("iasr2025:loss-of-control").status == STATUS_NOT_ASSESSED


# ------------------------------------------------------------------ lenses


def test_a_cluster_of_matched_risks_counts_once(real: CoverageData) -> None:
    frontier = compute_coverage(real, lens="frontier")
    assert frontier.lens is not None and frontier.lens.deduplicated
    cyber = [r for r in frontier.risks if "gdm-fsf:cyber" in (r.id, *r.members)]
    assert len(cyber) == 1
    assert sorted((cyber[0].id, *cyber[0].members)) == ["anthropic-rsp:cyber", "gdm-fsf:cyber", "openai-pf:cyber"]
    assert len(frontier.risks) == len(frontier.lens.clusters) < sum(len(c) for c in frontier.lens.clusters)
    # the planner's objective is the lens's gap, so a test of the cluster is worth its weight once
    p = plan(real, inventory_from_tests(real, ["wmdp"], "t"), budget=1, lens="frontier")
    assert p.gap_before == pytest.approx(run(real, "wmdp", lens="frontier").gap_total)
    assert p.lens["id"] == "frontier"
    every = plan(real, inventory_from_tests(real, ["wmdp"], "t"), budget=1, lens="every")
    assert every.gap_before > p.gap_before


def test_the_default_lens_is_the_frontier_frameworks_until_the_code_of_practice_is_in_the_graph(
    real: CoverageData,
) -> None:
    expected = "eu-gpai-cop" if "eu-gpai-cop" in real.taxonomies else "frontier"
    assert default_lens_id(real) == expected
    rep = compute_coverage(real, lens="default")
    assert rep.lens is not None and rep.lens.id == expected
    assert all(v for _, _, v in rep.lens.versions)  # every output names the taxonomy versions it uses


def test_a_plan_says_what_each_step_does_and_what_no_method_can_close(real: CoverageData) -> None:
    p = plan(real, inventory_from_tests(real, ["wmdp", "cybench"], "t"), budget=2, lens="frontier")
    assert p.steps and all(s.effect != "no gap changes" for s in p.steps)
    assert all(re.match(r"^(closes|raises) ", s.effect) for s in p.steps)
    open_ids = {g.id for g in p.unclosable}
    assert "gdm-fsf:instrumental-reasoning-2" in open_ids  # severity 5, no public method
    assert all((g.severity or 0) >= 4 and g.reason for g in p.unclosable)


# ------------------------------------------------------------------ not testable by model evaluation


def test_deployment_context_categories_are_not_testable_and_never_ranked(real: CoverageData) -> None:
    rep = compute_coverage(real, lens="euaia")
    for rid in ("euaia:high", "euaia:unacceptable", "euaia:annex3-4", "euaia:annex3-8"):
        r = rep.get(rid)
        assert r.status == STATUS_NOT_TESTABLE and r.rank == 0 and r.gap_score == 0
        assert "intended" in r.not_applicable_reason or "use" in r.not_applicable_reason
        assert r.why.kinds == ("not-testable",)
    assert rep.get("euaia:art5-1a").status != STATUS_NOT_TESTABLE  # manipulation is testable
    assert not {r.id for r in rep.top_gaps(50)} & {"euaia:high", "euaia:unacceptable"}
    s = rep.summary()
    assert s.n_not_testable == sum(1 for r in rep.risks if r.status == STATUS_NOT_TESTABLE) >= 11
    assert s.n_applicable + s.n_not_testable == s.n_risks


# ------------------------------------------------------------------ reasons and roll-up


@pytest.mark.parametrize("lens", ["frontier", "all", "every", "nist600"])
def test_every_risk_says_why(real: CoverageData, lens: str) -> None:
    rep = run(real, "wmdp", "harmbench", "cybench", lens=lens)
    assert rep.risks
    for r in rep.risks:
        assert r.why.reason, r.id
        if r.gap_score > 0:
            assert r.why.improvers or "no public method" in r.why.best
    gap = next(r for r in rep.risks if r.gap_score > 0 and r.why.improvers)
    assert all(m.gain > 0 for m in gap.why.improvers)
    assert gap.why.improvers == tuple(sorted(gap.why.improvers, key=lambda m: -m.gain))


def test_one_strong_narrower_risk_does_not_make_its_parent_strong(real: CoverageData) -> None:
    rep = compute_coverage(real, lens="euaia")
    child, parent = rep.get("euaia:gpai-systemic"), rep.get("euaia:gpai")
    assert child.status == STATUS_STRONG and parent.narrower == ("euaia:gpai-systemic",)
    assert parent.status == STATUS_WEAK and parent.strength == pytest.approx(0.5)


def test_the_link_audit_covers_every_risk(real: CoverageData) -> None:
    text = (ROOT / "docs" / "link-audit.md").read_text()
    listed = set(re.findall(r"^\| `([a-z0-9-]+:[^`]+)` \|", text, flags=re.M))
    risks = {r.curie for r in real.risks.values() if r.prefix != "mit-causal"}
    assert risks <= listed, sorted(risks - listed)[:10]
