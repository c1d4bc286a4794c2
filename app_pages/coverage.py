"""Coverage: the risk x method-type matrix, drill-down to the evidence, and the ranked gap list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages import coverage_common as cc
from graph.coverage.export import report_to_xlsx_bytes
from graph.coverage.matrix import CELL_DIRECT, CELL_INDIRECT, CELL_NOT_TESTABLE, matrix_headline
from graph.coverage.rules import DEFAULT_WEIGHT

common.get_kg()
st.title("Coverage")
st.caption(
    "Which risk categories are assessed by which kinds of test method, and where the gaps are. "
    "Pick an inventory to see what you actually run, or the whole catalogue for what the field can test."
)
c1, c2, c3 = st.columns([3, 3, 2])
with c1:
    inventory = cc.pick_inventory("Inventory", "cov-inventory")
with c2:
    lens = cc.lens_choice("cov-lens")
with st.spinner("Computing coverage…"):
    report = cc.report_for(inventory, lens)
st.caption(cc.lens_caption(report))
max_depth = max((r.depth for r in report.risks), default=1)
with c3:
    levels = ["all levels"] + [str(i) for i in range(1, max_depth + 1)]
    level_text = st.selectbox("Roll-up level", levels, index=1 if max_depth > 1 else 0, key="cov-level")
    gaps_only = st.toggle("Gaps only", key="cov-gaps", help="Only risks whose gap score is above zero")
level = None if level_text == "all levels" else int(level_text)

summary = report.summary()
m = st.columns(6)
m[0].metric("Risks assessed", f"{summary.share_assessed:.0%}", help="Share of the risks testable by model evaluation")
m[1].metric("Severity-weighted coverage", f"{summary.weighted_coverage:.0%}")
m[2].metric("Strong", f"{summary.n_strong:,}")
m[3].metric("Weak", f"{summary.n_weak:,}")
m[4].metric("Not assessed", f"{summary.n_not_assessed:,}")
m[5].metric(
    "Not testable", f"{summary.n_not_testable:,}", help="Not testable by model evaluation: counted apart, never ranked"
)
st.caption(f"Taxonomy versions: {common.md(report.version_note())}")

# ---------------------------------------------------------------- matrix
st.header("Matrix")
v1, v2 = st.columns(2)
by_label = v1.radio("Columns", ["Method families", "Method types"], horizontal=True, key="cov-by")
sort_label = v2.radio("Rows", ["Taxonomy order", "Largest gap first"], horizontal=True, key="cov-sort")
by = "family" if by_label == "Method families" else "type"
states = report.matrix(level=level, by=by, sort="gap" if sort_label == "Largest gap first" else "tree")
if gaps_only:
    keep = {r.id for r in report.risks if r.gap_score > 0}
    states = states[states.index.isin(keep)]
labels = {r.id: r.label for r in report.risks}
types = cc.column_labels(by)
head = matrix_headline(states)
st.markdown(
    f"**In this matrix:** {head['rows']} risks: {head[CELL_DIRECT]} tested directly by at least one kind of "
    f"method, {head[CELL_INDIRECT]} only indirectly, {head['not by any kind of method']} by no kind of method, "
    f"{head[CELL_NOT_TESTABLE]} not testable by model evaluation."
)
if states.empty:
    st.success("No gaps at this level: every applicable risk category shown is strongly assessed.")
else:
    st.caption(
        "Each cell: does the inventory hold a test method of this kind that tests the risk directly, only "
        "indirectly (through an evidence capability or a mapping), or none? At a roll-up level a row includes "
        "everything under it; a cluster of matched risks is one row. Click a cell to see the evidence."
    )
    chart = cc.matrix_chart(states, labels, types)
    event = st.altair_chart(chart, on_select="rerun", selection_mode="cell", key="cov-matrix", width="stretch")
    picked = (event.selection.get("cell") or [{}])[0] if hasattr(event, "selection") else {}
    cell = (picked.get("risk"), picked.get("method_type"))
    if all(cell) and cell != st.session_state.get("cov-last-cell"):
        # a new click on the chart picks the cell; later reruns keep the reader's own choice
        st.session_state["cov-last-cell"] = cell
        st.session_state["cov-risk"], st.session_state["cov-type"] = cell
    matrix_df = states.copy()
    matrix_df.insert(0, "label", [labels.get(i, "") for i in matrix_df.index])
    matrix_df = matrix_df.rename(columns=types).reset_index()
    cols = st.columns([1, 1, 1, 1, 4])
    cols[0].download_button("Matrix CSV", common.csv_bytes(matrix_df), "coverage-matrix.csv", "text/csv", key="mx-csv")
    cols[1].download_button(
        "Matrix XLSX",
        lambda: common.xlsx_bytes(matrix_df, "matrix"),
        "coverage-matrix.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="mx-xlsx",
    )
    cols[2].download_button(
        "Matrix PNG",
        lambda: cc.chart_image(states, labels, types, "png"),
        "coverage-matrix.png",
        "image/png",
        key="mx-png",
    )
    cols[3].download_button(
        "Matrix SVG",
        lambda: cc.chart_image(states, labels, types, "svg"),
        "coverage-matrix.svg",
        "image/svg+xml",
        key="mx-svg",
    )

    # ------------------------------------------------------------ drill-down
    st.subheader("Evidence for a cell")
    d1, d2 = st.columns(2)
    risk_ids = list(states.index)
    if st.session_state.get("cov-risk") not in risk_ids:
        st.session_state.pop("cov-risk", None)
    risk = d1.selectbox("Risk", risk_ids, index=None, format_func=lambda i: f"{i} {labels.get(i, '')}", key="cov-risk")
    type_ids = list(states.columns)
    method = d2.selectbox(
        "Method type",
        type_ids,
        index=None,
        format_func=lambda t: types.get(t, t),
        key="cov-type",
        placeholder="Any method type",
    )
    if risk:
        ids = cc.subtree(report, risk) if level is not None else [risk]
        ev = cc.evidence_table(report, ids, method, by)
        state = states.loc[risk, method] if method else None
        head = f"**{common.md(risk)} {common.md(labels.get(risk, ''))}**"
        if method:
            head += f" × **{common.md(types.get(method, method))}**: {cc.CELL_STATES.get(state, (state, ''))[0]}"
        st.markdown(head)
        if ev.empty:
            st.info(
                "No evidence: no test method of this inventory reaches this risk"
                + (" with this type." if method else ".")
            )
        else:
            st.dataframe(
                common.visible(ev), hide_index=True, width="stretch", column_config={"open": common.link_column("Test")}
            )
            common.download_table(ev, f"evidence-{risk}", "ev-dl")
        st.page_link(common.EXPLORE_PAGE, label=f"Open {risk} in Explore", query_params={"id": risk})
    else:
        st.caption("Click a cell of the matrix, or choose a risk (and a method type) here.")

# ---------------------------------------------------------------- gap list
st.header("Ranked gaps")
st.markdown(
    f"**Gap score** = weight × (1 − coverage score). Weight = severity 1–5 ({DEFAULT_WEIGHT:g} when a risk "
    "has no severity rating); the coverage score is 0 (not assessed) to 1 (strong) by the rubric on the "
    "Data & method page. Highest first."
)
ranked = [r for r in report.risks if r.gap_score > 0 or (not gaps_only and not r.not_testable)]
gap_df = pd.DataFrame(
    {
        "rank": [r.rank for r in ranked],
        "risk": [r.label for r in ranked],
        "id": [common.entity_url(r.id) for r in ranked],
        "taxonomy": [r.taxonomy for r in ranked],
        "severity": [r.severity for r in ranked],
        "status": [cc.status_label(r.status) for r in ranked],
        "score": [round(r.strength, 2) for r in ranked],
        "gap score": [round(r.gap_score, 2) for r in ranked],
        "reason": [r.why.reason for r in ranked],
        "would raise it most": [r.why.best if r.status != "assessed: strong" else "" for r in ranked],
        "counted once with": [", ".join(r.members) for r in ranked],
        "gap arithmetic": [f"{r.weight:g} × (1 − {r.strength:.2f})" for r in ranked],
        "method types": [", ".join(types.get(t, t) for t in r.method_types) for r in ranked],
        "test methods": [r.n_methods for r in ranked],
    }
)
common.entity_table(gap_df, [x.id for x in ranked], "cov-gaplist")
g1, g2, _ = st.columns([1, 1, 6])
plain = gap_df.assign(id=[r.id for r in ranked])
g1.download_button("Gaps CSV", common.csv_bytes(plain), "coverage-gaps.csv", "text/csv", key="gap-csv")
g2.download_button(
    "Gaps XLSX",
    lambda: report_to_xlsx_bytes(report),
    "coverage-report.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="gap-xlsx",
    help="Sheets: gaps, evidence, matrix, about",
)

untestable = [r for r in report.risks if r.not_testable]
if untestable:
    st.subheader(f"Not testable by model evaluation ({len(untestable)}, not ranked)")
    st.caption("Categories that only deployment context decides, each with a sourced claim; they are not gaps.")
    na_df = pd.DataFrame(
        {
            "risk": [r.label for r in untestable],
            "id": [common.entity_url(r.id) for r in untestable],
            "why": [r.not_applicable_reason for r in untestable],
        }
    )
    common.entity_table(na_df, [x.id for x in untestable], "cov-untestable")
