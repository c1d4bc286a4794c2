"""Plan: import an inventory, see its coverage, the planner's next K test methods, and a what-if."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages import coverage_common as cc
from graph.core.errors import AiriskError
from graph.core.labels import plural
from graph.coverage.plan import plan, what_if
from graph.inventory.export import inventory_to_csv, inventory_to_xlsx_bytes
from graph.inventory.match import Choice, ImportReport, load_inventory
from graph.inventory.model import InHouse, Inventory, InventoryEntry, slug
from graph.inventory.saved import inventories_dir, list_saved_inventories, save_inventory

common.get_kg()
st.title("Plan")
st.caption(
    "Start from what you run today (an inventory), see what it covers, and let the planner pick the catalogue "
    "test methods that would close the most severe gaps."
)

CHOICES = "plan-choices"


def choices_for(ref: str) -> dict[int, Choice]:
    """What the reader chose for the rows of the inventory ``ref`` (kept for this session)."""
    store: dict[str, dict[int, Choice]] = st.session_state.setdefault(CHOICES, {})
    return store.setdefault(ref, {})


def _test_label(test_id: str) -> str:
    data = cc.get_data()
    iri = data.test_by_id().get(test_id)
    return f"{data.tests[iri].label} ({test_id})" if iri else test_id


def in_house_form(ref: str, row: int, name: str, current: InventoryEntry | None = None) -> None:
    """Pick the risks and capabilities an in-house test targets, from the taxonomies."""
    data = cc.get_data()
    risks = sorted((r.curie, r.label) for r in data.risks.values())
    risk_label = dict(risks)
    caps = sorted(data.capabilities.values())
    cap_label = dict(caps)
    types = cc.type_labels()
    key = f"inhouse-{ref}-{row}"
    picked_risks = st.multiselect(
        f"Risks that {name} assesses",
        [c for c, _ in risks],
        default=[r for r in (current.risks if current else ()) if r in risk_label],
        format_func=lambda c: f"{c} {risk_label.get(c, '')}",
        key=f"{key}-risks",
        placeholder="Search by code or name, e.g. mit:4.2 or cyber",
    )
    picked_caps = st.multiselect(
        f"Capabilities that {name} measures",
        [c for c, _ in caps],
        default=[c for c in (current.capabilities if current else ()) if c in cap_label],
        format_func=lambda c: cap_label.get(c, c),
        key=f"{key}-caps",
    )
    method = st.selectbox(
        "Method type (optional)",
        list(types),
        index=list(types).index(current.method_type) if current and current.method_type in types else None,
        format_func=lambda t: types.get(t, t),
        key=f"{key}-type",
        placeholder="Not stated",
    )
    if st.button("Map to these", key=f"{key}-go", disabled=not (picked_risks or picked_caps)):
        choices_for(ref)[row] = InHouse(tuple(picked_risks), tuple(picked_caps), method)
        st.rerun()


def fix_rows(inventory: Inventory, report: ImportReport, ref: str) -> None:
    """For each row the import could not use: "use this" for its closest catalogue test methods,
    or map it as an in-house test; and edit the targets of the in-house tests already read."""
    unmatched = [i for i in report.errors if i.row and i.value and i.column]
    custom = [e for e in inventory.entries if e.custom]
    if not unmatched and not custom:
        return
    st.subheader("Fix rows and map your own tests")
    st.caption(
        "Your choices apply to this inventory at once and are written into it when you save it "
        "(the chosen catalogue id, or the risks and capabilities of your own test)."
    )
    for issue in unmatched:
        with st.container(border=True):
            st.markdown(f"**Row {issue.row}:** {common.md(issue.value)}")
            st.caption(common.md(issue.message))
            if issue.candidate_ids:
                c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
                pick = c1.selectbox(
                    "Closest catalogue test methods",
                    list(issue.candidate_ids),
                    format_func=_test_label,
                    key=f"pick-{ref}-{issue.row}",
                )
                if c2.button("Use this", key=f"use-{ref}-{issue.row}", type="primary"):
                    choices_for(ref)[issue.row or 0] = pick
                    st.rerun()
            with st.expander("Or map it as an in-house test: pick the risks and capabilities it targets"):
                in_house_form(ref, issue.row or 0, f"'{issue.value}'")
    for entry in custom:
        with st.expander(f"In-house test {entry.name}: {plural(len(entry.risks), 'risk')}, "
                         f"{plural(len(entry.capabilities), 'capability')}"):  # fmt: skip
            in_house_form(ref, entry.row, f"'{entry.name}'", entry)


# ---------------------------------------------------------------- the inventory
SOURCES = ["Example inventory", "Upload a file", "Saved inventory"]
source = st.radio("Inventory", SOURCES, index=0 if cc.example_files() else 1, horizontal=True, key="plan-source")
inventory = None
report = None
if source == "Upload a file":
    uploaded = st.file_uploader(
        "Inventory file (CSV, TSV or XLSX)", type=["csv", "tsv", "txt", "xlsx"], key="plan-upload"
    )
    if uploaded is None:
        st.info(
            "Upload a table with a `test_method` column (catalogue id, name or alias); optional columns: "
            "`status` (planned, running, done), `date`, `notes`; for your own tests also `risks` "
            "(CURIEs such as mit:4.2), `capabilities` and `method_type`."
        )
        st.stop()
    ref = f"upload:{uploaded.name}:{uploaded.size}"
    read = cc.read_upload(uploaded, choices_for(ref))
    if read is None:
        st.stop()
    inventory, report = read
elif source == "Example inventory":
    examples = cc.example_files()
    if not examples:
        st.info("No example inventory ships with this data. Upload your own file instead.")
        st.stop()
    path = st.selectbox("Example", examples, format_func=lambda p: p.name, key="plan-example")
    ref = f"example:{path}"
    inventory, report = cc.example_inventory(path, choices_for(ref))
else:
    names = list_saved_inventories()
    if not names:
        st.info("No saved inventory yet: upload one and save it to the workspace.")
        st.stop()
    name = st.selectbox("Saved inventory", names, key="plan-saved")
    ref = f"saved:{name}"
    inventory, report = load_inventory(
        inventories_dir() / f"{slug(name)}.csv", cc.get_data(), name=name, strict=False, choices=choices_for(ref)
    )

if report is not None:
    st.subheader("Import report")
    st.markdown(common.md(report.lines()[0]))
    if report.errors:
        st.warning(
            f"{plural(len(report.errors), 'row')} could not be used; they are left out below. "
            "Pick the closest catalogue test method (use this) or map the row as an in-house test below."
        )
    else:
        st.success("Every row matched a catalogue test method or was read as a custom test.")
    if report.issues:
        issues = cc.import_report_table(report)
        common.show_table(issues, "import-report", keys=("row", "value", "problem", "closest candidates"))
        common.download_table(issues, "import-report", "imp-dl")
    fix_rows(inventory, report, ref)
    with st.expander("Save this inventory to the workspace"):
        save_name = st.text_input("Name", value=inventory.name, key="plan-save-name")
        if st.button("Save", key="plan-save"):
            try:
                path = save_inventory(dataclasses.replace(inventory, name=save_name.strip() or inventory.name))
                st.success(f"Saved as {common.md(path.stem)}; pick it on the Coverage and Compare pages.")
            except AiriskError as exc:
                common.show_error(exc, "Could not save")

if not inventory.entries:
    st.warning("The inventory has no usable rows, so it covers nothing yet. Check the import report above.")
entries = pd.DataFrame(
    {
        "test method": [e.name or e.test_method for e in inventory.entries],
        "id": [
            common.entity_url(f"test:{e.test_id}") if e.test_id and not e.custom else None for e in inventory.entries
        ],
        "status": [e.status or "" for e in inventory.entries],
        "date": [e.date or "" for e in inventory.entries],
        "custom": [e.custom for e in inventory.entries],
        "notes": [e.notes or "" for e in inventory.entries],
    }
)
with st.expander(f"Entries ({len(inventory.entries)})", expanded=len(inventory.entries) <= 10):
    common.show_table(entries, "plan-entries", keys=("test method", "status"))
    e1, e2, _ = st.columns([1, 1, 6])
    e1.download_button("CSV", inventory_to_csv(inventory), f"{inventory.name}.csv", "text/csv", key="inv-csv")
    e2.download_button(
        "XLSX",
        lambda: inventory_to_xlsx_bytes(inventory),
        f"{inventory.name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="inv-xlsx",
    )

# ---------------------------------------------------------------- its coverage
st.header("Coverage of this inventory")
lens = cc.lens_choice("plan-lens")
cov = cc.report_for(inventory, lens)
st.caption(cc.lens_caption(cov))
summary = cov.summary()
m = st.columns(4)
m[0].metric("Risks assessed", f"{summary.share_assessed:.0%}")
m[1].metric("Severity-weighted coverage", f"{summary.weighted_coverage:.0%}")
m[2].metric("Not assessed", f"{summary.n_not_assessed:,}")
m[3].metric("Total gap", f"{summary.total_gap:.1f}", help="Sum of the gap scores: what the planner reduces")
top = cov.top_gaps(10)
if top:
    st.caption("The ten worst gaps of this inventory")
    common.show_table(
        pd.DataFrame(
            {
                "risk": [r.label for r in top],
                "id": [common.entity_url(r.id) for r in top],
                "severity": [r.severity for r in top],
                "status": [cc.status_label(r.status) for r in top],
                "gap score": [round(r.gap_score, 2) for r in top],
            }
        ),
        "plan-top-gaps",
        keys=("risk", "gap score", "status"),
    )

# ---------------------------------------------------------------- the planner
st.header("Recommendation")
budget = st.number_input("Budget K: how many test methods to add", 1, 20, 3, key="plan-k")
with st.spinner("Planning…"):
    try:
        best = plan(cc.get_data(), inventory, budget=int(budget), lens=lens)
    except AiriskError as exc:
        common.show_error(exc, "The planner failed")
        st.stop()
if not best.steps:
    st.success("Nothing in the catalogue would reduce the gap further.")
else:
    st.markdown(
        f"Adding these **{plural(len(best.steps), 'test method')}** lowers the total gap from "
        f"**{best.gap_before:.1f}** to **{best.gap_after:.1f}** "
        f"({common.md(best.algorithm)}; {common.md(best.guarantee)})."
    )
    steps = pd.DataFrame(
        {
            "step": range(1, len(best.steps) + 1),
            "test method": [s.label for s in best.steps],
            "id": [common.entity_url(f"test:{s.test_id}") for s in best.steps],
            "method type": [cc.type_labels().get(s.method_type or "", s.method_type or "") for s in best.steps],
            "gain": [round(s.gain, 2) for s in best.steps],
            "cumulative gain": [round(s.cumulative_gain, 2) for s in best.steps],
            "newly assessed": ["; ".join(s.newly_assessed) for s in best.steps],
            "what it does to the gaps": [s.effect for s in best.steps],
        }
    )
    common.show_table(steps, "plan-steps", keys=("step", "test method", "gain", "newly assessed"))
    common.download_table(steps.assign(id=[s.test_id for s in best.steps]), "plan", "plan-dl", xlsx=True)
if best.unclosable:
    st.subheader(f"Severe gaps no catalogue method can close ({len(best.unclosable)})")
    st.caption("Severity 4 or 5, and below strong even if every test method of the catalogue were run.")
    st.dataframe(
        common.visible(
            pd.DataFrame(
                {
                    "risk": [g.label for g in best.unclosable],
                    "id": [common.entity_url(g.id) for g in best.unclosable],
                    "severity": [g.severity for g in best.unclosable],
                    "with the whole catalogue": [cc.status_label(g.status_with_catalogue) for g in best.unclosable],
                    "why": [g.reason for g in best.unclosable],
                }
            )
        ),
        hide_index=True,
        width="stretch",
        column_config={"id": common.link_column("Id")},
    )

# ---------------------------------------------------------------- what-if
st.header("What if we add…")
data = cc.get_data()
have = set(inventory.test_ids)
candidates = sorted((t for t in data.tests.values() if t.id not in have), key=lambda t: t.label.lower())
add = st.multiselect(
    "Test methods to add",
    [t.id for t in candidates],
    format_func=lambda i: next((f"{t.label} ({t.id})" for t in candidates if t.id == i), i),
    default=[s.test_id for s in best.steps[:1]] if best.steps else [],
    key="plan-whatif",
)
if add:
    with st.spinner("Computing the what-if…"):
        w = what_if(data, inventory, add, lens=lens)
    st.metric("Gap closed", f"{w.gain:.2f}", help="Reduction of the total gap score")
    if not w.changes:
        st.info("These test methods would not change the coverage of any risk in scope.")
    else:
        changes = pd.DataFrame(
            {
                "risk": [c.label for c in w.changes],
                "id": [common.entity_url(c.id) for c in w.changes],
                "status before": [cc.status_label(c.status_before) for c in w.changes],
                "status after": [cc.status_label(c.status_after) for c in w.changes],
                "gap reduced": [c.gap_before - c.gap_after for c in w.changes],
                "score before": [c.strength_before for c in w.changes],
                "score after": [c.strength_after for c in w.changes],
            }
        )
        common.show_table(changes, "what-if", keys=("risk", "status before", "status after", "gap reduced"))
        common.download_table(changes.assign(id=[c.id for c in w.changes]), "what-if", "wi-dl")
