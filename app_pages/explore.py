"""Explore: search every entity, browse each taxonomy as a tree, and open entity pages.

``explore?id=<CURIE>`` opens the entity page directly (also in a new tab).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.entity_view import render_entity
from graph.core.errors import NotFound
from graph.explore import search as explore

kg = common.get_kg()
wanted = st.query_params.get("id", "").strip()

if wanted:
    try:
        view = common.get_entity(wanted)
    except NotFound as exc:
        st.title("Entity not found")
        st.error(common.md(exc))
        st.page_link(common.EXPLORE_PAGE, label="Back to search and browse")
        st.stop()
    render_entity(view)
    st.stop()

st.title("Explore")
st.caption("Search across every entity by name, code or alias, or browse a taxonomy. Pick a row to open its page.")
search_tab, browse_tab = st.tabs(["Search", "Browse taxonomies"])

with search_tab:
    text = st.text_input("Search names, codes and aliases", placeholder="e.g. cyber, mit:4.2, WMDP", key="q")
    if text.strip():
        hits = explore.search(kg, text, limit=200)
        if not hits:
            st.info("Nothing matches. Try a shorter word, a code such as 4.2, or browse a taxonomy.")
        else:
            st.caption(f"{len(hits)} match{'es' if len(hits) != 1 else ''}{' (first 200)' if len(hits) == 200 else ''}")
            df = pd.DataFrame(
                {
                    "name": [h.label for h in hits],
                    "kind": [explore.KIND_LABELS.get(h.kind, h.kind) for h in hits],
                    "id": [common.entity_url(h.curie) for h in hits],
                    "matched": [f"{h.matched_field}: {h.matched_text}" for h in hits],
                }
            )
            common.entity_table(df, [x.curie for x in hits], "search-hits")

with browse_tab:
    rows = explore.taxonomies(kg)
    options = {f"{t.title} ({t.prefix}, version {t.version})": t.prefix for t in rows}
    options.update({title: name for name, (title, _c, _g) in explore.VOCABULARIES.items()})
    if not options:
        st.warning("The graph holds no taxonomy. Check the data folder (`airisk validate`).")
        st.stop()
    choice = st.selectbox("Taxonomy or vocabulary", list(options), key="browse-choice")
    prefix = options[choice]
    roots = explore.taxonomy_tree(kg, prefix)
    flat = [(depth, node) for root in roots for depth, node in root.walk()]
    if not flat:
        st.info("This taxonomy has no concepts in the graph.")
    else:
        is_risk = prefix not in explore.VOCABULARIES
        tree = pd.DataFrame(
            {
                "concept": ["\u2003" * depth + (f"{n.code}  " if is_risk else "") + n.label for depth, n in flat],
                "id": [common.entity_url(n.curie) for _d, n in flat],
            }
        )
        if is_risk:
            tree["severity"] = [n.severity for _d, n in flat]
            tree["tests"] = [n.tests for _d, n in flat]
            tree["not testable"] = [n.not_applicable for _d, n in flat]
        st.caption(
            f"{len(flat)} entries. Indentation shows the hierarchy; tests = test methods that assess it directly."
        )
        common.entity_table(tree, [x[1].curie for x in flat], f"tree-{prefix}", height=min(700, 38 + 35 * len(flat)))
        common.download_table(
            tree.assign(id=[n.curie for _d, n in flat], concept=[n.label for _d, n in flat]).assign(
                depth=[d for d, _n in flat]
            ),
            f"taxonomy-{prefix}",
            "tree-dl",
        )
