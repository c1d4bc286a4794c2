"""Data & method: the coverage rubric, the ontology with counts, and downloads of the whole graph."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.coverage_common import rubric_markdown
from graph.explore import search as explore
from graph.store.export import export_bytes
from graph.store.kg import KnowledgeGraph

kg = common.get_kg()
st.title("Data & method")

st.header("Coverage rubric")
st.markdown(rubric_markdown())

st.header("Ontology")
summary = explore.ontology_summary(kg)
st.subheader(f"Classes ({len(summary.classes)})")
classes = pd.DataFrame(
    {
        "class": [c.curie for c in summary.classes],
        "label": [c.label for c in summary.classes],
        "instances": [c.instances for c in summary.classes],
        "definition": [c.definition for c in summary.classes],
    }
)
common.show_table(classes, "dm-classes-table", keys=("label", "class", "instances"))
common.download_table(classes, "ontology-classes", "dm-classes")

st.subheader(f"Relations ({len(summary.relations)})")
relations = pd.DataFrame(
    {
        "relation": [r.curie for r in summary.relations],
        "label": [r.label for r in summary.relations],
        "kind": [r.kind for r in summary.relations],
        "domain": [r.domain for r in summary.relations],
        "range": [r.range for r in summary.relations],
        "uses": [r.uses for r in summary.relations],
        "definition": [r.definition for r in summary.relations],
    }
)
common.show_table(relations, "dm-relations-table", keys=("label", "relation", "uses"))
common.download_table(relations, "ontology-relations", "dm-relations")

st.header("Download the whole graph")
st.caption(
    "Every named graph (ontology, curated data, imports) as one graph. Files are built on this machine when you "
    "click, then cached."
)
FORMATS = {
    "ttl": ("Turtle", "text/turtle", "airisk.ttl"),
    "jsonld": ("JSON-LD", "application/ld+json", "airisk.jsonld"),
    "graphml": ("GraphML", "application/graphml+xml", "airisk.graphml"),
    "csv": ("CSV (one row per triple)", "text/csv", "airisk-triples.csv"),
    "nt": ("N-Triples", "application/n-triples", "airisk.nt"),
}


@st.cache_data(show_spinner=False, max_entries=8)
def _export(key: str, fmt: str, _kg: KnowledgeGraph) -> bytes:
    return export_bytes(_kg, fmt)


def _exporter(fmt: str) -> Callable[[], bytes]:
    return lambda: _export(kg.key, fmt, kg)


cols = st.columns(len(FORMATS))
for col, (fmt, (label, mime, filename)) in zip(cols, FORMATS.items(), strict=True):
    col.download_button(label, _exporter(fmt), filename, mime, key=f"dl-{fmt}", help=f"Download {filename}")

st.header("Sources of the data")
st.markdown(
    "Taxonomies are published by the organisations listed on the Overview page; every risk category, "
    "capability, test method, mitigation and link carries the sources it rests on (see each entity page). "
    "Descriptions and rationales are the curators' own words."
)
