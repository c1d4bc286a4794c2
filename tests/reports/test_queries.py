"""The report queries of the catalogue: asserted answers on the reports fixture, and on the shipped data
checked against the YAML records themselves (an independent reading of the same facts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.core.load import Dataset, load_dataset, nested_items
from graph.core.namespaces import curie
from graph.core.resources import data_dir
from graph.store.kg import KnowledgeGraph

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    return KnowledgeGraph.load(data=FIXTURE)


@pytest.fixture(scope="module")
def shipped() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(data_dir())


def rows(kg: KnowledgeGraph, name: str, **params: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        {k: (curie(v) if isinstance(v, str) and v.startswith("https://w3id.org/") else v) for k, v in r.items()}
        for r in kg.query(name, params).records()
    ]


# ---------------------------------------------------------------- the small fixture


def test_timeline(small: KnowledgeGraph) -> None:
    got = [(r["report"], r["published"], r["testerKind"], r["methods"]) for r in rows(small, "reports-timeline")]
    assert got == [
        ("report:org-a-card-x", "2024-10-22", "developer", 1),
        ("report:joint-x", "2024-11-19", "government-institute", 2),
        ("report:uk-open-y-2025", "2025-03", "government-institute", 1),
        ("report:z-eval-x-2025", "2025-06-10", "third-party", 1),
        ("report:us-x2-2025", "2025-09-30", "government-institute", 2),
    ]


def test_models_tested_for_a_capability_by_kind_and_year(small: KnowledgeGraph) -> None:
    def models(**p: str) -> list[str]:
        return [r["model"] for r in rows(small, "models-tested-for-capability", capability="cbrn-uplift", **p)]

    assert models(tester="independent", year="2025") == ["model:model-x2"]
    assert models(tester="independent", year="2024") == ["model:model-x"]  # the joint report
    assert models(tester="developer", year="2024") == ["model:model-x"]
    assert models(tester="developer", year="2025") == []
    assert models(tester="third-party", year="2025") == []  # the red team measured no capability


def test_methods_never_reported(small: KnowledgeGraph) -> None:
    assert [r["method"] for r in rows(small, "methods-never-reported")] == ["test:bias-bench"]


def test_developer_capability_evaluations(small: KnowledgeGraph) -> None:
    (r,) = rows(small, "developer-capability-evaluations")
    assert (r["developer"], r["capability"], r["methods"], r["reports"]) == ("Org A", "cap:cbrn-uplift", "WMDP", 1)


def test_severe_risks_untested_on_open_weights(small: KnowledgeGraph) -> None:
    # mit:4.2 (severity 5) was tested on the open Model Y by the UK institute; nist600:2.1 never on an open model
    assert [(r["risk"], r["severity"]) for r in rows(small, "severe-risks-untested-on-open-weights")] == [
        ("nist600:2.1", 5)
    ]


def test_who_tested_what(small: KnowledgeGraph) -> None:
    got = {(r["model"], r["domain"]): (r["testers"], r["reports"]) for r in rows(small, "who-tested-what")}
    assert got[("model:model-y", "mit:4.2")] == ("UK institute", 1)
    assert set(got) == {("model:model-x", "mit:4.2"), ("model:model-x", "nist600:2.1"), ("model:model-y", "mit:4.2")}


def test_report_outcomes(small: KnowledgeGraph) -> None:
    got = [(r["report"], r["about"], r["verdict"]) for r in rows(small, "report-outcomes")]
    assert got == [
        ("report:org-a-card-x", "nist600:2.1", "threshold-not-crossed"),
        ("report:joint-x", "cap:cbrn-uplift", "capability-found"),
        ("report:z-eval-x-2025", "nist600:2.1", "safeguards-bypassed"),
    ]


# ---------------------------------------------------------------- the shipped data


def test_shipped_timeline_has_every_report(shipped: KnowledgeGraph, ds: Dataset) -> None:
    got = rows(shipped, "reports-timeline")
    assert len(got) == len(ds.records["report"]) >= 40
    assert {r["report"] for r in got} == {f"report:{i}" for i in ds.records["report"]}
    assert [r["published"] for r in got] == sorted(r["published"] for r in got)


def test_shipped_methods_never_reported_match_the_yaml(shipped: KnowledgeGraph, ds: Dataset) -> None:
    used = {str(u.get("method")) for rec in ds.records["report"].values() for u in nested_items(rec, "methods")}
    expected = {f"test:{t}" for t in ds.records["test_method"]} - {f"test:{m}" for m in used}
    assert {r["method"] for r in rows(shipped, "methods-never-reported")} == expected


def test_shipped_models_tested_for_cyber_offence(shipped: KnowledgeGraph, ds: Dataset) -> None:
    measures = {
        t: {str(m.get("capability")) for m in rec.data.get("measures") or []}
        for t, rec in ds.records["test_method"].items()
    }
    for year in ("2024", "2025", "2026"):
        expected = {
            f"model:{m}"
            for rec in ds.records["report"].values()
            if rec.data["tester_kind"] in ("government-institute", "third-party")
            and str(rec.data["published"]).startswith(year)
            and any(
                "offensive-cyber" in measures.get(str(u.get("method")), set()) for u in nested_items(rec, "methods")
            )
            for m in rec.data["models"]
        }
        got = {r["model"] for r in rows(shipped, "models-tested-for-capability", year=year)}
        assert got == expected, year


def test_shipped_severe_risks_untested_on_open_weights(shipped: KnowledgeGraph, ds: Dataset) -> None:
    got = {r["risk"] for r in rows(shipped, "severe-risks-untested-on-open-weights")}
    assert got, "the query finds severe risks no independent tester has tested on an open-weight model"
    open_models = {m for m, rec in ds.records["model"].items() if rec.data.get("open_weights") is True}
    assesses = {
        t: {str(a.get("risk")) for a in rec.data.get("assesses") or []} for t, rec in ds.records["test_method"].items()
    }
    tested = {
        risk
        for rec in ds.records["report"].values()
        if rec.data["tester_kind"] in ("government-institute", "third-party") and set(rec.data["models"]) & open_models
        for u in nested_items(rec, "methods")
        for risk in assesses.get(str(u.get("method")), set())
    }
    assert not got & tested
    for risk in got:
        c = ds.concept(risk)
        assert c is not None and c.data["severity"]["level"] >= 4, risk


def test_shipped_developer_evaluations_are_by_developers(shipped: KnowledgeGraph) -> None:
    got = rows(shipped, "developer-capability-evaluations")
    assert {r["developer"] for r in got} >= {"Anthropic", "OpenAI", "Google DeepMind"}


def test_shipped_who_tested_what_and_outcomes_run(shipped: KnowledgeGraph) -> None:
    assert len(rows(shipped, "who-tested-what")) >= 40
    assert all(r["note"] for r in rows(shipped, "report-outcomes"))
