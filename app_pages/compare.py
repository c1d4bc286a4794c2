"""Compare: two inventories side by side (both / A only / B only / neither), with a diverging matrix."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import common
from app_pages import coverage_common as cc
from graph.core.labels import plural
from graph.coverage.cells import CELL_CATEGORIES, compare_matrix
from graph.coverage.compare import compare
from graph.coverage.export import comparison_to_xlsx_bytes
from graph.inventory.model import Inventory

UPLOAD = "Upload a file…"

common.get_kg()
st.title("Compare")
st.caption("Two inventories side by side: which risks each covers, and which only one of them covers.")


def side(label: str, key: str, index: int) -> Inventory:
    choices = cc.inventory_choices(with_catalogue=True)
    names = [*choices, UPLOAD]
    name = st.selectbox(label, names, index=min(index, len(names) - 1), key=key)
    if name == UPLOAD:
        uploaded = st.file_uploader(
            f"{label} file (CSV, TSV or XLSX)", type=["csv", "tsv", "txt", "xlsx"], key=f"{key}-file"
        )
        if uploaded is None:
            st.info("Upload an inventory file for this side.")
            st.stop()
        read = cc.read_upload(uploaded)
        if read is None:
            st.stop()
        inv, report = read
        if report.errors:
            st.warning(
                f"{plural(len(report.errors), 'row')} of {common.md(uploaded.name)} left out (see the Plan page)."
            )
        return inv
    kind, ref = choices[name]
    inv, _ = cc.open_choice(kind, ref)
    return inv if inv is not None else cc.catalogue_inventory()


a_col, b_col = st.columns(2)
with a_col:
    inv_a = side("Inventory A", "cmp-a", 1)
with b_col:
    inv_b = side("Inventory B", "cmp-b", 0)
t_col, l_col = st.columns(2)
with t_col:
    lens = cc.lens_choice("cmp-lens")
with st.spinner("Comparing…"):
    comparison = compare(cc.get_data(), inv_a, inv_b, lens=lens)

st.markdown(f"**A** = {common.md(comparison.name_a)} · **B** = {common.md(comparison.name_b)}")
m = st.columns(5)
for col, cat in zip(m, ("both", "A only", "B only", "neither", "not testable"), strict=True):
    col.metric(f"Risks: {cat}", f"{comparison.counts.get(cat, 0):,}")

# ---------------------------------------------------------------- matrix
st.header("Matrix")
max_depth = max((r.depth for r in comparison.union.risks), default=1)
with l_col:
    levels = ["all levels"] + [str(i) for i in range(1, max_depth + 1)]
    level_text = st.selectbox("Roll-up level", levels, index=1 if max_depth > 1 else 0, key="cmp-level")
level = None if level_text == "all levels" else int(level_text)
cells = compare_matrix(comparison, level)
labels = {r.id: r.label for r in comparison.union.risks}
types = cc.type_labels()
if cells.empty:
    st.info("No risk category in scope.")
else:
    long = cells.reset_index().melt(id_vars="risk", var_name="method_type", value_name="category")
    long["risk_label"] = long["risk"].map(lambda c: f"{c} {labels.get(c, '')}"[:60])
    long["method"] = long["method_type"].map(lambda t: types.get(t, t))
    order = [f"{c} {labels.get(c, '')}"[:60] for c in cells.index]
    chart = (
        alt.Chart(long)
        .mark_rect(stroke="#999999", strokeWidth=0.4)
        .encode(
            x=alt.X(
                "method:N",
                sort=[types.get(t, t) for t in cells.columns],
                title="method type",
                axis=alt.Axis(labelAngle=-40, labelLimit=180),
            ),
            y=alt.Y("risk_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "category:N",
                scale=alt.Scale(domain=list(CELL_CATEGORIES), range=[cc.COMPARE_COLOURS[c] for c in CELL_CATEGORIES]),
                legend=alt.Legend(title="covered by", orient="top"),
            ),
            tooltip=["risk:N", "risk_label:N", "method:N", "category:N"],
        )
        .properties(height=alt.Step(24))
    )
    st.altair_chart(chart, width="stretch")
    flat = cells.copy()
    flat.insert(0, "label", [labels.get(i, "") for i in flat.index])
    flat = flat.rename(columns=types).reset_index()
    common.download_table(flat, "comparison-matrix", "cmp-mx", xlsx=True)

# ---------------------------------------------------------------- per risk
st.header("Per risk")
frame = comparison.to_frame()
table = pd.DataFrame(
    {
        "risk": frame["label"],
        "id": [common.entity_url(i) for i in frame["id"]],
        "taxonomy": frame["taxonomy"],
        "severity": frame["severity"],
        "covered by": frame["category"],
        "A": [cc.status_label(s) for s in frame["status_a"]],
        "B": [cc.status_label(s) for s in frame["status_b"]],
        "only in A": frame["only_a_tests"],
        "only in B": frame["only_b_tests"],
    }
)
common.show_table(table, "cmp-per-risk", keys=("risk", "covered by", "A", "B"))
c1, c2, _ = st.columns([1, 1, 6])
c1.download_button(
    "CSV", common.csv_bytes(frame), "comparison.csv", "text/csv", key="cmp-csv"
)  # rounded, human headers
c2.download_button(
    "XLSX",
    lambda: comparison_to_xlsx_bytes(comparison),
    "comparison.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="cmp-xlsx",
)
