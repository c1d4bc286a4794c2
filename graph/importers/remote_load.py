"""``airisk load --store URL``: put the ontology, the curated data and the imports into a remote store."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.namespaces import ID
from graph.store.kg import KnowledgeGraph, Progress
from graph.store.remote import RemoteStore, redact

OWN_GRAPHS = ID + "graph/"


@dataclass
class LoadReport:
    """What :func:`load_remote` did."""

    store: str
    triples: int
    graphs: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def load_remote(
    url: str,
    data: Path | None = None,
    update_url: str | None = None,
    gsp_url: str | None = None,
    timeout: float = 30.0,
    with_imports: bool = True,
    workspace: Path | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Check and build the curated data, then replace this graph's named graphs in the store at ``url``.

    Each named graph is replaced in one request (the store never shows half a graph); graphs of
    ours that the store still holds but that were not loaded now (a removed import) are dropped,
    so the store answers exactly as the embedded store would. Finally the store is checked to read
    the union of its named graphs as the default graph.

    Raises
    ------
    DataError
        The curated data has errors (nothing is written).
    StoreError
        The store cannot be reached, refuses the update, or is not configured for the union default graph.
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    store = RemoteStore(url, timeout=timeout, update_url=update_url, gsp_url=gsp_url, check_dataset=False)
    try:
        kg = KnowledgeGraph.load(data=data, store=store, progress=progress)
        if with_imports:
            _attach_imports(kg, workspace, progress)
        dropped: list[str] = []
        for name in store.graphs():
            if name.startswith(OWN_GRAPHS) and name not in store.written:
                say(f"removing stale graph {name}")
                store.drop_graph(name)
                dropped.append(name)
        say("checking that the store answers over the union of its graphs")
        store.check_dataset()
        return LoadReport(
            store=redact(url),
            triples=store.triple_count(),
            graphs=sorted(store.written),
            dropped=dropped,
            seconds=time.perf_counter() - started,
        )
    finally:
        store.close()


def _attach_imports(kg: KnowledgeGraph, workspace: Path | None, progress: Progress | None) -> None:
    try:
        from graph.importers.workspace import attach_imports  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError:  # the import workspace is optional
        return
    from graph.core.resources import default_workspace

    attach_imports(kg, workspace or default_workspace(), progress=progress)
