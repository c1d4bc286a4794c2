"""What every page shares: the cached graph, entity links, safe text, downloads.

The graph is opened once per process (``st.cache_resource``) with
:func:`graph.importers.session.open_graph`, so imports in the workspace and a remote store
(``AIRISK_STORE``) appear in the app. It is kept under its key (:func:`graph_key`: the store
cache key of the data, ontology, imports and code), so an edit to any of them opens the new graph
on the next run; what the pages derive from it is kept under the same key, computed once per
process (:meth:`KnowledgeGraph.memo`), and prepared in the background after the first page has
been drawn (:func:`warm_later`). Environment variables:

``AIRISK_DATA``       curated data folder (default: the one shipped with the package)
``AIRISK_STORE``      URL of a SPARQL 1.1 endpoint to use instead of the embedded store
``AIRISK_WORKSPACE``  the import workspace (default ``~/.local/share/airisk``)
"""

from __future__ import annotations

import functools
import io
import os
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from graph.core.errors import AiriskError, DataError
from graph.core.labels import people_frame
from graph.explore import search as explore
from graph.explore.report import ReportView, report_view
from graph.importers import session
from graph.safeio.text import safe_cell, show_controls, write_csv
from graph.store.kg import KnowledgeGraph
from graph.store.projection import build_networkx

if TYPE_CHECKING:
    from graph.explore.network import NetworkView

EXPLORE_PAGE = "app_pages/explore.py"
EXPLORE_URL = "explore"

_built: set[tuple[str, str, str, str]] = set()
_pending: dict[tuple[str, str, str, str], KnowledgeGraph] = {}
_build_lock = threading.Lock()
_warmed: set[str] = set()
_warm_lock = threading.Lock()
_run = threading.local()  # the graph key of the script run in this thread (see begin_run)


def settings() -> tuple[str, str, str]:
    """The data folder, store URL and workspace this process serves (from the environment)."""
    return (
        os.environ.get("AIRISK_DATA", ""),
        os.environ.get("AIRISK_STORE", ""),
        os.environ.get("AIRISK_WORKSPACE", ""),
    )


def graph_key() -> str:
    """The key of the graph the settings name now: the store cache key of the data, ontology,
    imports and code (a few milliseconds of hashing), so that an edit to any of them is seen."""
    data, store, workspace = settings()
    return session.graph_key(store or None, Path(data) if data else None, Path(workspace) if workspace else None)


def begin_run() -> None:
    """At the start of a script run (the router): work out the graph key once for this run."""
    _run.key = graph_key()


def end_run() -> None:
    """At the end of a script run: forget its graph key."""
    _run.key = None


def _current_key() -> tuple[str, str, str, str]:
    return (*settings(), getattr(_run, "key", None) or graph_key())


def _build(key: tuple[str, str, str, str], progress: Any = None) -> KnowledgeGraph:
    data, store, workspace, _graph = key
    return session.open_graph(
        store_url=store or None,
        data=Path(data) if data else None,
        workspace=Path(workspace) if workspace else None,
        progress=progress,
    )


@st.cache_resource(show_spinner="Building the knowledge graph…", max_entries=4)
def _open(data: str, store: str, workspace: str, graph: str) -> KnowledgeGraph:
    key = (data, store, workspace, graph)
    built = _pending.pop(key, None)
    return built if built is not None else _build(key)


def get_kg() -> KnowledgeGraph:
    """The knowledge graph: built once per process and key (first visit, with progress shown), then shared."""
    key = _current_key()
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


def opened() -> KnowledgeGraph | None:
    """The graph of the current settings if this process has opened it already, else None."""
    key = _current_key()
    return _open(*key) if key in _built else None


def get_nx() -> Any:
    """The networkx projection of the graph (built once per graph and process)."""
    kg = get_kg()
    return kg.memo("networkx", lambda: build_networkx(kg))


@st.cache_data(show_spinner=False, max_entries=500)
def _entity(key: str, curie: str, _kg: KnowledgeGraph) -> explore.EntityView:
    return explore.entity(_kg, curie)


@st.cache_data(show_spinner=False, max_entries=200)
def _report(key: str, curie: str, _kg: KnowledgeGraph) -> ReportView:
    return report_view(_kg, curie)


def get_report(curie: str) -> ReportView:
    """The report part of a report's entity page (cached per graph and report)."""
    kg = get_kg()
    return _report(kg.key, curie, kg)


def get_entity(curie: str) -> explore.EntityView:
    """The entity page data (cached per graph and entity)."""
    kg = get_kg()
    return _entity(kg.key, curie, kg)


@st.cache_data(show_spinner="Laying out the network…", max_entries=64)
def _network(key: str, iri: str, depth: int, relations: tuple[str, ...], _g: Any) -> NetworkView:
    from graph.explore.network import neighbourhood_view

    return neighbourhood_view(_g, iri, depth, set(relations), link_template=EXPLORE_URL + "?id={id}")


def get_network(iri: str, depth: int, relations: tuple[str, ...]) -> NetworkView:
    """The rendered neighbourhood of ``iri`` (cached per graph and view)."""
    return _network(get_kg().key, iri, depth, tuple(sorted(relations)), get_nx())


# ------------------------------------------------------------------------------ warming up
#: Libraries the pages draw with, imported ahead of a visit to those pages.
WARM_MODULES = (
    "altair",
    "networkx",
    "openpyxl",
    "graph.explore.network",
    "graph.coverage.plan",
    "graph.coverage.compare",
    "graph.coverage.export",
    "graph.sandbox.runner",
)


def warm_later() -> None:
    """Once per graph and process, after a page has been drawn: import what the other pages draw
    with and compute what they share (the coverage data and report, the network projection, the
    query catalogue) in a background thread, so that a later page switch finds them ready. A
    page asking for a value while it is being computed waits for it (:meth:`KnowledgeGraph.memo`)."""
    kg = opened()
    if kg is None:
        return
    with _warm_lock:
        if kg.key in _warmed:
            return
        _warmed.add(kg.key)
    threading.Thread(target=_warm, args=(kg,), name="airisk-warm", daemon=True).start()


def _warm(kg: KnowledgeGraph) -> None:
    import importlib

    from app_pages import coverage_common

    steps: list[Any] = [lambda name=name: importlib.import_module(name) for name in WARM_MODULES]
    steps += [
        lambda: coverage_common.warm(kg),
        lambda: kg.memo("networkx", lambda: build_networkx(kg)),
        kg.catalogue,
    ]
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001  (the page that needs the value meets the error again and shows it)
            continue


# ------------------------------------------------------------------------------ the network view
#: The component that hosts a network view page (app_pages/netview/index.html): the drawing runs
#: in a nested iframe sandboxed without same-origin; a click on a node comes back as a value, so
#: the app moves to that entity without reloading the page. Declared on first use (declaring
#: looks the calling module up among every loaded module: a cost the other pages need not pay).
@functools.cache
def _netview() -> Any:
    return components.declare_component("airisk_network", path=str(Path(__file__).resolve().parent / "netview"))


def network_view(view: NetworkView, view_id: str, height: int, key: str = "net-view") -> str | None:
    """Draw a network view (the page shell once, then each view's data); the CURIE of a node the
    reader has just clicked, once per click, else None."""
    from graph.explore.network import view_shell

    value = _netview()(shell=view_shell(height), data=view.data, view_id=view_id, height=height, key=key, default=None)
    if not isinstance(value, dict) or not isinstance(value.get("curie"), str):
        return None
    stamp = (key, value.get("at"))
    if st.session_state.get("netview-last") == stamp:
        return None
    st.session_state["netview-last"] = stamp
    return str(value["curie"])


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


def go_to_entity(curie: str) -> None:
    """Show the entity page of ``curie`` from the entity page itself: the address changes and the
    page reruns in place (no reload, no page switch)."""
    st.query_params["id"] = curie
    st.rerun()


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


#: Text longer than this wraps (in a wide column, with taller rows) instead of being cut.
WRAP_OVER = 48
#: Row height (px) of tables with wrapped text: above 4 rem, Streamlit's grid wraps text cells.
WRAP_ROW_HEIGHT = 72


def _is_text(series: pd.Series) -> bool:  # type: ignore[type-arg]
    return bool(series.dtype == object or str(series.dtype).startswith(("string", "str")))


def show_table(
    df: pd.DataFrame,
    key: str,
    keys: tuple[str, ...] = (),
    open_rows: list[str] | None = None,
    height: int | None = None,
    link: str = "id",
    urls: tuple[str, ...] = (),
) -> None:
    """A table that fits the page (people's rules, the same on every page).

    The ``keys`` columns come first and the first of them is pinned, so what matters is
    visible without scrolling at 1280 px; long text wraps in a wide column instead of being cut;
    floats are rounded to two decimals; the ``link`` column (entity URLs) shows the CURIE and
    opens the page in a new tab (``urls`` columns are web links); with ``open_rows`` (one CURIE
    per row), picking a row opens that entity here.
    """
    order = [c for c in keys if c in df.columns] + [c for c in df.columns if c not in keys]
    frame = df[order].copy()
    config: dict[str, Any] = {}
    wrapped = False
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_float_dtype(series):
            frame[col] = series.round(2)
        if col == link:
            config[col] = link_column("Id")
            continue
        if col in urls:
            config[col] = st.column_config.LinkColumn(col, width="medium", help="Opens in a new tab")
            continue
        long = _is_text(series) and series.astype(str).str.len().max() > WRAP_OVER if len(series) else False
        wrapped = wrapped or bool(long)
        is_key = col in keys
        pinned = True if is_key and col == order[0] else None
        if long:
            config[col] = st.column_config.TextColumn(col, width="medium" if is_key else "large", pinned=pinned)
        elif is_key and not _is_text(series):
            config[col] = st.column_config.Column(col, width="small", pinned=pinned)
        elif is_key:
            config[col] = st.column_config.Column(col, width="medium", pinned=pinned)
    options: dict[str, Any] = {"height": height} if height else {}
    if wrapped:
        options["row_height"] = WRAP_ROW_HEIGHT
    if open_rows is not None:
        options.update(on_select="rerun", selection_mode="single-row")
    event = st.dataframe(visible(frame), hide_index=True, width="stretch", column_config=config, key=key, **options)
    if open_rows is not None:
        picked = selected_row(event)
        if picked is not None:
            open_entity(open_rows[picked])


def entity_table(
    df: pd.DataFrame, curies: list[str], key: str, height: int | None = None, keys: tuple[str, ...] = ()
) -> None:
    """A table whose ``id`` column links to entity pages; picking a row opens that entity here."""
    show_table(df, key, keys=keys or (str(df.columns[0]),), open_rows=curies, height=height)


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
    out = people_frame(df)  # numbers rounded for people, library keys as headers people read
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("string", "str")):
            out[col] = out[col].map(lambda v: safe_cell(v) if isinstance(v, str) else v)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, index: bool = False) -> bytes:
    """CSV of a table through the library's one CSV writer (formula-safe cells, line breaks quoted)."""
    frame = people_frame(df.reset_index() if index else df)  # rounded, headers people read
    values = frame.astype(object).where(frame.notna(), None)
    return write_csv([list(frame.columns), *values.itertuples(index=False, name=None)]).encode("utf-8")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "table", index: bool = False) -> bytes:
    """XLSX of a table, with every cell written as a value (no formula cells)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        _safe_frame(df).to_excel(xl, sheet_name=sheet[:31], index=index)
    return buf.getvalue()


def download_table(df: pd.DataFrame, name: str, key: str, xlsx: bool = False, index: bool = False) -> None:
    """CSV (and optionally XLSX) download buttons for a table shown on the page. The files are
    written when a button is clicked, not on every run of the page."""
    cols = st.columns([1, 1, 6] if xlsx else [1, 7])
    cols[0].download_button(
        "CSV",
        lambda: csv_bytes(df, index),
        f"{name}.csv",
        "text/csv",
        key=f"{key}-csv",
        help=f"Download {name}.csv",
    )
    if xlsx:
        cols[1].download_button(
            "XLSX",
            lambda: xlsx_bytes(df, name, index),
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
