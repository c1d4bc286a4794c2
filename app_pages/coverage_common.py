"""What the coverage pages (Overview, Coverage, Plan, Compare, Data & method) share.

The SPARQL step of the coverage analysis (:func:`graph.index.data.gather`) runs once per graph
and process, and so does the catalogue's report over each lens (:meth:`KnowledgeGraph.memo`);
other reports are computed from the cached evidence. Altair is imported by the charts alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from app_pages import common
from graph.core.errors import AiriskError
from graph.core.namespaces import curie
from graph.core.resources import data_dir
from graph.coverage import practice
from graph.coverage import rules as coverage_rules
from graph.coverage.lens import EVERY_CONCEPT, default_lens_id, lens_specs
from graph.coverage.matrix import CELL_DIRECT, CELL_INDIRECT, CELL_NONE, CELL_NOT_TESTABLE, family_labels
from graph.coverage.report import CoverageReport, compute_coverage
from graph.coverage.rules import STATUS_NOT_ASSESSED, STATUS_NOT_TESTABLE, STATUS_STRONG, STATUS_WEAK
from graph.index.data import CoverageData, gather
from graph.inventory.match import Choice, ImportReport, inventory_from_tests, load_inventory, read_inventory_bytes
from graph.inventory.model import Inventory
from graph.inventory.saved import list_saved_inventories, open_saved_inventory
from graph.store.kg import KnowledgeGraph

if TYPE_CHECKING:
    import altair as alt

#: Matrix cell states -> (legend text, colour). The cells have words of their own, not the risk
#: status words: "not by this kind of method" is a warm colour so that gaps stand out.
CELL_STATES: dict[str, tuple[str, str]] = {
    CELL_DIRECT: ("tested directly", "#1b6ca8"),
    CELL_INDIRECT: ("only indirectly (evidence capability or mapping)", "#9ecae1"),
    CELL_NONE: ("not by this kind of method", "#f4a582"),
    CELL_NOT_TESTABLE: ("not testable by model evaluation", "#d9d9d9"),
}
#: Compare matrix cells: A only and B only at the two ends of a diverging palette, "both" a
#: colour of its own (never a grey), "neither" white and "not testable" the grey used for it
#: on the Coverage page.
COMPARE_COLOURS: dict[str, str] = {
    "A only": "#e66101",
    "both": "#4d9221",
    "B only": "#5e3c99",
    "neither": "#ffffff",
    "not testable": "#d9d9d9",
}
STATUS_TEXT = {
    STATUS_NOT_ASSESSED: "not assessed",
    STATUS_WEAK: "weak",
    STATUS_STRONG: "strong",
    STATUS_NOT_TESTABLE: "not testable",
}


def status_label(status: str) -> str:
    """The short status word shown in tables."""
    return STATUS_TEXT.get(status, status)


def _data_of(kg: KnowledgeGraph) -> CoverageData:
    return kg.memo("coverage-data", lambda: gather(kg))


def _catalogue_report_of(kg: KnowledgeGraph, lens: str) -> CoverageReport:
    return kg.memo(f"catalogue-report {lens}", lambda: compute_coverage(_data_of(kg), None, lens=lens))


def get_data() -> CoverageData:
    """The coverage evidence of the graph (queried once per graph and process)."""
    return _data_of(common.get_kg())


def catalogue_report(lens: str = "default") -> CoverageReport:
    """Coverage of the whole catalogue over a lens (default: the default lens), computed once per graph."""
    return _catalogue_report_of(common.get_kg(), lens)


def warm(kg: KnowledgeGraph) -> None:
    """Compute what the coverage pages share for ``kg`` (the evidence, the catalogue's report over
    the default lens, the lenses), so that their first visit finds it ready."""
    data = _data_of(kg)
    _catalogue_report_of(kg, "default")
    lens_specs(data)
    practice.presets(data)


def report_for(inventory: Inventory | None, lens: str = "default") -> CoverageReport:
    """Coverage of an inventory (None: the whole catalogue) over a lens."""
    if inventory is None:
        return catalogue_report(lens)
    return compute_coverage(get_data(), inventory, lens=lens)


def lens_options() -> dict[str, str]:
    """Label -> lens id of every lens, the default first."""
    data = get_data()
    default = default_lens_id(data)
    specs = lens_specs(data)
    specs.sort(key=lambda s: s.id != default)
    out = {f"{s.label} ({s.id}{', default' if s.id == default else ''})": s.id for s in specs}
    out["Every concept of every taxonomy, not deduplicated (every)"] = EVERY_CONCEPT
    return out


def lens_choice(key: str) -> str:
    """A select box of lenses (the default lens first); returns the lens id."""
    options = lens_options()
    label = st.selectbox(
        "Lens",
        list(options),
        key=key,
        help="Which risks count: one taxonomy, or a union in which risks joined by exact or close matches "
        "count once (a cluster).",
    )
    return options[label]


def lens_caption(report: CoverageReport) -> str:
    """The lens and the taxonomy versions a report uses (plain text)."""
    lens = report.lens
    if lens is None:
        return ""
    versions = "; ".join(f"{title} {version}".strip() for _, title, version in lens.versions)
    counted = (
        f" {sum(len(c) for c in lens.clusters)} concepts counted as {len(lens.clusters)}." if lens.deduplicated else ""
    )
    return f"Lens {lens.id}: {lens.label}.{counted} Taxonomies: {versions}."


def column_labels(by: str) -> dict[str, str]:
    """Matrix column ids -> labels: method types or method families."""
    return family_labels() if by == "family" else type_labels()


def rubric_markdown() -> str:
    """The coverage rubric as Markdown (the text of :mod:`graph.coverage.rules`)."""
    doc = coverage_rules.__doc__ or ""
    start = doc.find("- Evidence")
    end = doc.find("Every part of the score")
    body = doc[start:end] if start >= 0 else doc
    body = body.replace("(:data:`INTERACTIVE_TYPES`)", "(listed below)")
    body = re.sub(r":\w+:`([^`]+)`", r"`\1`", body)  # Sphinx roles read as plain code
    types = ", ".join(f"`{t}`" for t in sorted(coverage_rules.INTERACTIVE_TYPES))
    return body.strip() + f"\n\nInteractive method types: {types}."


def matrix_chart(
    states: pd.DataFrame, labels: dict[str, str], type_labels: dict[str, str], title: str | None = None
) -> alt.Chart:
    """A heat map of a risk x method-type state matrix, with a legend of the four states.

    ``states`` is :meth:`CoverageReport.matrix` (index: risk CURIEs, columns: method-type ids);
    ``labels`` maps risk CURIEs to labels and ``type_labels`` method-type ids to labels. (No title
    on screen: Streamlit 1.67 collapses a chart that has both a title and a fixed height.)
    """
    import altair as alt  # only the pages that draw a matrix pay for Altair

    long = states.reset_index(names="risk").melt(id_vars="risk", var_name="method_type", value_name="state")
    long["risk_label"] = long["risk"].map(lambda c: f"{c} {labels.get(c, '')}"[:60])
    long["method"] = long["method_type"].map(lambda t: type_labels.get(t, t))
    long["state_text"] = long["state"].map(lambda s: CELL_STATES.get(s, (s, ""))[0])
    domain = [CELL_STATES[s][0] for s in CELL_STATES]
    colours = [CELL_STATES[s][1] for s in CELL_STATES]
    risk_order = [f"{c} {labels.get(c, '')}"[:60] for c in states.index]
    method_order = [type_labels.get(t, t) for t in states.columns]
    pick = alt.selection_point(fields=["risk", "method_type"], name="cell", on="click")
    return (
        alt.Chart(long, title=title or alt.Undefined)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "method:N",
                sort=method_order,
                title=None,
                # horizontal labels wrapped at spaces: every column label stays legible at 1280 px
                axis=alt.Axis(labelAngle=0, labelLimit=0, labelExpr="split(datum.label, ' ')", labelOverlap=False),
            ),
            y=alt.Y("risk_label:N", sort=risk_order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "state_text:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(title="state", orient="top", columns=2, labelLimit=320),
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.85)),
            tooltip=[
                alt.Tooltip("risk:N", title="risk"),
                alt.Tooltip("risk_label:N", title="name"),
                alt.Tooltip("method:N", title="kind of method"),
                alt.Tooltip("state_text:N", title="state"),
            ],
        )
        .add_params(pick)
        .properties(height=alt.Step(24))
    )


def type_labels() -> dict[str, str]:
    """Method-type ids -> labels, in vocabulary order."""
    return dict(get_data().method_types)


# ------------------------------------------------------------------------------ inventories
CATALOGUE = "Whole catalogue (every test method in the graph)"


def example_files() -> list[Path]:
    """Example inventories shipped with the data: ``<data folder>/inventories/*.csv|xlsx``."""
    folder = Path(common.settings()[0] or data_dir()) / "inventories"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".tsv", ".xlsx"))


@st.cache_resource(show_spinner="Reading the example inventory…", max_entries=16)
def _example(
    key: str, path: str, choices: tuple[tuple[int, Choice], ...], _data: CoverageData
) -> tuple[Inventory, ImportReport]:
    return load_inventory(path, _data, strict=False, choices=dict(choices))


def example_inventory(path: Path, choices: dict[int, Choice] | None = None) -> tuple[Inventory, ImportReport]:
    """An example inventory and its import report (read once per process and set of choices)."""
    return _example(common.get_kg().key, str(path), tuple(sorted((choices or {}).items())), get_data())


def inventory_choices(with_catalogue: bool) -> dict[str, tuple[str, str]]:
    """Label -> (kind, reference) of every inventory the reader can pick without uploading."""
    out: dict[str, tuple[str, str]] = {}
    if with_catalogue:
        out[CATALOGUE] = ("catalogue", "")
    for p in example_files():
        out[f"Example: {p.stem}"] = ("example", str(p))
    try:
        saved = list_saved_inventories()
    except AiriskError:
        saved = []
    for name in saved:
        out[f"Saved: {name}"] = ("saved", name)
    for label, spec in practice.presets(get_data()).items():
        out[f"Practice: {label}"] = ("practice", spec)
    return out


def open_choice(kind: str, ref: str) -> tuple[Inventory | None, ImportReport | None]:
    """The inventory of a choice made with :func:`inventory_choices`."""
    if kind == "catalogue":
        return None, None
    if kind == "example":
        return example_inventory(Path(ref))
    if kind == "practice":
        return practice_inventory(ref), None
    return open_saved_inventory(ref, get_data()), None


def practice_inventory(spec: str) -> Inventory:
    """Published practice (the methods reports ran) filtered by ``spec``, as an inventory."""
    data = get_data()
    return practice.practice(data, practice.parse_filter(spec)).to_inventory(data)


def pick_inventory(label: str, key: str, with_catalogue: bool = True, index: int = 0) -> Inventory | None:
    """A select box of inventories; returns the chosen one (None: the whole catalogue)."""
    choices = inventory_choices(with_catalogue)
    if not choices:
        st.info("No inventory yet: upload one on the Plan page (CSV or XLSX with a test_method column).")
        st.stop()
    name = st.selectbox(label, list(choices), index=min(index, len(choices) - 1), key=key)
    try:
        inv, _report = open_choice(*choices[name])
    except AiriskError as exc:
        common.show_error(exc, f"Could not open {name}")
        st.stop()
    return inv


def evidence_table(
    report: CoverageReport, risk_ids: list[str], method_type: str | None, by: str = "type"
) -> pd.DataFrame:
    """The evidence behind the given risks (optionally one method type or family), one row per item."""
    from graph.coverage.matrix import family_of

    rows = []
    by_id = report.by_id
    labels = type_labels()
    for rid in risk_ids:
        r = by_id.get(rid)
        if r is None:
            continue
        for e in r.evidence:
            kind = family_of(e.method_type or "") if by == "family" else e.method_type
            if method_type and kind != method_type:
                continue
            how = {"direct": "assesses it directly", "capability": f"via capability {e.via_label or e.via}"}.get(
                e.path, f"via mapping {e.mapping or e.via}"
            )
            rows.append(
                {
                    "risk": e.member or r.id,
                    "test method": e.test_label,
                    "open": common.entity_url(f"test:{e.test_id}") if not e.custom else None,
                    "method type": labels.get(e.method_type or "", e.method_type or ""),
                    "evidence": f"{e.level}: {how}",
                    "custom test": e.custom,
                    "sources": "; ".join(curie(s, common.get_kg().prefixes) for s in e.sources),
                    "note": e.note,
                }
            )
    return pd.DataFrame(
        rows, columns=["risk", "test method", "open", "method type", "evidence", "custom test", "sources", "note"]
    )


def subtree(report: CoverageReport, risk_id: str) -> list[str]:
    """``risk_id`` and every risk under it in the report (for a rolled-up matrix row)."""
    rows = {key: r for r in report.risks for key in (r.id, *r.members)}  # a cluster's row under each member
    out, todo = [], [risk_id]
    while todo:
        rid = todo.pop()
        row = rows.get(rid)
        if row is not None and row.id not in out:
            out.append(row.id)
            for member in (row.id, *row.members):
                todo.extend(c for c in _narrower(report, member, row))
    return out


def _narrower(report: CoverageReport, curie: str, row: Any) -> tuple[str, ...]:
    """The narrower risks of ``curie`` (a row's own, or a cluster member's from the model)."""
    if curie == row.id:
        return tuple(row.narrower)
    model = report._model
    if model is None:
        return ()
    i = model.curies.index(curie)
    return tuple(model.curies[c] for c in model.children[i])


def chart_image(
    states: pd.DataFrame, labels: dict[str, str], type_labels: dict[str, str], fmt: str, width: int | None = None
) -> bytes:
    """The matrix as a PNG or SVG image (rendered offline by vl-convert), legend included."""
    import vl_convert as vlc

    chart = matrix_chart(states, labels, type_labels, "Coverage: risk × kind of method").properties(
        width=width or max(480, 110 * len(states.columns))
    )
    spec = chart.to_json()
    if fmt == "png":
        return bytes(vlc.vegalite_to_png(spec, scale=2))
    return str(vlc.vegalite_to_svg(spec)).encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=32)
def _read_upload(
    key: str, data: bytes, filename: str, choices: tuple[tuple[int, Choice], ...]
) -> tuple[Inventory, ImportReport]:
    return read_inventory_bytes(data, filename, get_data(), strict=False, choices=dict(choices))


def read_upload(uploaded: Any, choices: dict[int, Choice] | None = None) -> tuple[Inventory, ImportReport] | None:
    """Import an uploaded inventory file with the choices made for its rows (errors shown on the
    page; None when it cannot be read)."""
    try:
        with st.spinner(f"Importing {uploaded.name}…"):
            return _read_upload(
                common.get_kg().key, uploaded.getvalue(), uploaded.name, tuple(sorted((choices or {}).items()))
            )
    except AiriskError as exc:
        common.show_error(exc, f"{uploaded.name} could not be read")
        st.caption(
            "An inventory is a CSV, TSV or XLSX table with a `test_method` column (a catalogue id, name or alias), "
            "and optionally `status` (planned, running, done), `date`, `notes`, and for your own tests `risks`, "
            "`capabilities` and `method_type`."
        )
        return None


def import_report_table(report: ImportReport) -> pd.DataFrame:
    """The rows an import could not use or had doubts about, with the closest candidates."""
    return pd.DataFrame(
        {
            "severity": [i.severity for i in report.issues],
            "row": [i.row for i in report.issues],
            "column": [i.column or "" for i in report.issues],
            "value": [i.value or "" for i in report.issues],
            "problem": [i.message for i in report.issues],
            "closest candidates": [", ".join(i.candidates) for i in report.issues],
        }
    )


def catalogue_inventory() -> Inventory:
    """Every test method of the catalogue as one inventory (for comparisons)."""
    data = get_data()
    return inventory_from_tests(data, sorted(t.id for t in data.tests.values()), name="whole catalogue")
