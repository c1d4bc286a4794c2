"""SPARQL: a read-only query editor with the catalogue as examples, a time limit and a row cap."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from graph.core.errors import AiriskError, QueryRefused, QueryTimeout
from graph.core.namespaces import ID, curie
from graph.queries.catalogue import CatalogueQuery
from graph.sandbox.formats import Answer, results_json
from graph.sandbox.runner import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_S, run_guarded, sandbox_status

kg = common.get_kg()
st.title("SPARQL")
st.caption(
    f"Read-only: SELECT, ASK, CONSTRUCT and DESCRIBE run; updates, LOAD, SERVICE and remote FROM are refused. "
    f"Each query may run {DEFAULT_TIMEOUT_S:g} s and return {DEFAULT_MAX_ROWS:,} rows; a longer query is stopped "
    "without slowing the app for anyone else. The prefixes below are declared for you."
)

catalogue: dict[str, CatalogueQuery] = kg.catalogue()


def example_text(q: CatalogueQuery) -> str:
    """The catalogue query with its default parameter values filled in."""
    try:
        return q.render(None, kg.prefixes)
    except AiriskError:
        return q.text


STARTER = "SELECT ?risk ?label WHERE {\n  ?risk a ar:RiskCategory ; rdfs:label ?label .\n}\nORDER BY ?risk\nLIMIT 20\n"
if "sparql-text" not in st.session_state:
    st.session_state["sparql-text"] = STARTER


def load_example() -> None:
    name = st.session_state.get("sparql-example")
    if name in catalogue:
        st.session_state["sparql-text"] = example_text(catalogue[name])
        st.session_state.pop("sparql-result", None)


left, right = st.columns([3, 2])
with right:
    st.selectbox(
        "Example queries (the catalogue)",
        list(catalogue),
        index=None,
        format_func=lambda n: catalogue[n].title,
        placeholder="Choose an example to load it",
        key="sparql-example",
        on_change=load_example,
    )
    chosen = st.session_state.get("sparql-example")
    if chosen in catalogue:
        q = catalogue[chosen]
        st.markdown(f"**{common.md(q.title)}**  \n{common.md(q.description)}")
        if q.competency:
            st.caption(f"Answers: {q.competency}")
        if q.params:
            st.caption(
                "Parameters (defaults filled in; edit them in the text): "
                + "; ".join(f"{p.name} = {p.default} ({p.description})" for p in q.params)
            )
    with st.expander(f"Prefixes ({len(kg.prefixes)})"):
        st.dataframe(
            common.visible(pd.DataFrame(sorted(kg.prefixes.items()), columns=["prefix", "namespace"])),
            hide_index=True,
            width="stretch",
        )
with left, st.form("sparql-form"):
    st.text_area("Query", key="sparql-text", height=320)
    run = st.form_submit_button("Run query", type="primary")

if run:
    text = st.session_state["sparql-text"]
    if not text.strip():
        st.warning("Write a query first, or load an example.")
    else:
        try:
            with st.spinner("Running the query…"):
                st.session_state["sparql-result"] = (text, run_guarded(kg, text))
        except QueryRefused as exc:
            st.session_state.pop("sparql-result", None)
            st.error(common.md(f"{exc}. This page only reads the graph."))
        except QueryTimeout as exc:
            st.session_state.pop("sparql-result", None)
            st.error(common.md(exc))
        except AiriskError as exc:
            st.session_state.pop("sparql-result", None)
            st.error(common.md(exc))
        for warning in sandbox_status(kg).warnings:  # the machine cannot keep the workers off the network
            st.warning(common.md(warning))

stored = st.session_state.get("sparql-result")
if stored:
    text, result = stored
    st.subheader("Results")
    if result.form == "ASK":
        st.success(f"ASK answered: **{'yes' if result.boolean else 'no'}** ({result.seconds:.2f} s)")
    else:
        n = len(result.rows)
        st.caption(
            f"{n:,} {'triples' if result.form in ('CONSTRUCT', 'DESCRIBE') else 'rows'} in {result.seconds:.2f} s"
            + (f", cut at {DEFAULT_MAX_ROWS:,} (add a LIMIT or narrow the query)" if result.truncated else "")
        )
        if n == 0:
            st.info("No results. Check the prefixes and the spelling of the classes and properties.")
        else:
            shown: dict[str, list[object]] = {}
            config = {}
            for var in result.vars:
                terms = [row.get(var) for row in result.rows]
                shown[var] = [
                    (curie(t.value, kg.prefixes) if t.kind == "uri" else t.value) if t is not None else None
                    for t in terms
                ]
                if any(t is not None and t.kind == "uri" and t.value.startswith(ID) for t in terms):
                    page = f"{var} ↗"
                    shown[page] = [
                        common.entity_url(curie(t.value, kg.prefixes))
                        if t is not None and t.kind == "uri" and t.value.startswith(ID)
                        else None
                        for t in terms
                    ]
                    config[page] = common.link_column(page)
            st.dataframe(common.visible(pd.DataFrame(shown)), hide_index=True, width="stretch", column_config=config)
            full = pd.DataFrame(result.records(), columns=result.vars)
            answer = Answer(result.form, result.vars, result.rows)
            c1, c2, _ = st.columns([1, 1, 6])
            c1.download_button("CSV", common.csv_bytes(full), "query-results.csv", "text/csv", key="sparql-csv")
            c2.download_button(
                "JSON",
                results_json(answer),
                "query-results.srj.json",
                "application/sparql-results+json",
                key="sparql-json",
            )
