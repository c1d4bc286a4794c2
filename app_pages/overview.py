"""Overview: what is in the graph, headline coverage, the ten worst gaps, scope and sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.coverage_common import catalogue_report, lens_caption, status_label
from graph.explore import search as explore

kg = common.get_kg()
st.title("AI Risk Graph")
st.markdown(
    "Which AI risks does nobody test for, and which tests would close the gap? "
    "Browse how public risk taxonomies, model capabilities, test methods and mitigations connect."
)
st.info(common.md(explore.scope_statement(kg)), icon=None)

counts = explore.entity_counts(kg)
cols = st.columns(7)
for col, (key, label) in zip(
    cols,
    [
        ("taxonomy", "Taxonomies"),
        ("risk", "Risk categories"),
        ("capability", "Capabilities"),
        ("test_method", "Test methods"),
        ("mitigation", "Mitigations"),
        ("report", "Evaluation reports"),
        ("source", "Sources"),
    ],
    strict=True,
):
    col.metric(label, f"{counts[key]:,}")

# ---------------------------------------------------------------- headline coverage
st.header("Coverage of the catalogue")
st.caption(
    "How well the test methods in the graph (the whole catalogue: what the field can test) assess each "
    "risk category, by the rubric on the Data & method page. See the Coverage page for the matrix."
)
report = catalogue_report()
st.caption(lens_caption(report) + " Pick another lens on the Coverage page.")
summary = report.summary()
m = st.columns(5)
m[0].metric("Risks assessed", f"{summary.share_assessed:.0%}", help="Share of applicable risk categories with evidence")
m[1].metric(
    "Severity-weighted coverage",
    f"{summary.weighted_coverage:.0%}",
    help="Coverage scores weighted by severity (1 to 5; unrated risks count 2)",
)
m[2].metric("Strongly assessed", f"{summary.n_strong:,}")
m[3].metric("Not assessed", f"{summary.n_not_assessed:,}")
m[4].metric(
    "Not testable", f"{summary.n_not_testable:,}", help="Not testable by model evaluation: counted apart, never ranked"
)

st.subheader("The ten worst gaps")
st.caption("Gap score = severity weight × (1 − coverage score); the highest scores are the most severe untested risks.")
gaps = report.top_gaps(10)
if not gaps:
    st.success("No gaps: every applicable risk category is strongly assessed.")
else:
    gap_df = pd.DataFrame(
        {
            "rank": range(1, len(gaps) + 1),
            "risk": [g.label for g in gaps],
            "id": [common.entity_url(g.id) for g in gaps],
            "taxonomy": [g.taxonomy for g in gaps],
            "severity": [g.severity for g in gaps],
            "status": [status_label(g.status) for g in gaps],
            "gap score": [round(g.gap_score, 2) for g in gaps],
            "reason": [g.why.reason for g in gaps],
        }
    )
    common.entity_table(gap_df, [x.id for x in gaps], "overview-gaps")
    common.download_table(gap_df.assign(id=[g.id for g in gaps]), "top-10-gaps", "ov-gaps", xlsx=True)

# ---------------------------------------------------------------- taxonomies
st.header("Taxonomies")
rows = explore.taxonomies(kg)
if not rows:
    st.warning("The graph holds no taxonomy. Check the data folder (`airisk validate`).")
else:
    tax_df = pd.DataFrame(
        {
            "prefix": [t.prefix for t in rows],
            "title": [t.title for t in rows],
            "publisher": [t.publisher for t in rows],
            "version": [t.version for t in rows],
            "issued": [t.issued for t in rows],
            "concepts": [t.concepts for t in rows],
            "published": [t.published for t in rows],
            "licence": [t.licence for t in rows],
            "source": [t.url for t in rows],
            "origin": ["import" if t.imported else "curated" for t in rows],
        }
    )
    st.dataframe(
        common.visible(tax_df),
        hide_index=True,
        width="stretch",
        column_config={
            "source": st.column_config.LinkColumn("source", help="The publisher's page (opens a new tab)"),
            "published": st.column_config.NumberColumn("published", help="How many concepts the source publishes"),
        },
    )
    common.download_table(tax_df, "taxonomies", "ov-tax")

st.caption(
    f"Graph: {kg.triple_count():,} triples in {kg.store.description}. Every description is our own wording; "
    "every link cites its sources (open any entity to see them)."
)
