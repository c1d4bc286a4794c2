"""Practice coverage: what published evaluation reports ran, filtered by window, tester, org and model."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import KnowledgeGraph
from graph.core.errors import AiriskError
from graph.coverage.compare import compare
from graph.coverage.plan import plan
from graph.coverage.practice import PracticeFilter, parse_filter, practice, practice_matrix
from graph.coverage.report import compute_coverage
from graph.index.data import gather

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return gather(KnowledgeGraph.load(data=FIXTURE))


def ids(p) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.id for r in p.reports]


def methods(p) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(iri.rsplit("/", 1)[-1] for iri in p.method_reports)


def test_every_report_in_publication_order(data) -> None:  # type: ignore[no-untyped-def]
    p = practice(data)
    assert ids(p) == ["org-a-card-x", "joint-x", "uk-open-y-2025", "z-eval-x-2025", "us-x2-2025"]
    assert methods(p) == ["bio-red-team", "cybench", "wmdp"]
    assert p.counts() == {
        "per_year": {"2024": 2, "2025": 3},
        "per_tester_kind": {"developer": 1, "government-institute": 3, "third-party": 1},
    }


@pytest.mark.parametrize(
    ("pf", "expected"),
    [
        (PracticeFilter(since="2025-01"), ["uk-open-y-2025", "z-eval-x-2025", "us-x2-2025"]),
        (PracticeFilter(until="2024"), ["org-a-card-x", "joint-x"]),
        (PracticeFilter(since="2025-06", until="2025-06"), ["z-eval-x-2025"]),
        (PracticeFilter(since="2025-03-15", until="2025-03-15"), ["uk-open-y-2025"]),  # a month overlaps a day
        (PracticeFilter(tester_kinds=("developer",)), ["org-a-card-x"]),
        (PracticeFilter(tester_kinds=("third-party",)), ["z-eval-x-2025"]),
        (PracticeFilter(tester_kinds=("independent",)), ["joint-x", "uk-open-y-2025", "z-eval-x-2025", "us-x2-2025"]),
        (PracticeFilter(orgs=("uk-aisi",)), ["joint-x", "uk-open-y-2025"]),
        (PracticeFilter(orgs=("us-aisi",)), ["joint-x", "us-x2-2025"]),
        (PracticeFilter(models=("model-x2",)), ["us-x2-2025"]),
        (PracticeFilter(open_weights=True), ["uk-open-y-2025"]),
        (PracticeFilter(open_weights=False), ["org-a-card-x", "joint-x", "z-eval-x-2025"]),  # model-x2: unknown
        (PracticeFilter(since="2025", orgs=("uk-aisi",)), ["uk-open-y-2025"]),
    ],
)
def test_filters(data, pf, expected) -> None:  # type: ignore[no-untyped-def]
    assert ids(practice(data, pf)) == expected


@pytest.mark.parametrize(
    ("pf", "message"),
    [
        (PracticeFilter(since="2025-13"), "--since '2025-13' is not a date"),
        (PracticeFilter(since="2025", until="2024"), "--until 2024 is before --since 2025"),
        (PracticeFilter(tester_kinds=("thirdparty",)), "unknown tester kind 'thirdparty'"),
        (PracticeFilter(orgs=("uk-aisii",)), "no report names 'uk-aisii' as a tester"),
        (PracticeFilter(models=("model-z",)), "unknown model 'model-z'"),
    ],
)
def test_bad_filters_say_what(data, pf, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AiriskError, match=message.replace("(", r"\(").replace(".", r"\.")):
        practice(data, pf)


def test_practice_coverage_counts_only_methods_reports_ran(data) -> None:  # type: ignore[no-untyped-def]
    catalogue = compute_coverage(data)
    inv = practice(data).to_inventory(data)
    report = compute_coverage(data, inv)
    # bias-bench assesses mit:1.1 in the catalogue, but no report ran it
    assert catalogue.get("mit:1.1").assessed
    assert not report.get("mit:1.1").assessed
    assert report.get("nist600:2.1").assessed
    assert report.inventory == "practice"


def test_evidence_names_the_reports(data) -> None:  # type: ignore[no-untyped-def]
    inv = practice(data, PracticeFilter(orgs=("us-aisi",))).to_inventory(data)
    r = compute_coverage(data, inv).get("nist600:2.1")
    direct = {e.test_id: e.reports for e in r.evidence if e.path == "direct"}
    assert direct == {"wmdp": ("joint-x", "us-x2-2025"), "bio-red-team": ("us-x2-2025",)}


def test_filter_changes_coverage(data) -> None:  # type: ignore[no-untyped-def]
    dev = compute_coverage(data, practice(data, PracticeFilter(tester_kinds=("developer",))).to_inventory(data))
    assert [e.test_id for e in dev.get("nist600:2.1").evidence if e.path == "direct"] == ["wmdp"]
    open_w = compute_coverage(data, practice(data, PracticeFilter(open_weights=True)).to_inventory(data))
    r = open_w.get("nist600:2.1")  # only cybench (mit:4.2) ran on the open model
    assert {(e.test_id, e.path) for e in r.evidence} == {("cybench", "mapping")}
    assert r.status != "strong" and not r.direct


def test_compare_uk_and_us_practice(data) -> None:  # type: ignore[no-untyped-def]
    uk = practice(data, PracticeFilter(orgs=("uk-aisi",))).to_inventory(data)
    us = practice(data, PracticeFilter(orgs=("us-aisi",))).to_inventory(data)
    cmp = compare(data, uk, us)
    assert cmp.name_a == "practice (org uk-aisi)" and cmp.name_b == "practice (org us-aisi)"
    row = {r.id: r for r in cmp.rows}["nist600:2.1"]
    assert "bio-red-team" in row.only_b_tests and not row.only_a_tests


def test_plan_closes_practice_gaps_with_catalogue_methods(data) -> None:  # type: ignore[no-untyped-def]
    inv = practice(data).to_inventory(data)
    p = plan(data, inv, budget=1)
    assert [s.test_id for s in p.steps] == ["bias-bench"]


def test_parse_filter() -> None:
    pf = parse_filter("since=2025-01, tester=independent, org=uk-aisi, org=us-aisi, open-weights")
    assert pf == PracticeFilter("2025-01", None, ("independent",), ("uk-aisi", "us-aisi"), (), True)
    assert parse_filter("") == PracticeFilter()
    for bad, msg in [
        ("sinse=2025", "unknown key 'sinse'"),
        ("org=", "org needs a value"),
        ("open-weights=yes", "open-weights takes no value"),
        ("open-weights,closed-weights", "exclude each other"),
        ("since=2024,since=2025", "since given twice"),
    ]:
        with pytest.raises(AiriskError, match=msg):
            parse_filter(bad)


def test_model_domain_matrix(data) -> None:  # type: ignore[no-untyped-def]
    rows = practice_matrix(data)
    cells = {(r["model"], r["domain"]): r for r in rows}
    assert set(cells) == {("model-x", "mit:4.2"), ("model-x", "nist600:2.1"), ("model-y", "mit:4.2")}
    assert cells[("model-x", "mit:4.2")]["testers"] == ["org-a", "uk-aisi", "us-aisi"]
    assert cells[("model-x", "mit:4.2")]["reports"] == ["org-a-card-x", "joint-x"]
    assert cells[("model-y", "mit:4.2")]["open_weights"] is True
