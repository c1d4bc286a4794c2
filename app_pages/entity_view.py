"""The entity page (part of Explore): description, sources, mappings, links, network."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages import coverage_common as cc
from graph.core.labels import justification_label, plural, relation_name
from graph.explore.entity import EntityView, LinkGroup, SourceRef
from graph.explore.network import KIND_NAMES, relations_of
from graph.explore.report import Party, ReportView

#: Relations the network view follows unless the reader adds them (``inScheme`` links every
#: concept of a taxonomy to it, which drowns the neighbourhood).
HIDDEN_BY_DEFAULT = {"inScheme"}
SEVERITY = {1: "limited", 2: "moderate", 3: "serious", 4: "severe", 5: "catastrophic"}


def render_entity(view: EntityView) -> None:
    """Render the whole entity page: a summary first, then collapsible sections, each source once."""
    st.page_link(common.EXPLORE_PAGE, label="← Search and browse")
    st.title(common.md(view.label))
    where = f" · {common.md(view.taxonomy)}" if view.taxonomy else ""
    st.caption(f"{common.md(view.kind_label)} · `{view.curie}`{where}")
    refs = _source_numbers(view)
    _summary(view, refs)
    if view.mappings:
        with st.expander(f"Mappings to other taxonomies: {plural(len(view.mappings), 'mapping')}"):
            _mappings(view, refs)
    for group in view.groups:
        _group(view, group, refs)
    if not view.groups and not view.mappings:
        st.info("No links to other entities yet.")
    if refs:
        with st.expander(f"Sources: {plural(len(refs), 'source')} cited on this page"):
            st.markdown(
                "\n".join(f"{n}. " + common.source_links([s]) for n, s in enumerate(refs.values(), 1)),
            )
    _network(view)


def _source_numbers(view: EntityView) -> dict[str, SourceRef]:
    """Every source cited on the page, once, in order of first mention (numbered from 1)."""
    found: dict[str, SourceRef] = {}
    cited = list(view.sources)
    for m in view.mappings:
        cited.extend(m.sources)
    for group in view.groups:
        for link in group.links:
            cited.extend(link.evidence.sources if link.evidence else ())
    for ev in (view.severity_evidence, view.not_applicable_evidence):
        cited.extend(ev.sources if ev else ())
    for s in cited:
        found.setdefault(s.iri, s)
    return found


def _cite(sources: tuple[SourceRef, ...] | list[SourceRef], refs: dict[str, SourceRef]) -> str:
    """Source references as numbers into the page's one list of sources: ``[1] [4]``."""
    numbers = {iri: n for n, iri in enumerate(refs, 1)}
    return " ".join(f"[{numbers[s.iri]}]" for s in sources if s.iri in numbers)


def _summary(view: EntityView, refs: dict[str, SourceRef]) -> None:
    """What it is, its coverage (risks), and how much hangs off it."""
    if view.description:
        st.markdown(common.md(view.description))
    if view.aliases:
        st.markdown("**Also called:** " + "; ".join(common.md(a) for a in view.aliases))
    if view.kind == "risk":
        _coverage(view)
    counts = [f"{g.label} {_kinds(g)}" for g in view.groups]
    if view.kind == "report":
        render_report(common.get_report(view.curie))
    if view.mappings:
        counts.append(plural(len(view.mappings), "mapping") + " to other taxonomies")
    if refs:
        counts.append(plural(len(refs), "source"))
    if counts:
        st.markdown("**At a glance:** " + common.md(" · ".join(counts)))
    _facts(view, refs)


def _coverage(view: EntityView) -> None:
    """The risk's coverage by the whole catalogue: status, score and the reason, at the top of its page."""

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


def _kinds(group: LinkGroup) -> str:
    """``6 test methods``, or ``5 (3 risk categories, 2 capabilities)`` when the kinds are mixed."""
    by_kind: dict[str, int] = {}
    for link in group.links:
        name = KIND_NAMES.get(link.other.kind, link.other.kind)
        by_kind[name] = by_kind.get(name, 0) + 1
    if len(by_kind) == 1:
        name, n = next(iter(by_kind.items()))
        return plural(n, name)
    return f"{len(group.links)} (" + ", ".join(plural(n, k) for k, n in sorted(by_kind.items())) + ")"


def _facts(view: EntityView, refs: dict[str, SourceRef]) -> None:
    lines = [f"**{common.md(name)}:** {common.md(value)}" for name, value in view.facts]
    for name, url in view.urls:
        safe = common.safe_url(url)
        lines.append(f"**{name}:** [{common.md(url)}]({safe})" if safe else f"**{name}:** {common.md(url)}")
    if view.severity is not None:
        text = f"**severity:** {view.severity} ({SEVERITY.get(view.severity, '')})"
        if view.severity_evidence:
            text += f" — {common.md(view.severity_evidence.note)} {_cite(view.severity_evidence.sources, refs)}"
        lines.append(text)
    if view.sources:
        lines.append(f"**sources:** {_cite(view.sources, refs)} (listed under Sources below)")
    url = common.entity_url(view.curie)
    lines.append(f"**link to this page:** [`{url}`]({url}) · IRI `{view.iri}`")
    if lines:
        with st.expander("Details", expanded=False):
            st.markdown("  \n".join(lines))
    if view.not_applicable:
        ev = view.not_applicable_evidence
        why = f" {common.md(ev.note)} {_cite(ev.sources, refs)}" if ev else ""
        st.warning("Model testing does not apply to this risk category (shown as *not applicable* in coverage)." + why)


def _mappings(view: EntityView, refs: dict[str, SourceRef]) -> None:
    df = pd.DataFrame(
        {
            "relation": [m.label for m in view.mappings],
            "concept": [m.other.label for m in view.mappings],
            "id": [common.entity_url(m.other.curie) for m in view.mappings],
            "taxonomy": [m.taxonomy for m in view.mappings],
            "confidence": [m.confidence for m in view.mappings],
            "justification": [justification_label(m.justification) for m in view.mappings],
            "rationale": [m.note for m in view.mappings],
            "sources": [_cite(m.sources, refs) for m in view.mappings],
        }
    )
    common.entity_table(
        df,
        [x.other.curie for x in view.mappings],
        f"mappings-{view.curie}",
        keys=("concept", "relation", "rationale", "justification"),
    )
    common.download_table(
        df.assign(
            id=[m.other.curie for m in view.mappings],
            sources=["; ".join(s.title for s in m.sources) for m in view.mappings],
        ),
        f"mappings-{view.curie}",
        "map-dl",
    )


def _group(view: EntityView, group: LinkGroup, refs: dict[str, SourceRef]) -> None:
    with st.expander(f"{group.label}: {_kinds(group)}"):
        df = pd.DataFrame(
            {
                "name": [link.other.label for link in group.links],
                "id": [common.entity_url(link.other.curie) for link in group.links],
                "rationale": [link.evidence.note if link.evidence else "" for link in group.links],
                "sources": [_cite(link.evidence.sources, refs) if link.evidence else "" for link in group.links],
            }
        )
        common.entity_table(
            df,
            [x.other.curie for x in group.links],
            f"group-{view.curie}-{group.relation}-{group.direction}",
            keys=("name", "rationale"),
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
        format_func=relation_name,
        key="net-relations",
    )
    depth = c2.slider("Depth (hops)", 1, 3, 1, key="net-depth")
    if not chosen:
        st.info("Pick at least one relation to draw the neighbourhood.")
        return
    net = common.get_network(view.iri, depth, tuple(chosen))
    st.caption(
        f"{plural(net.n_nodes, 'node')}, {plural(net.n_edges, 'link')}"
        + (" (cut at the nearest 3,000 nodes)" if net.truncated else "")
        + ". Drag to pan, scroll to zoom (far labels appear as you zoom in); hover a node to see its links; "
        "click a relation in the legend to fade the others; click a node to open its page (Ctrl-click: new tab)."
    )
    clicked = common.network_view(net, f"{view.curie}|{depth}|{','.join(sorted(chosen))}", 660)
    if clicked and clicked != view.curie:
        common.go_to_entity(clicked)
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
            common.go_to_entity(target)


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
