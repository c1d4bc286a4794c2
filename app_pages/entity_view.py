"""The entity page (part of Explore): description, sources, mappings, links, network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from graph.explore.entity import EntityView, LinkGroup
from graph.explore.network import KIND_NAMES, relations_of

#: Relations the network view follows unless the reader adds them (``inScheme`` links every
#: concept of a taxonomy to it, which drowns the neighbourhood).
HIDDEN_BY_DEFAULT = {"inScheme"}
SEVERITY = {1: "limited", 2: "moderate", 3: "serious", 4: "severe", 5: "catastrophic"}


def render_entity(view: EntityView) -> None:
    """Render the whole entity page."""
    st.page_link(common.EXPLORE_PAGE, label="← Search and browse")
    st.title(common.md(view.label))
    where = f" · {common.md(view.taxonomy)}" if view.taxonomy else ""
    st.caption(f"{common.md(view.kind_label)} · `{view.curie}`{where}")
    st.markdown(
        f"Link to this page: [`{common.entity_url(view.curie)}`]({common.entity_url(view.curie)}) · IRI `{view.iri}`"
    )
    if view.description:
        st.markdown(common.md(view.description))
    if view.aliases:
        st.markdown("**Also called:** " + "; ".join(common.md(a) for a in view.aliases))
    _facts(view)
    if view.sources:
        st.subheader("Sources")
        for s in view.sources:
            st.markdown("- " + common.source_links([s]))
    if view.mappings:
        _mappings(view)
    if view.groups:
        st.subheader("Linked entities")
        for group in view.groups:
            _group(view, group)
    elif not view.mappings:
        st.info("No links to other entities yet.")
    _network(view)


def _facts(view: EntityView) -> None:
    lines = [f"**{common.md(name)}:** {common.md(value)}" for name, value in view.facts]
    for name, url in view.urls:
        safe = common.safe_url(url)
        lines.append(f"**{name}:** [{common.md(url)}]({safe})" if safe else f"**{name}:** {common.md(url)}")
    if view.severity is not None:
        text = f"**severity:** {view.severity} ({SEVERITY.get(view.severity, '')})"
        if view.severity_evidence:
            text += (
                f" — {common.md(view.severity_evidence.note)} ({common.source_links(view.severity_evidence.sources)})"
            )
        lines.append(text)
    if lines:
        st.markdown("  \n".join(lines))
    if view.not_applicable:
        ev = view.not_applicable_evidence
        why = f" {common.md(ev.note)} ({common.source_links(ev.sources)})" if ev else ""
        st.warning("Model testing does not apply to this risk category (shown as *not applicable* in coverage)." + why)


def _mappings(view: EntityView) -> None:
    st.subheader("Mappings to other taxonomies")
    df = pd.DataFrame(
        {
            "relation": [m.label for m in view.mappings],
            "concept": [m.other.label for m in view.mappings],
            "id": [common.entity_url(m.other.curie) for m in view.mappings],
            "taxonomy": [m.taxonomy for m in view.mappings],
            "confidence": [m.confidence for m in view.mappings],
            "justification": [m.justification for m in view.mappings],
            "rationale": [m.note for m in view.mappings],
            "sources": ["; ".join(s.title for s in m.sources) for m in view.mappings],
        }
    )
    common.entity_table(df, [x.other.curie for x in view.mappings], f"mappings-{view.curie}")
    common.download_table(df.assign(id=[m.other.curie for m in view.mappings]), f"mappings-{view.curie}", "map-dl")


def _group(view: EntityView, group: LinkGroup) -> None:
    n = len(group.links)
    kinds = sorted({KIND_NAMES.get(link.other.kind, link.other.kind) for link in group.links})
    with st.expander(f"{group.label} ({n} {', '.join(kinds)})", expanded=n <= 12):
        df = pd.DataFrame(
            {
                "name": [link.other.label for link in group.links],
                "id": [common.entity_url(link.other.curie) for link in group.links],
                "rationale": [link.evidence.note if link.evidence else "" for link in group.links],
                "sources": [
                    "; ".join(s.title for s in link.evidence.sources) if link.evidence else "" for link in group.links
                ],
            }
        )
        common.entity_table(
            df, [x.other.curie for x in group.links], f"group-{view.curie}-{group.relation}-{group.direction}"
        )
        with_sources = [link for link in group.links if link.evidence and link.evidence.sources]
        if with_sources and n <= 30:
            st.markdown(
                "  \n".join(
                    f"{common.md(link.other.label)}: {common.source_links(link.evidence.sources)}"  # type: ignore[union-attr]
                    for link in with_sources
                )
            )


def _network(view: EntityView) -> None:
    st.subheader("Neighbourhood")
    g = common.get_nx()
    if view.iri not in g:
        st.info("This entity is not part of the network view (sources and evidence nodes are not drawn).")
        return
    all_relations = relations_of(g)
    c1, c2 = st.columns([3, 1])
    chosen = c1.multiselect(
        "Relations to follow",
        all_relations,
        default=[r for r in all_relations if r not in HIDDEN_BY_DEFAULT],
        key="net-relations",
    )
    depth = c2.slider("Depth (hops)", 1, 3, 1, key="net-depth")
    if not chosen:
        st.info("Pick at least one relation to draw the neighbourhood.")
        return
    net = common.get_network(view.iri, depth, tuple(chosen))
    st.caption(
        f"{net.n_nodes:,} nodes, {net.n_edges:,} links"
        + (" (cut at the nearest 3,000 nodes)" if net.truncated else "")
        + ". Drag to pan, scroll to zoom; click a node to open its page (Ctrl-click: new tab)."
    )
    st.iframe(net.html, height=620)
    others = [(curie, label) for _iri, curie, label in net.nodes if curie != view.curie]
    if others:
        labels = {curie: f"{label} ({curie})" for curie, label in others}
        target = st.selectbox(
            "Open a node of this view",
            [c for c, _l in others],
            index=None,
            format_func=lambda c: labels[c],
            placeholder="Choose an entity…",
            key=f"net-open-{view.curie}",
        )
        if target:
            common.open_entity(target)
