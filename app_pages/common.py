"""What every page shares: the cached graph, entity links, safe text, downloads.

The graph is opened once per process (``st.cache_resource``) with
:func:`graph.importers.session.open_graph`, so imports in the workspace and a remote store
(``AIRISK_STORE``) appear in the app. Environment variables:

``AIRISK_DATA``       curated data folder (default: the one shipped with the package)
``AIRISK_STORE``      URL of a SPARQL 1.1 endpoint to use instead of the embedded store
``AIRISK_WORKSPACE``  the import workspace (default ``~/.local/share/airisk``)
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from graph.core.errors import AiriskError, DataError
from graph.explore import search as explore
from graph.explore.network import NetworkView, neighbourhood_view
from graph.explore.report import ReportView, report_view
from graph.importers.session import open_graph
from graph.safeio.text import safe_cell, show_controls, write_csv
from graph.store.kg import KnowledgeGraph
from graph.store.projection import build_networkx

EXPLORE_PAGE = "app_pages/explore.py"
EXPLORE_URL = "explore"

_built: set[tuple[str, str, str]] = set()
_pending: dict[tuple[str, str, str], KnowledgeGraph] = {}
_build_lock = threading.Lock()


def settings() -> tuple[str, str, str]:
    """The data folder, store URL and workspace this process serves (from the environment)."""
    return (
        os.environ.get("AIRISK_DATA", ""),
        os.environ.get("AIRISK_STORE", ""),
        os.environ.get("AIRISK_WORKSPACE", ""),
    )


def _build(key: tuple[str, str, str], progress: Any = None) -> KnowledgeGraph:
    data, store, workspace = key
    return open_graph(
        store_url=store or None,
        data=Path(data) if data else None,
        workspace=Path(workspace) if workspace else None,
        progress=progress,
    )


@st.cache_resource(show_spinner="Building the knowledge graph…", max_entries=4)
def _open(data: str, store: str, workspace: str) -> KnowledgeGraph:
    key = (data, store, workspace)
    built = _pending.pop(key, None)
    return built if built is not None else _build(key)


def get_kg() -> KnowledgeGraph:
    """The knowledge graph: built once per process (first visit, with progress shown), then shared."""
    key = settings()
    if key in _built:
        return _open(*key)
    if not _build_lock.acquire(blocking=False):
        with st.spinner("The knowledge graph is being built for another visitor…"):
            _build_lock.acquire()
    try:
        if key not in _built:
            start = time.perf_counter()
            with st.status("Building the knowledge graph (first visit only)…", expanded=True) as status:
                try:
                    _pending[key] = _build(key, lambda msg: status.write(md(msg[:1].upper() + msg[1:])))
                except DataError as exc:
                    status.update(label="The data has errors", state="error")
                    show_error(exc, "The knowledge graph could not be built")
                    st.caption("Run `airisk validate` to list every problem with its file, line and field.")
                    st.stop()
                except AiriskError as exc:
                    status.update(label="The graph could not be opened", state="error")
                    show_error(exc)
                    st.stop()
                elapsed = time.perf_counter() - start
                status.update(label=f"Knowledge graph ready ({elapsed:.1f} s)", state="complete", expanded=False)
            _open(*key)
            _built.add(key)
    finally:
        _build_lock.release()
    return _open(*key)


@st.cache_resource(show_spinner="Preparing the network projection…", max_entries=4)
def _networkx(key: tuple[str, str, str], _kg: KnowledgeGraph) -> Any:
    return build_networkx(_kg)


def get_nx() -> Any:
    """The networkx projection of the graph (built once per process)."""
    return _networkx(settings(), get_kg())


@st.cache_data(show_spinner=False, max_entries=500)
def _entity(key: tuple[str, str, str], curie: str, _kg: KnowledgeGraph) -> explore.EntityView:
    return explore.entity(_kg, curie)


@st.cache_data(show_spinner=False, max_entries=200)
def _report(key: tuple[str, str, str], curie: str, _kg: KnowledgeGraph) -> ReportView:
    return report_view(_kg, curie)


def get_report(curie: str) -> ReportView:
    """The report part of a report's entity page (cached per report)."""
    return _report(settings(), curie, get_kg())


def get_entity(curie: str) -> explore.EntityView:
    """The entity page data (cached per entity)."""
    return _entity(settings(), curie, get_kg())


@st.cache_data(show_spinner="Laying out the network…", max_entries=64)
def _network(key: tuple[str, str, str], iri: str, depth: int, relations: tuple[str, ...], _g: Any) -> NetworkView:
    return neighbourhood_view(_g, iri, depth, set(relations), link_template=EXPLORE_URL + "?id={id}")


def get_network(iri: str, depth: int, relations: tuple[str, ...]) -> NetworkView:
    """The rendered neighbourhood of ``iri`` (cached per view)."""
    return _network(settings(), iri, depth, tuple(sorted(relations)), get_nx())


# ------------------------------------------------------------------------------ text and links
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(text: object) -> str:
    """Text from the data or a user, escaped so that Markdown shows it as those characters (never
    markup), with bidirectional and other invisible control characters made visible."""
    flat = " ".join(show_controls(str(text)).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def entity_url(curie: str) -> str:
    """The relative URL of an entity page (opens directly, also in a new tab)."""
    return f"{EXPLORE_URL}?id={quote(curie, safe=':')}"


def open_entity(curie: str) -> None:
    """Go to the entity page of ``curie`` in this session."""
    st.switch_page(EXPLORE_PAGE, query_params={"id": curie})


def safe_url(url: str) -> str | None:
    """``url`` if it is a plain http(s) URL that can go into a Markdown link, else None."""
    if not re.match(r"^https?://[^\s<>\"'`]+$", url or ""):
        return None
    return url.replace("(", "%28").replace(")", "%29")


def source_links(sources: Any) -> str:
    """Markdown for a list of sources: each title as a link to its web page."""
    parts = []
    for s in sources:
        label = md(s.title or s.curie)
        url = safe_url(s.url)
        extra = ", ".join(md(x) for x in (s.publisher, s.date) if x)
        item = f"[{label}]({url})" if url else label
        parts.append(item + (f" ({extra})" if extra else ""))
    return "; ".join(parts)


def link_column(label: str = "Open") -> Any:
    """A dataframe column of entity URLs that shows the CURIE and opens the page in a new tab."""
    return st.column_config.LinkColumn(label, display_text=r"id=(.*)$", help="Open the entity page in a new tab")


def selected_row(event: Any) -> int | None:
    """The index of the row picked in a ``st.dataframe(on_select="rerun")`` event, if any."""
    try:
        rows = event.selection.rows
    except AttributeError:
        return None
    return rows[0] if rows else None


def entity_table(df: pd.DataFrame, curies: list[str], key: str, height: int | None = None) -> None:
    """A table whose ``id`` column links to entity pages; picking a row opens that entity here."""
    options: dict[str, Any] = {"height": height} if height else {}
    event = st.dataframe(
        visible(df),
        hide_index=True,
        width="stretch",
        column_config={"id": link_column("Id")},
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        **options,
    )
    picked = selected_row(event)
    if picked is not None:
        open_entity(curies[picked])


def visible(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table to show, with bidirectional and invisible control characters in its text
    cells made visible (``<U+202E>``), so that no value can hide or reorder what is shown."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("string", "str")):
            out[col] = out[col].map(lambda v: show_controls(v) if isinstance(v, str) else v)
    return out


# ------------------------------------------------------------------------------ downloads
def _safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("string", "str")):
            out[col] = out[col].map(lambda v: safe_cell(v) if isinstance(v, str) else v)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, index: bool = False) -> bytes:
    """CSV of a table through the library's one CSV writer (formula-safe cells, line breaks quoted)."""
    frame = df.reset_index() if index else df
    values = frame.astype(object).where(frame.notna(), None)
    return write_csv([list(frame.columns), *values.itertuples(index=False, name=None)]).encode("utf-8")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "table", index: bool = False) -> bytes:
    """XLSX of a table, with every cell written as a value (no formula cells)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        _safe_frame(df).to_excel(xl, sheet_name=sheet[:31], index=index)
    return buf.getvalue()


def download_table(df: pd.DataFrame, name: str, key: str, xlsx: bool = False, index: bool = False) -> None:
    """CSV (and optionally XLSX) download buttons for a table shown on the page."""
    cols = st.columns([1, 1, 6] if xlsx else [1, 7])
    cols[0].download_button(
        "CSV", csv_bytes(df, index), f"{name}.csv", "text/csv", key=f"{key}-csv", help=f"Download {name}.csv"
    )
    if xlsx:
        cols[1].download_button(
            "XLSX",
            xlsx_bytes(df, name, index),
            f"{name}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}-xlsx",
            help=f"Download {name}.xlsx",
        )


def show_error(exc: Exception, what: str = "") -> None:
    """One clear error box for a library error (and the first problems of a DataError)."""
    st.error(md(f"{what}: {exc}" if what else str(exc)))
    if isinstance(exc, DataError) and len(exc.problems) > 1:
        with st.expander(f"All {len(exc.problems)} problems"):
            st.dataframe(
                visible(pd.DataFrame({"problem": [str(p) for p in exc.problems]})), hide_index=True, width="stretch"
            )
