"""The entity page (part of Explore): description, sources, mappings, links, network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from graph.explore.entity import EntityView, LinkGroup
from graph.explore.network import KIND_NAMES, relations_of
from graph.explore.report import Party, ReportView

#: Relations the network view follows unless the reader adds them (``inScheme`` links every
#: concept of a taxonomy to it, which drowns the neighbourhood).
HIDDEN_BY_DEFAULT = {"inScheme"}
SEVERITY = {1: "limited", 2: "moderate", 3: "serious", 4: "severe", 5: "catastrophic"}


def render_entity(view: EntityView) -> None:
    """Render the whole entity page."""
    st.page_link(common.EXPLORE_PAGE, label="← Search and browse")
    st.title(common.md(view.label))
    where = f" · {common.md(view.taxonomy)}" if view.taxonomy else ""
    st.caption(f"{common.md(view.kind_label)} · {common.md(view.curie)}{where}")
    st.markdown(
        f"Link to this page: [`{common.entity_url(view.curie)}`]({common.entity_url(view.curie)}) · IRI `{view.iri}`"
    )
    if view.kind == "risk":
        _coverage(view)
    if view.description:
        st.markdown(common.md(view.description))
    if view.aliases:
        st.markdown("**Also called:** " + "; ".join(common.md(a) for a in view.aliases))
    _facts(view)
    if view.kind == "report":
        render_report(common.get_report(view.curie))
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


def _coverage(view: EntityView) -> None:
    """The risk's coverage by the whole catalogue: status, score and the reason, at the top of its page."""
    from app_pages import coverage_common as cc

    report = cc.catalogue_report("every")
    try:
        r = report.get(view.curie)
    except KeyError:
        return
    why = r.why
    score = "" if r.not_testable else f" · score {r.strength:.2f} · gap {r.gap_score:.2f}"
    text = f"**Coverage by the catalogue: {common.md(cc.status_label(r.status))}**{score}  \n{common.md(why.reason)}"
    if not r.not_testable and r.status != "assessed: strong":
        text += f"  \nWould raise it most: {common.md(why.best)}"
    if r.not_testable:
        st.info(text)
    elif r.status == "assessed: strong":
        st.success(text)
    else:
        st.warning(text)


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
        st.warning("Not testable by model evaluation: only deployment context decides this category." + why)


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


def _parties(label: str, parties: list[Party]) -> str:
    items = []
    for p in parties:
        link = f"[{common.md(p.label)}]({common.entity_url(p.curie)})"
        extra = [x for x in (p.developer and f"by {common.md(p.developer)}",) if x]
        if p.open_weights is not None:
            extra.append("open weights" if p.open_weights else "weights not open")
        items.append(link + (f" ({', '.join(extra)})" if extra else ""))
    return f"**{label}:** " + "; ".join(items) if items else ""


def render_report(report: ReportView) -> None:
    """The report's own part of its page: who tested which models, how, the methods and the outcomes."""
    when = ", ".join(x for x in (report.testing_start, report.testing_end) if x)
    lines = [
        f"**published:** {common.md(report.published)}",
        f"**report type:** {common.md(report.report_type)}",
        f"**tester kind:** {common.md(report.tester_kind)}",
        f"**access:** {common.md(report.access)}" if report.access else "",
        f"**testing:** {common.md(when.replace(', ', ' to '))}" if when else "",
        _parties("testers", report.testers),
        _parties("commissioned by", report.commissioned_by),
        _parties("models tested", report.models),
        _parties("reference models", report.reference_models),
        _parties("risk domains in scope", report.domains),
        _parties("capabilities in scope", report.capabilities),
    ]
    st.markdown("  \n".join(x for x in lines if x))
    st.subheader(f"Test methods the report names ({len(report.methods)})")
    methods = pd.DataFrame(
        {
            "method": [m.label for m in report.methods],
            "id": [common.entity_url(m.curie) for m in report.methods],
            "method type": [m.method_type for m in report.methods],
            "what the report says was run": [m.note for m in report.methods],
            "where": [m.locator for m in report.methods],
            "sources": ["; ".join(s.title or s.curie for s in m.sources) for m in report.methods],
        }
    )
    common.entity_table(methods, [m.curie for m in report.methods], f"report-methods-{report.curie}")
    st.subheader("Outcome")
    if not report.outcomes:
        st.caption("The report states no conclusion we record (outcomes are recorded only where a report states one).")
    for o in report.outcomes:
        about = f"[{common.md(o.about_label)}]({common.entity_url(o.about)})"
        st.markdown(f"- **{common.md(o.verdict)}** — {about}: {common.md(o.note)} ({common.source_links(o.sources)})")
