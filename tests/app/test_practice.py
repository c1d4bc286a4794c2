"""The Practice page, report entity pages and practice baselines in Coverage and Compare (AppTest).

On the reports fixture (``tests/fixtures/reports``): 5 reports from 2024 and 2025 by a developer,
government institutes and a third party, on two closed models and one open-weight model.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "tests" / "fixtures" / "reports"


@pytest.fixture(scope="module", autouse=True)
def _app_env(tmp_path_factory: pytest.TempPathFactory) -> None:
    old = {k: os.environ.get(k) for k in ("AIRISK_DATA", "AIRISK_WORKSPACE")}
    os.environ["AIRISK_DATA"] = str(DATA)
    os.environ["AIRISK_WORKSPACE"] = str(tmp_path_factory.mktemp("practice-workspace"))
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def page(name: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"app_pages/{name}.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_practice_page_timeline_matrix_and_coverage() -> None:
    at = page("practice")
    got = metrics(at)
    assert (got["Reports"], got["Catalogue methods they ran"], got["Models tested"], got["Testers"]) == (
        "5", "3", "3", "4",
    )  # fmt: skip
    assert got["Severe risks assessed in practice"] == "1 of 1"  # mit:4.2 and nist600:2.1 as one cluster
    reports = at.dataframe[0].value
    assert list(reports["id"].str.replace("explore?id=", "")) == [
        "report:org-a-card-x", "report:joint-x", "report:uk-open-y-2025", "report:z-eval-x-2025", "report:us-x2-2025",
    ]  # fmt: skip
    matrix = at.dataframe[1].value
    rows = {(m, d) for m, d in zip(matrix["model"], matrix["id"].str.replace("explore?id=", ""), strict=True)}
    assert rows == {("Model X", "mit:4.2"), ("Model X", "nist600:2.1"), ("Model Y", "mit:4.2")}
    assert list(matrix["open weights"]) == ["no", "no", "yes"]
    gaps = at.dataframe[2].value
    first = gaps.iloc[0]
    assert (first["id"], first["practice"], first["catalogue"]) == ("explore?id=mit:1.1", "not assessed", "weak")
    assert any("Per year: 2024: 2, 2025: 3" in c.value for c in at.caption)


def test_practice_filters() -> None:
    at = page("practice")
    at.multiselect(key="pr-kind").set_value(["developer"]).run()
    assert metrics(at)["Reports"] == "1"
    at.multiselect(key="pr-kind").set_value([]).run()
    at.radio(key="pr-weights").set_value("open weights").run()
    got = metrics(at)
    assert (got["Reports"], got["Models tested"]) == ("1", "1")
    at.radio(key="pr-weights").set_value("any").run()
    at.selectbox(key="pr-since").set_value("2025").run()
    at.multiselect(key="pr-org").set_value(["us-aisi"]).run()
    assert list(at.dataframe[0].value["id"]) == ["explore?id=report:us-x2-2025"]
    at.selectbox(key="pr-since").set_value("any").run()
    at.multiselect(key="pr-org").set_value(["org-z"]).run()
    at.selectbox(key="pr-until").set_value("2024").run()
    assert metrics(at)["Reports"] == "0"
    assert any("No published report matches" in i.value for i in at.info)


def test_report_entity_page_shows_methods_models_outcome_and_sources() -> None:
    at = page("explore", id="report:joint-x")
    assert at.title[0].value == "Joint test of Model X"
    text = " ".join(m.value for m in at.markdown)
    for part in ("joint testing report", "government institute", "pre\\-deployment", "2024\\-10 to 2024\\-11",
                 "[UK institute](explore?id=org:uk-aisi)", "[Model X](explore?id=model:model-x)",
                 "weights not open", "[Model Y](explore?id=model:model-y) (by Org B, open weights)",
                 "**capability found**", "[Fixture joint report](https://example.org/joint)"):  # fmt: skip
        assert part in text, part
    methods = at.dataframe[0].value
    assert list(methods["method"]) == ["Cybench", "WMDP"]
    assert list(methods["where"]) == ["", "Section 2"]
    assert methods["what the report says was run"][1] == "Both institutes ran the biology questions."
    assert [s.value for s in at.subheader][:2] == ["Test methods the report names (2)", "Outcome"]


def test_report_without_outcome_says_so() -> None:
    at = page("explore", id="report:uk-open-y-2025")
    assert any("states no conclusion" in c.value for c in at.caption)


def test_coverage_page_takes_a_practice_baseline() -> None:
    at = page("coverage")
    at.selectbox(key="cov-inventory").set_value("Practice: developers' own reports").run()
    assert not at.exception
    gaps = at.dataframe[-1].value
    tested = dict(zip(gaps["id"].str.replace("explore?id=", ""), gaps["status"], strict=True))
    # the default lens counts nist600:2.1 and mit:4.2 (close matches) once, as one cluster
    assert tested["mit:4.2"] != "not assessed" and tested["mit:1.1"] == "not assessed"


def test_compare_uk_and_us_practice() -> None:
    at = page("compare")
    at.selectbox(key="cmp-a").set_value("Practice: UK AI Security Institute").run()
    at.selectbox(key="cmp-b").set_value("Practice: US CAISI (AI Safety Institute)").run()
    assert not at.exception
    per_risk = at.dataframe[0].value
    assert len(per_risk) == 6  # 7 concepts, the close matches counted once
    only_b = dict(zip(per_risk["risk"], per_risk["only in B"], strict=True))
    assert "bio-red-team" in only_b["Weapons and cyberattacks"]  # the US institute's red team
