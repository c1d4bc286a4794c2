"""Practice: who tested what. A timeline of published evaluation reports, a model x risk-domain
matrix of who tested what, and the coverage that published practice gives (beside the catalogue)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import common
from app_pages import coverage_common as cc
from graph.core.errors import AiriskError
from graph.coverage.practice import TESTER_KINDS, PracticeFilter, practice, practice_matrix, severe_assessed

common.get_kg()
st.title("Practice")
st.caption(
    "Who has actually tested what: the evaluation reports that institutes, third parties and developers "
    "published, the models they tested, the risk domains in scope and the catalogue methods they say they ran."
)
data = cc.get_data()
everything = practice(data)
years = sorted({r.year for r in everything.reports if r.year})
f1, f2, f3, f4 = st.columns([2, 2, 3, 2])
with f1:
    since = st.selectbox("From", ["any"] + years, key="pr-since")
with f2:
    until = st.selectbox("Until", ["any"] + years, key="pr-until")
with f3:
    kinds = st.multiselect("Tester kind", list(TESTER_KINDS), key="pr-kind", placeholder="Any kind")
    orgs = st.multiselect("Tester", sorted(everything.data.orgs), key="pr-org", placeholder="Any tester")
with f4:
    weights = st.radio("Models", ["any", "open weights", "closed weights"], key="pr-weights", horizontal=False)
pf = PracticeFilter(
    since=None if since == "any" else since,
    until=None if until == "any" else until,
    tester_kinds=tuple(kinds),
    orgs=tuple(orgs),
    open_weights={"any": None, "open weights": True, "closed weights": False}[weights],
)
try:
    chosen = practice(data, pf)
except AiriskError as exc:
    common.show_error(exc)
    st.stop()

counts = chosen.counts()
m = st.columns(4)
m[0].metric("Reports", len(chosen.reports))
m[1].metric("Catalogue methods they ran", len(chosen.method_reports))
m[2].metric("Models tested", len({mid for r in chosen.reports for mid in r.models}))
m[3].metric("Testers", len({o for r in chosen.reports for o in r.testers}))
if not chosen.reports:
    st.info("No published report matches these filters.")
    st.stop()

# ---------------------------------------------------------------- timeline
st.header("Timeline of reports")
models = everything.data.models
timeline = pd.DataFrame(
    {
        "published": [pd.Timestamp(r.published) for r in chosen.reports],
        "date": [r.published for r in chosen.reports],
        "report": [r.title for r in chosen.reports],
        "tester kind": [r.tester_kind for r in chosen.reports],
        "testers": [", ".join(r.testers) for r in chosen.reports],
        "models": [", ".join(models[m].label if m in models else m for m in r.models) for r in chosen.reports],
        "methods": [len(r.methods) for r in chosen.reports],
    }
)
chart = (
    alt.Chart(timeline)
    .mark_circle(size=120, opacity=0.8)
    .encode(
        x=alt.X("published:T", title="published", axis=alt.Axis(format="%Y-%m")),
        y=alt.Y("tester kind:N", title=None, axis=alt.Axis(labelLimit=240)),
        color=alt.Color("tester kind:N", legend=None),
        size=alt.Size("methods:Q", legend=None, scale=alt.Scale(range=[60, 400])),
        tooltip=["date", "report", "testers", "models", "methods"],
    )
    .properties(height=220)
)
st.altair_chart(chart, width="stretch")
st.caption("Each dot is a report; its size is the number of catalogue methods it names. Hover for details.")
st.caption("Per year: " + ", ".join(f"{y}: {n}" for y, n in counts["per_year"].items()) + " · per tester kind: "
           + ", ".join(f"{k}: {n}" for k, n in counts["per_tester_kind"].items()))  # fmt: skip
reports_df = pd.DataFrame(
    {
        "published": [r.published for r in chosen.reports],
        "report": [r.title for r in chosen.reports],
        "id": [common.entity_url(f"report:{r.id}") for r in chosen.reports],
        "type": [r.report_type for r in chosen.reports],
        "tester kind": [r.tester_kind for r in chosen.reports],
        "testers": [", ".join(r.testers) for r in chosen.reports],
        "models": timeline["models"],
        "access": [r.access for r in chosen.reports],
        "methods": [len(r.methods) for r in chosen.reports],
    }
)
common.entity_table(reports_df, [f"report:{r.id}" for r in chosen.reports], "pr-reports")
common.download_table(reports_df.assign(id=[f"report:{r.id}" for r in chosen.reports]), "reports", "pr-dl")

# ---------------------------------------------------------------- model x domain
st.header("Who tested what: model × risk domain")
cells = practice_matrix(data, pf)
if not cells:
    st.info("The reports kept name no risk domains.")
else:
    mx = pd.DataFrame(cells)
    mx["who"] = mx["testers"].map(", ".join)
    mx["n"] = mx["reports"].map(len)
    mx["domain name"] = mx["domain"] + " " + mx["domain_label"]
    heat = (
        alt.Chart(mx)
        .mark_rect()
        .encode(
            x=alt.X("domain name:N", title="risk domain", axis=alt.Axis(labelAngle=-40, labelLimit=220)),
            y=alt.Y("model_label:N", title="model"),
            color=alt.Color("n:Q", title="reports", scale=alt.Scale(scheme="blues")),
            tooltip=["model_label", "domain", "domain_label", "who", "n"],
        )
    )
    st.altair_chart(heat, width="stretch")
    table = pd.DataFrame(
        {
            "model": mx["model_label"],
            "open weights": mx["open_weights"].map({True: "yes", False: "no"}).fillna("unknown"),
            "risk domain": mx["domain_label"],
            "id": [common.entity_url(d) for d in mx["domain"]],
            "testers": mx["who"],
            "tester kinds": mx["tester_kinds"].map(", ".join),
            "reports": mx["reports"].map(", ".join),
        }
    )
    common.entity_table(table, list(mx["domain"]), "pr-matrix")

# ---------------------------------------------------------------- coverage
st.header("What practice covers, beside the catalogue")
lens = cc.lens_choice("pr-lens")
inventory = chosen.to_inventory(data)
report = cc.report_for(inventory, lens)
catalogue = cc.catalogue_report(lens)
st.caption(cc.lens_caption(report))
s, c = report.summary(), catalogue.summary()
severe_p, severe_n = severe_assessed(report)
severe_c, _ = severe_assessed(catalogue)
k = st.columns(3)
k[0].metric(
    "Risks assessed in practice", f"{s.share_assessed:.0%}", help=f"The catalogue could assess {c.share_assessed:.0%}"
)
k[1].metric(
    "Severe risks assessed in practice", f"{severe_p} of {severe_n}", help="Severity 4 (severe) or 5 (catastrophic)"
)
k[2].metric("Severe risks the catalogue could assess", f"{severe_c} of {severe_n}")
gaps = report.top_gaps(15)
catalogue_status = {r.id: r.status for r in catalogue.risks}
gap_df = pd.DataFrame(
    {
        "risk": [r.label for r in gaps],
        "id": [common.entity_url(r.id) for r in gaps],
        "severity": [r.severity for r in gaps],
        "practice": [cc.status_label(r.status) for r in gaps],
        "catalogue": [cc.status_label(catalogue_status.get(r.id, "")) for r in gaps],
        "gap score": [round(r.gap_score, 2) for r in gaps],
    }
)
st.subheader("Largest practice gaps")
common.entity_table(gap_df, [r.id for r in gaps], "pr-gaps")
st.caption("Open the Coverage, Plan or Compare page and pick a practice baseline for the full analysis.")
