"""Versions: what changed between two taxonomy versions, and what happens to mappings, links and coverage."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from graph.core.errors import AiriskError
from graph.coverage.versions import LinkFate, diff_schemes, list_versions

kg = common.get_kg()
st.title("Versions")
st.caption(
    "Pick two taxonomies (usually two versions of one framework) to see which concepts were added, removed, "
    "renamed, moved, merged or split, and what happens to their mappings, test and mitigation links and coverage."
)
versions = list_versions(kg)
if len(versions) < 2:
    st.info("The graph holds fewer than two taxonomies.")
    st.stop()
label = {v.prefix: f"{v.title} ({v.prefix}{', version ' + v.version if v.version else ''})" for v in versions}
prefixes = [v.prefix for v in versions]
declared = [(v.revises, v.prefix) for v in versions if v.revises in label]
default_old, default_new = declared[0] if declared else (prefixes[0], prefixes[1])
c1, c2 = st.columns(2)
with c1:
    old = st.selectbox(
        "Older version",
        prefixes,
        index=prefixes.index(default_old or prefixes[0]),
        format_func=lambda p: label[p],
        key="ver-old",
    )
with c2:
    new = st.selectbox(
        "Newer version", prefixes, index=prefixes.index(default_new), format_func=lambda p: label[p], key="ver-new"
    )
if old == new:
    st.warning("Pick two different taxonomies.")
    st.stop()
try:
    with st.spinner("Comparing the two versions…"):
        d = kg.memo(f"version-diff {old} {new}", lambda: diff_schemes(kg, old, new))  # once per graph and pair
except AiriskError as exc:  # one clear message, never a traceback
    common.show_error(exc, "Cannot compare these taxonomies")
    st.stop()

st.markdown(common.md(d.basis_note))
counts = d.counts()
cols = st.columns(len(counts))
for col, (kind, n) in zip(cols, counts.items(), strict=True):
    col.metric(kind, n)


def joined(values: list[str]) -> str:
    return ", ".join(values)


st.header("Concepts")
changes = pd.DataFrame(
    [
        {
            "change": c.kind,
            "old": joined(c.old),
            "old label": joined(c.old_labels),
            "new": joined(c.new),
            "new label": joined(c.new_labels),
            "basis": c.basis,
            "note": c.note,
            "sources": joined(c.sources),
        }
        for c in d.changes
    ]
)
st.dataframe(changes, hide_index=True, width="stretch", key="ver-changes")
common.download_table(changes, f"diff-{old}-{new}", "ver-changes-dl")

st.header("Mappings, links and coverage")
m, lk = d.fate_counts(d.mappings), d.fate_counts(d.links)
st.markdown(
    f"Mappings: **{m['carried']}** carried over, **{m['not carried']}** not carried over, **{m['new']}** new. "
    f"Test-method, mitigation and capability links: **{lk['carried']}** carried over, "
    f"**{lk['not carried']}** not carried over, **{lk['new']}** new."
)
tab_m, tab_l, tab_c = st.tabs(["Mappings", "Links", "Coverage"])


def fate_frame(items: list[LinkFate]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"status": f.status, "old": f.old or "", "relation": f.relation, "other end": f.other, "new": joined(f.new)}
            for f in items
        ],
        columns=["status", "old", "relation", "other end", "new"],
    )


with tab_m:
    st.dataframe(fate_frame(d.mappings), hide_index=True, width="stretch", key="ver-mappings")
with tab_l:
    st.dataframe(fate_frame(d.links), hide_index=True, width="stretch", key="ver-links")
with tab_c:
    cov = pd.DataFrame(
        [
            {"old": c.old, "old coverage": c.old_state, "new": joined(c.new), "new coverage": joined(c.new_states)}
            for c in d.coverage
        ],
        columns=["old", "old coverage", "new", "new coverage"],
    )
    st.dataframe(cov, hide_index=True, width="stretch", key="ver-coverage")
