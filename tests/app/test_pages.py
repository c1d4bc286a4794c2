"""Every page of the app under ``streamlit.testing.v1.AppTest`` on the app fixture data.

The graph is built once per test process (``st.cache_resource``), so each page run is fast. The
fixture (``tests/fixtures/app``): 2 taxonomies with 9 risk categories, 4 test methods (one named
``<img src=x onerror=alert(1)>``), 2 capabilities, 2 mitigations, 1 evaluation report, an example inventory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "tests" / "fixtures" / "app"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module", autouse=True)
def _app_env(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One data folder and one workspace for the module, so the cached graph is shared."""
    old = {k: os.environ.get(k) for k in ("AIRISK_DATA", "AIRISK_WORKSPACE")}
    os.environ["AIRISK_DATA"] = str(DATA)
    os.environ["AIRISK_WORKSPACE"] = str(tmp_path_factory.mktemp("app-workspace"))
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


# ------------------------------------------------------------------------------ Overview
def test_overview_counts_coverage_and_worst_gaps() -> None:
    at = page("overview")
    got = metrics(at)
    assert got["Taxonomies"] == "2" and got["Risk categories"] == "9" and got["Test methods"] == "4"
    assert got["Capabilities"] == "2" and got["Mitigations"] == "2" and got["Sources"] == "3"
    # the default lens here is "all" (deduplicated): nist600:2.1 and mit:4.2 (close match) count once
    assert got["Risks assessed"] == "83%" and got["Severity-weighted coverage"] == "47%"
    assert got["Not assessed"] == "1" and got["Not testable"] == "2"
    assert any("Lens all" in c.value for c in at.caption)
    gaps = at.dataframe[0].value
    assert list(gaps["id"].str.replace("explore?id=", "")) == [
        "mit:1.1",
        "nist600:2.2",
        "mit:1",
        "mit:1.2",
        "mit:4",
        "nist600:2.1",
    ]
    assert gaps["reason"][1] == "no method at all"
    taxonomies = at.dataframe[1].value
    assert list(taxonomies["prefix"]) == ["mit", "nist600"] and list(taxonomies["version"]) == ["1", "2024"]
    assert any("9 risk categories from 2 published taxonomies" in a.value for a in at.info)


# ------------------------------------------------------------------------------ Explore
def test_explore_search_finds_names_codes_and_aliases() -> None:
    at = page("explore")
    at.text_input(key="q").input("bio").run()
    hits = at.dataframe[0].value
    assert set(hits["name"]) == {"WMDP", "CBRN uplift"}
    at.text_input(key="q").input("zzzz").run()
    assert any("Nothing matches" in i.value for i in at.info)


def test_explore_browse_tree_and_vocabularies() -> None:
    at = page("explore")
    tree = at.dataframe[0].value
    assert len(tree) == 7 and tree["concept"][0] == "1  Discrimination"
    assert tree["concept"][1].startswith("\u2003") and list(tree["tests"]) == [0, 1, 1, 0, 2, 0, 0]
    at.selectbox(key="browse-choice").set_value("Test methods (by method type)").run()
    names = list(at.dataframe[0].value["concept"])
    assert "\u2003" + HOSTILE in names  # shown as the characters, indented under its type


@pytest.mark.parametrize(
    ("curie", "title", "kind"),
    [
        ("mit:4.2", "Weapons and cyberattacks", "Risk category"),
        ("cap:cbrn-uplift", "CBRN uplift", "Capability"),
        ("test:wmdp", "WMDP", "Test method"),
        ("mtg:unlearning", "Unlearning", "Mitigation"),
        ("exercise:joint-x", "Testing reported in Joint test of Model X", "Testing exercise"),
        ("report:joint-x", "Joint test of Model X", "Evaluation report"),
        ("org:uk-aisi", "UK institute", "Organisation"),
    ],
)
def test_entity_page_opens_from_its_url(curie: str, title: str, kind: str) -> None:
    at = page("explore", id=curie)
    assert at.title[0].value == title
    assert at.caption[0].value.startswith(kind)
    assert any(f"explore?id={curie}" in m.value for m in at.markdown)  # its own link
    (frame,) = at.get("iframe")
    html = frame.proto.srcdoc
    assert "vis.Network" in html and "https://" not in html.split("<script>", 1)[0]


def test_entity_page_shows_description_sources_mappings_and_links() -> None:
    at = page("explore", id="mit:4.2")
    text = "\n".join(m.value for m in at.markdown)
    assert "Subdomain four two" in text
    assert "[Fixture source A](https://example.org/a)" in text  # sources are links
    assert "severity:** 5 (catastrophic)" in text
    mappings = at.dataframe[0].value
    assert list(mappings["concept"]) == ["CBRN information"] and list(mappings["confidence"]) == [0.8]
    labels = [e.label for e in at.expander]
    assert "assessed by (2 test method)" in labels and "mitigated by (1 mitigation)" in labels
    assessed = at.dataframe[1].value
    assert list(assessed["name"]) == ["Cybench", "WMDP"]
    assert list(assessed["rationale"]) == ["Cyberattack capability.", "Proxy for weapons knowledge."]


def test_hostile_label_is_escaped_everywhere() -> None:
    at = page("explore", id="test:hostile")
    title = at.title[0].value
    assert title == "\\<img src=x onerror=alert\\(1\\)\\>"  # Markdown shows the characters, not a tag
    rationale = at.dataframe[0].value["rationale"][0]
    assert rationale == "<script>alert(3)</script> rationale text."  # tables hold plain text
    (frame,) = at.get("iframe")
    assert "<img" not in frame.proto.srcdoc and "\\u003cimg src=x onerror=alert(1)\\u003e" in frame.proto.srcdoc


def test_network_controls_and_open_by_selection() -> None:
    at = page("explore", id="mit:1.2")
    assert "inScheme" not in at.multiselect(key="net-relations").value
    first = at.get("iframe")[0].proto.srcdoc
    at.slider(key="net-depth").set_value(2).run()
    assert at.get("iframe")[0].proto.srcdoc != first
    assert "nodes" in at.caption[-1].value or any("nodes" in c.value for c in at.caption)
    at.multiselect(key="net-relations").set_value([]).run()
    assert any("Pick at least one relation" in i.value for i in at.info)
    at.multiselect(key="net-relations").set_value(["assessesRisk"]).run()
    at.selectbox(key="net-open-mit:1.2").set_value("test:hostile").run()
    assert at.query_params["id"] == "test:hostile" and at.title[0].value.startswith("\\<img")


def test_unknown_entity_says_what_to_do() -> None:
    at = page("explore", id="mit:99")
    assert at.title[0].value == "Entity not found"
    assert "search for it by name" in at.error[0].value


# ------------------------------------------------------------------------------ Coverage
def test_coverage_matrix_gap_list_and_drill_down() -> None:
    at = page("coverage")
    got = metrics(at)
    assert (got["Risks assessed"], got["Strong"], got["Weak"], got["Not assessed"]) == ("83%", "0", "5", "1")
    assert got["Not testable"] == "2"
    assert at.get("vega_lite_chart")  # the heat map
    gaps = at.dataframe[0].value  # ranked gaps only; the not-testable risks are listed apart, unranked
    assert len(gaps) == 6 and gaps["gap score"][0] == 2.0 and gaps["gap arithmetic"][0] == "3 × (1 − 0.33)"
    assert gaps["reason"][0].startswith("one method type only") and gaps["counted once with"][5] == "mit:4.2"
    untestable = at.dataframe[1].value
    assert set(untestable["id"].str.replace("explore?id=", "")) == {"mit:6", "mit:6.1"}
    at.selectbox(key="cov-risk").set_value("mit:4").run()
    at.selectbox(key="cov-type").set_value("agentic").run()
    evidence = at.dataframe[0].value  # a rolled-up row: the evidence is on the narrower risks (a cluster)
    assert list(evidence["test method"]) == ["Cybench", "Cybench"]
    assert list(evidence["risk"]) == ["nist600:2.1", "mit:4.2"]
    assert any("cyber tasks**: tested directly" in m.value for m in at.markdown)
    at.selectbox(key="cov-risk").set_value("nist600:2.1").run()
    at.selectbox(key="cov-type").set_value(None).run()
    evidence = at.dataframe[0].value
    assert list(evidence["evidence"])[:2] == [
        "direct: assesses it directly",
        "indirect: via mapping nist600:2.1 skos:closeMatch mit:4.2",
    ]
    at.toggle(key="cov-gaps").set_value(True).run()
    assert at.selectbox(key="cov-risk").value == "nist600:2.1"


def test_coverage_of_one_taxonomy_at_all_levels() -> None:
    at = page("coverage")
    at.selectbox(key="cov-lens").set_value("Fixture profile (nist600)").run()
    at.selectbox(key="cov-level").set_value("all levels").run()
    assert metrics(at)["Risks assessed"] == "50%"
    assert set(at.dataframe[0].value["taxonomy"]) == {"nist600"}


# ------------------------------------------------------------------------------ Plan
def test_plan_with_the_example_inventory() -> None:
    at = page("plan")
    report = at.dataframe[0].value
    assert list(report["severity"]) == ["info"] and "custom test" in report["problem"][0]
    assert list(at.dataframe[1].value["test method"]) == ["WMDP", "Bias bench", "Our jailbreak suite"]
    steps = at.dataframe[3].value
    assert list(steps["test method"]) == ["Cybench"]
    assert metrics(at)["Gap closed"] == "3.17"  # what-if of the first recommendation, over the default lens
    at.multiselect(key="plan-whatif").set_value([]).run()
    assert "Gap closed" not in metrics(at)


def test_plan_upload_reports_unmatched_rows_with_candidates() -> None:
    at = page("plan")
    at.radio(key="plan-source").set_value("Upload a file").run()
    assert any("test_method" in i.value for i in at.info)
    csv = b"test_method,status\nWMPD,done\ncybench,planned\n"
    at.file_uploader[0].upload("ours.csv", csv, "text/csv").run()
    assert not at.exception
    issues = at.dataframe[0].value
    assert list(issues["row"]) == [2] and "wmdp" in issues["closest candidates"][0].lower()
    assert "1 row(s) could not be used" in at.warning[0].value
    assert list(at.dataframe[1].value["test method"]) == ["Cybench"]


def test_plan_upload_of_an_unreadable_file_says_what_is_expected() -> None:
    at = page("plan")
    at.radio(key="plan-source").set_value("Upload a file").run()
    at.file_uploader[0].upload("bad.csv", b"name,notes\nfoo,bar\n", "text/csv").run()
    assert not at.exception and at.error
    assert any("test_method" in c.value for c in at.caption)


# ------------------------------------------------------------------------------ Compare
def test_compare_counts_and_matrix() -> None:
    at = page("compare")
    got = metrics(at)
    assert (got["Risks: both"], got["Risks: neither"], got["Risks: not testable"]) == ("5", "1", "2")
    assert at.get("vega_lite_chart")
    per_risk = at.dataframe[0].value
    assert len(per_risk) == 8 and set(per_risk["covered by"]) == {"both", "neither", "not testable"}
    at.selectbox(key="cmp-a").set_value("Upload a file…").run()
    at.file_uploader[0].upload("b.csv", b"test_method\ncybench\n", "text/csv").run()
    got = metrics(at)
    assert got["Risks: B only"] == "3" and got["Risks: A only"] == "0"


# ------------------------------------------------------------------------------ SPARQL
def test_sparql_runs_a_query_with_entity_links() -> None:
    at = page("sparql")
    at.button[0].click().run()
    frame = at.dataframe[-1].value
    assert len(frame) == 9 and frame["risk"][0] == "mit:1"
    assert frame["risk ↗"][0] == "explore?id=mit:1"
    assert any("9 rows" in c.value for c in at.caption)


def test_sparql_example_from_the_catalogue() -> None:
    at = page("sparql")
    at.selectbox(key="sparql-example").set_value("taxonomies").run()
    assert "ar:Taxonomy" in at.text_area(key="sparql-text").value
    at.button[0].click().run()
    assert list(at.dataframe[-1].value["prefix"]) == ["mit", "nist600"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p }", "syntax error"),
    ],
)
def test_sparql_refuses_and_explains(query: str, message: str) -> None:
    at = page("sparql")
    at.text_area(key="sparql-text").input(query)
    at.button[0].click().run()
    assert message in at.error[0].value.replace("\\", "")  # as shown: the Markdown escapes removed
    assert not at.dataframe or len(at.dataframe) == 1  # only the prefix table


# ------------------------------------------------------------------------------ Data & method
def test_data_and_method() -> None:
    at = page("data")
    text = "\n".join(m.value for m in at.markdown)
    assert "Gap score" in text and "direct" in text  # the rubric
    classes = at.dataframe[0].value.set_index("class")
    assert classes.loc["ar:RiskCategory", "instances"] == 9 and classes.loc["ar:TestMethod", "instances"] == 4
    relations = at.dataframe[1].value.set_index("relation")
    assert relations.loc["ar:assessesRisk", "uses"] == 5
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels >= {"CSV", "Turtle", "JSON-LD", "GraphML", "CSV (one row per triple)"}
