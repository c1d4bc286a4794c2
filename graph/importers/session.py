"""Open the graph the way every face of the project does (CLI, endpoint, app).

- embedded (default): curated data + ontology built into an in-memory Oxigraph store, plus the
  named graphs of the local import workspace (see :mod:`graph.importers.workspace`);
- remote (``store_url``): a SPARQL 1.1 endpoint that ``airisk load --store URL`` filled
  (see :mod:`graph.store.remote`); only the curated files are read, for prefixes.
"""

from __future__ import annotations

from pathlib import Path

from graph.core.resources import default_workspace
from graph.store.kg import KnowledgeGraph, Progress


def open_graph(
    store_url: str | None = None,
    data: Path | None = None,
    workspace: Path | None = None,
    progress: Progress | None = None,
    with_imports: bool = True,
) -> KnowledgeGraph:
    """Open the knowledge graph on the embedded store or on a remote SPARQL store."""
    if store_url:
        from graph.store.remote import RemoteStore

        kg = KnowledgeGraph.load(data=data, store=RemoteStore(store_url), progress=progress, write=False)
        if with_imports:
            # The imports' triples are in the remote store already (airisk load / import --store);
            # their CURIE prefixes come from the local workspace's manifest, read without writing.
            try:
                from graph.importers.workspace import list_imports
            except ModuleNotFoundError:
                return kg
            for info in list_imports(workspace or default_workspace()):
                for prefix, ns in info.prefixes.items():
                    kg.prefixes.setdefault(prefix, ns)
        return kg
    kg = KnowledgeGraph.load(data=data, progress=progress)
    if with_imports:
        try:
            from graph.importers.workspace import attach_imports
        except ModuleNotFoundError:  # the import workspace is optional
            return kg
        attach_imports(kg, workspace or default_workspace(), progress=progress)
    return kg
