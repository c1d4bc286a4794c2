"""Exact expected results on the fixture graph for every coverage rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.core.errors import AiriskError, NotFound
from graph.core.namespaces import AR, SKOS, entity_iri, link_iri, risk_iri
from graph.coverage.report import compute_coverage
from graph.coverage.rules import STATUS_NOT_APPLICABLE, STATUS_NOT_ASSESSED, STATUS_STRONG, STATUS_WEAK
from graph.index.data import CoverageData, gather
from graph.inventory.model import Inventory, InventoryEntry
from graph.store.kg import KnowledgeGraph

from .conftest import BASIC, covered_by

SRC_A = str(entity_iri("source", "src-a"))
SRC_B = str(entity_iri("source", "src-b"))


def tm(x: str) -> str:
    return str(entity_iri("test_method", x))


def risk(c: str) -> str:
    prefix, code = c.split(":")
    return str(risk_iri(prefix, code))


def link(s: str, p: object, o: str) -> str:
    return str(link_iri(s, str(p), o))


# ---------------------------------------------------------------------------------- paths


def test_direct_evidence_counts_with_its_claim_and_sources(cov_data: CoverageData) -> None:
    r = covered_by(cov_data, "bio-mcq").get("alpha:1.1")
    assert r.status == STATUS_WEAK
    assert r.strength == pytest.approx(1 / 3)
    assert (r.points, r.n_methods, r.method_types, r.direct) == (1.0, 1, ("static-mcq",), True)
    [e] = r.evidence
    assert (e.test_id, e.path, e.level, e.via, e.method_type) == ("bio-mcq", "direct", "direct", None, "static-mcq")
    assert e.links == (link(tm("bio-mcq"), AR.assessesRisk, risk("alpha:1.1")),)
    assert e.sources == (SRC_A, SRC_B)
    assert e.test_iri == tm("bio-mcq")


def test_capability_path_needs_a_measured_capability_that_enables_the_risk(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "cyber-ctf")
    r = rep.get("alpha:1.2")
    assert (r.status, r.direct) == (STATUS_WEAK, False)
    assert r.strength == pytest.approx(1 / 3)  # ctf-suite is interactive: 2 points, halved for the indirect path
    [e] = r.evidence
    assert (e.path, e.via, e.via_label) == ("capability", "hacking", "Offensive cyber capability")
    cap = str(entity_iri("capability", "hacking"))
    assert e.links == (link(tm("cyber-ctf"), AR.measuresCapability, cap), link(cap, AR.enablesRisk, risk("alpha:1.2")))
    assert e.sources == (SRC_A, SRC_B)  # the measuring claim cites src-a, the enabling claim src-b
    # self-exfiltration enables alpha:3, but no test measures it
    assert rep.get("alpha:3").status == STATUS_NOT_ASSESSED


def test_direct_evidence_is_not_counted_again_through_a_capability(cov_data: CoverageData) -> None:
    r = covered_by(cov_data, "exploit-agent").get("alpha:1.2")
    assert [e.path for e in r.evidence] == ["direct"]
    assert r.points == 2.0
    assert r.strength == pytest.approx(2 / 3)


def test_exact_match_counts_in_both_directions(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "bio-uplift")  # assesses beta:B1, an exact match of alpha:1.1
    assert rep.get("beta:B1").strength == pytest.approx(2 / 3)
    a = rep.get("alpha:1.1")
    assert (a.status, a.direct) == (STATUS_WEAK, False)
    assert a.strength == pytest.approx(1 / 3)
    [e] = a.evidence
    assert (e.path, e.via, e.mapping) == ("mapping", "beta:B1", "beta:B1 skos:exactMatch alpha:1.1")
    mapping_link = link(risk("beta:B1"), SKOS.exactMatch, risk("alpha:1.1"))
    assert e.links == (link(tm("bio-uplift"), AR.assessesRisk, risk("beta:B1")), mapping_link)
    assert e.sources == (SRC_B,)
    back = covered_by(cov_data, "bio-mcq").get("beta:B1")
    assert back.strength == pytest.approx(0.5 / 3)
    assert [e.mapping for e in back.evidence] == ["beta:B1 skos:exactMatch alpha:1.1"]


def test_a_narrower_concepts_test_counts_for_the_broader_one_never_the_reverse(cov_data: CoverageData) -> None:
    # beta:B2 skos:broadMatch alpha:1.2: alpha:1.2 is broader, so a test of B2 counts for alpha:1.2
    rep = covered_by(cov_data, "hack-redteam")
    assert rep.get("alpha:1.2").strength == pytest.approx(1 / 3)
    assert covered_by(cov_data, "exploit-agent").get("beta:B2").status == STATUS_NOT_ASSESSED
    # beta:B3 skos:narrowMatch alpha:3: alpha:3 is narrower, so a test of alpha:3 counts for B3
    rep = covered_by(cov_data, "loc-agent")
    assert rep.get("beta:B3").strength == pytest.approx(1 / 3)
    assert [e.mapping for e in rep.get("beta:B3").evidence] == ["beta:B3 skos:narrowMatch alpha:3"]
    assert covered_by(cov_data, "autonomy-mcq").get("alpha:3").status == STATUS_NOT_ASSESSED


def test_related_match_never_counts(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "speech-mcq")
    assert rep.get("beta:B4").status == STATUS_WEAK
    assert rep.get("alpha:2.1").status == STATUS_NOT_ASSESSED


# ---------------------------------------------------------------------------------- strength


@pytest.mark.parametrize(
    ("tests", "risk_id", "points", "status"),
    [
        (["tox-bench"], "alpha:2.1", 1.0, STATUS_WEAK),  # one static benchmark: weak
        (["tox-mcq", "tox-mcq-2"], "alpha:2.1", 1.0, STATUS_WEAK),  # same type twice: no extra points
        (["tox-bench", "tox-mcq"], "alpha:2.1", 2.0, STATUS_WEAK),  # two static types: weak
        (["tox-bench", "tox-mcq", "tox-qa"], "alpha:2.1", 3.0, STATUS_STRONG),  # three types: strong
        (["bio-agent"], "alpha:1.1", 2.0, STATUS_WEAK),  # one test is never strong
        (["bio-mcq", "bio-agent"], "alpha:1.1", 3.0, STATUS_STRONG),  # static + interactive: strong
        (["cyber-ctf", "hack-redteam"], "alpha:1.2", 1.5, STATUS_WEAK),  # indirect only: capped at 1.5
        (["bio-uplift", "bio-agent", "bio-mcq"], "beta:B1", 3.5, STATUS_STRONG),  # direct 2 + indirect 1.5
        ([], "alpha:1.1", 0.0, STATUS_NOT_ASSESSED),
    ],
)
def test_strength_rubric(cov_data: CoverageData, tests: list[str], risk_id: str, points: float, status: str) -> None:
    r = covered_by(cov_data, *tests).get(risk_id)
    assert r.points == pytest.approx(points)
    assert r.own_score == pytest.approx(min(1.0, points / 3))
    assert r.status == status


def test_methods_and_types_are_counted_separately(cov_data: CoverageData) -> None:
    r = covered_by(cov_data, "tox-mcq", "tox-mcq-2", "tox-bench").get("alpha:2.1")
    assert (r.n_methods, r.method_types) == (3, ("safety-prompt-benchmark", "static-mcq"))


# ---------------------------------------------------------------------------------- roll-up


def test_parent_rolls_up_from_narrower_risks_weighted_by_severity(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "bio-mcq", "bio-agent")
    assert rep.get("alpha:1.1").status == STATUS_STRONG
    parent = rep.get("alpha:1")
    # children: 1.1 (severity 5, score 1), 1.2 (severity 4, 0), 1.3 (unrated: weight 2, 0)
    assert parent.rollup_score == pytest.approx(5 / 11)
    assert (parent.own_score, parent.status, parent.narrower_covered, parent.narrower_total) == (0.0, STATUS_WEAK, 1, 3)
    assert parent.evidence == ()  # its own evidence; the narrower risks carry theirs


def test_parent_assessed_itself_counts_and_adds_to_its_roll_up(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "misuse-redteam")
    assert rep.get("alpha:1").strength == pytest.approx(2 / 3)
    assert rep.get("alpha:1.1").status == STATUS_NOT_ASSESSED  # a parent's test does not count for its children
    both = covered_by(cov_data, "misuse-redteam", "bio-mcq", "bio-agent").get("alpha:1")
    # roll-up raises it only as far as the share supports: 1 - (1 - 2/3) x (1 - 5/11) = 9/11, still weak
    assert (both.strength, both.status) == (pytest.approx(9 / 11), STATUS_WEAK)


def test_not_applicable_narrower_risks_are_left_out_of_the_roll_up(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "tox-bench")
    # alpha:2.2 is not testable, so alpha:2.1 is its only narrower risk: it covers at most half of it
    assert rep.get("alpha:2").rollup_score == pytest.approx(1 / 6)


def test_not_applicable_states(cov_data: CoverageData) -> None:
    rep = compute_coverage(cov_data)
    reasons = {r.id: r.not_applicable_reason for r in rep.risks if r.status == STATUS_NOT_APPLICABLE}
    assert set(reasons) == {"alpha:2.2", "alpha:4", "alpha:4.1", "mit-causal:entity.ai"}
    assert reasons["alpha:2.2"].startswith("Labour market effects are not a property")  # the claim's own note
    assert reasons["alpha:4"] == "every narrower risk is not testable by model evaluation"
    assert "causes" in reasons["mit-causal:entity.ai"]
    assert all(rep.get(i).gap_score == 0 and not rep.get(i).mitigation_gap for i in reasons)


# ---------------------------------------------------------------------------------- mitigation


def test_mitigation_gap(cov_data: CoverageData) -> None:
    rep = compute_coverage(cov_data)
    assert rep.get("alpha:3").mitigation_gap_kind == "assessed but unmitigated"
    assert rep.get("alpha:1.3").mitigations == ("bio-filter",)  # from its broader risk alpha:1
    assert rep.get("alpha:1.1").mitigations == ("bio-filter", "bio-screening")  # broader + exact match beta:B1
    assert rep.get("beta:B4").mitigations == ("detox",)
    assert {r.id for r in rep.risks if r.mitigation_gap} == {"alpha:3", "beta:B3", "beta:B2", "alpha:2", "alpha:2.1"}
    nothing = covered_by(cov_data)
    assert nothing.get("beta:B2").mitigation_gap_kind == "unmitigated"
    assert nothing.get("alpha:1.3").mitigation_gap is False


def test_mitigation_rolls_up_from_narrower_risks(tmp_path: Path) -> None:
    """A broader risk whose every applicable narrower risk is mitigated is mitigated itself."""
    data = tmp_path / "data"
    shutil.copytree(BASIC, data)
    with (data / "mitigations.yaml").open("a") as f:
        f.write(
            "  - id: tox-filter\n    name: Toxicity filter\n    mitigation_type: model-training\n"
            "    description: Filters toxic language.\n    sources: [src-a]\n    mitigates:\n"
            "      - risk: alpha:2.1\n        note: Blocks toxic output.\n        sources: [src-a]\n"
        )
    rep = compute_coverage(gather(KnowledgeGraph.load(data=data)))
    assert rep.get("alpha:2.1").mitigations == ("tox-filter",)
    parent = rep.get("alpha:2")  # its other narrower risk, alpha:2.2, is not applicable
    assert parent.mitigations == () and parent.mitigated and not parent.mitigation_gap
    assert {r.id for r in rep.risks if r.mitigation_gap} == {"alpha:3", "beta:B3", "beta:B2"}


# ---------------------------------------------------------------------------------- gap score and order


def test_gap_scores_and_ranking_of_the_whole_catalogue(cov_data: CoverageData) -> None:
    rep = compute_coverage(cov_data)
    top = [(r.id, round(r.gap_score, 4)) for r in rep.top_gaps(10)]
    assert top == [("alpha:1.3", 2.0), ("alpha:3", 1.6667), ("alpha:2", 1.5), ("beta:B3", 1.3333), ("beta:B2", 1.0),
                   ("beta:B4", 0.6667), ("alpha:1", 0.303)]  # fmt: skip
    r = rep.get("alpha:1.3")
    assert (r.severity, r.severity_rated, r.weight) == (None, False, 2.0)
    ranked = [r for r in rep.risks if r.status != STATUS_NOT_APPLICABLE]
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(r.rank == 0 for r in rep.risks if r.status == STATUS_NOT_APPLICABLE)  # never ranked


def test_ties_rank_by_severity_then_taxonomy_order(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data)  # nothing run: every gap equals the weight
    order = [r.id for r in rep.risks if r.status != STATUS_NOT_APPLICABLE]
    assert order == ["alpha:1", "alpha:1.1", "alpha:3", "alpha:1.2", "beta:B1", "beta:B3", "alpha:2", "beta:B2",
                     "alpha:1.3", "alpha:2.1", "beta:B4"]  # fmt: skip
    assert [r.id for r in rep.top_gaps(3, leaves_only=True)] == ["alpha:1.1", "alpha:3", "alpha:1.2"]


def test_summary_of_the_whole_catalogue(cov_data: CoverageData) -> None:
    s = compute_coverage(cov_data).summary()
    assert (s.n_risks, s.n_applicable, s.n_not_applicable) == (15, 11, 4)
    # alpha:1 (own 2/3, share 9/11) and alpha:2 (only child strong: share 1/2) are weak by the roll-up rule
    assert (s.n_assessed, s.n_strong, s.n_weak, s.n_not_assessed) == (10, 4, 6, 1)
    assert s.share_assessed == pytest.approx(10 / 11)
    assert s.total_gap == pytest.approx(2 + 5 / 3 + 3 * 0.5 + 4 / 3 + 1 + 2 / 3 + 5 * 2 / 33)
    assert s.weighted_coverage == pytest.approx(1 - s.total_gap / 38)
    assert (s.n_unrated, s.n_mitigation_gaps, s.n_test_methods) == (1, 5, 14)
    assert s.by_taxonomy["beta"]["n_assessed"] == 4


# ---------------------------------------------------------------------------------- views and filters


def test_matrix_states_and_counts(cov_data: CoverageData) -> None:
    rep = compute_coverage(cov_data)
    m = rep.matrix(aggregate=False)
    assert list(m.columns) == ["static-mcq", "static-open-qa", "safety-prompt-benchmark", "agentic-task-suite",
                               "ctf-suite", "expert-red-teaming", "human-uplift-study"]  # fmt: skip
    row = m.loc["alpha:1.2"]
    assert (row["agentic-task-suite"], row["ctf-suite"], row["expert-red-teaming"], row["static-mcq"]) == (
        "tested directly", "only indirectly", "only indirectly", "not by this kind of method")  # fmt: skip
    assert set(m.loc["alpha:2.2"]) == {"not testable"}
    top = rep.matrix(level=1)
    assert list(top.index) == ["alpha:1", "alpha:2", "alpha:3", "alpha:4", "beta:B1", "beta:B2", "beta:B3", "beta:B4",
                               "mit-causal:entity.ai"]  # fmt: skip
    assert top.loc["alpha:1", "static-mcq"] == "tested directly"  # from bio-mcq on alpha:1.1
    assert top.loc["alpha:1", "human-uplift-study"] == "only indirectly"
    assert compute_coverage(cov_data).matrix(values="count").loc["alpha:2.1", "static-mcq"] == 2


def test_taxonomy_filter_keeps_evidence_from_other_taxonomies(cov_data: CoverageData) -> None:
    rep = covered_by(cov_data, "bio-mcq", taxonomy="beta")
    assert {r.taxonomy for r in rep.risks} == {"beta"}
    assert rep.get("beta:B1").status == STATUS_WEAK
    with pytest.raises(NotFound, match="no taxonomy with prefix 'gamma' \\(known: alpha, beta, mit-causal\\)"):
        compute_coverage(cov_data, taxonomy="gamma")


def test_only_the_inventory_counts_and_statuses_filter_it(cov_data: CoverageData) -> None:
    inv = Inventory(
        "mine",
        [
            InventoryEntry("bio-mcq", 2, tm("bio-mcq"), "bio-mcq", "BioMCQ", "done"),
            InventoryEntry("bio-agent", 3, tm("bio-agent"), "bio-agent", "BioAgent", "planned"),
        ],
    )
    assert compute_coverage(cov_data, inv).get("alpha:1.1").status == STATUS_STRONG
    done = compute_coverage(cov_data, inv, statuses=["done"])
    assert done.get("alpha:1.1").method_types == ("static-mcq",)
    assert done.n_test_methods == 1
    assert compute_coverage(cov_data, inv).get("alpha:2.1").status == STATUS_NOT_ASSESSED
    assert compute_coverage(cov_data, inv, statuses=["Completed"]).n_test_methods == 1  # a synonym of done
    with pytest.raises(AiriskError, match="unknown status 'finito': use planned, running, done"):
        compute_coverage(cov_data, inv, statuses=["finito"])


def test_custom_tests_count_through_their_risks_and_capabilities(cov_data: CoverageData) -> None:
    inv = Inventory(
        "ours",
        [
            InventoryEntry(
                "Fraud probe",
                2,
                name="Fraud probe",
                custom=True,
                method_type="agentic-task-suite",
                risks=("alpha:1.3",),
            ),
            InventoryEntry("Exfil probe", 3, name="Exfil probe", custom=True, capabilities=("self-exfiltration",)),
        ],
    )
    rep = compute_coverage(cov_data, inv)
    fraud = rep.get("alpha:1.3")
    assert fraud.strength == pytest.approx(2 / 3)
    [e] = fraud.evidence
    assert (e.test_id, e.custom, e.path, e.note) == ("Fraud probe", True, "direct", "custom test, row 2")
    exfil = rep.get("alpha:3")
    assert exfil.strength == pytest.approx(0.5 / 3)  # no method type: one static type of its own, halved
    assert [(e.test_id, e.path, e.via) for e in exfil.evidence] == [("Exfil probe", "capability", "self-exfiltration")]


def test_json_gives_every_required_field(cov_data: CoverageData) -> None:
    doc = compute_coverage(cov_data).to_json()
    r = next(x for x in doc["risks"] if x["id"] == "alpha:1.2")
    for key in ("id", "iri", "label", "taxonomy", "severity", "status", "strength", "gap_score", "evidence"):
        assert key in r
    assert r["iri"] == risk("alpha:1.2")
    assert {(e["test_id"], e["path"]) for e in r["evidence"]} == {
        ("exploit-agent", "direct"), ("cyber-ctf", "capability"), ("hack-redteam", "mapping")}  # fmt: skip
    assert all(e["sources"] and e["links"] for e in r["evidence"])
    assert doc["summary"]["n_risks"] == 15


def test_compare_two_inventories_and_their_union(cov_data: CoverageData) -> None:
    from graph.coverage.compare import compare
    from graph.inventory.match import inventory_from_tests

    a = inventory_from_tests(cov_data, ["bio-mcq", "bio-agent", "tox-bench"], "A")
    b = inventory_from_tests(cov_data, ["bio-mcq", "loc-agent", "speech-mcq"], "B")
    c = compare(cov_data, a, b)
    assert c.counts == {"both": 3, "A only": 2, "B only": 3, "neither": 3, "not testable": 4}
    rows = {r.id: r for r in c.rows}
    assert {i for i, r in rows.items() if r.category == "both"} == {"alpha:1", "alpha:1.1", "beta:B1"}
    assert {i for i, r in rows.items() if r.category == "neither"} == {"alpha:1.2", "alpha:1.3", "beta:B2"}
    assert rows["alpha:1.1"].only_a_tests == ("bio-agent",)
    assert (rows["alpha:1.1"].status_a, rows["alpha:1.1"].status_b) == (STATUS_STRONG, STATUS_WEAK)
    assert c.union.summary().n_assessed == 8
    assert c.union.inventory == "A + B"
    same = compare(cov_data, a, a)
    assert same.name_b == "A (B)" and same.counts["A only"] == same.counts["B only"] == 0
