"""Open the graph the way every face of the project does (CLI, endpoint, app).

- embedded (default): curated data + ontology built into an in-memory Oxigraph store, plus the
  named graphs of the local import workspace (see :mod:`graph.importers.workspace`); the built
  store is cached on disk (:mod:`graph.store.cache`), keyed by the data, ontology, workspace
  manifest and code, so a second start reads one N-Quads file instead of rebuilding;
- remote (``store_url``): a SPARQL 1.1 endpoint that ``airisk load --store URL`` filled
  (see :mod:`graph.store.remote`); only the curated files are read, for prefixes.
"""

from __future__ import annotations

from pathlib import Path

from graph.core.resources import data_dir, default_workspace, ontology_dir
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
        kg.key = graph_key(store_url, data, workspace, with_imports)
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
    return open_embedded(data, workspace, progress, with_imports)


def open_embedded(
    data: Path | None = None,
    workspace: Path | None = None,
    progress: Progress | None = None,
    with_imports: bool = True,
    cache: bool = True,
) -> KnowledgeGraph:
    """The embedded graph: from the on-disk cache when nothing it was built from changed, else built (and cached)."""
    import pyoxigraph as ox

    from graph.store.cache import CacheEntry, cache_root, cached_store
    from graph.store.oxigraph import OxigraphStore

    ws = workspace or default_workspace()
    built: list[KnowledgeGraph] = []

    def build() -> tuple[ox.Store, CacheEntry]:
        store = OxigraphStore()
        kg = KnowledgeGraph.load(data=data, store=store, progress=progress)
        if with_imports:
            from graph.importers.workspace import attach_imports

            attach_imports(kg, ws, progress=progress)
        built.append(kg)
        return store.raw, CacheEntry(prefixes=dict(kg.prefixes))

    key = embedded_key(data, ws, with_imports)
    root = cache_root() if cache else None
    if root is None:
        build()
        built[0].key = key
        return built[0]
    raw, entry, _hit = cached_store(key, build, root)
    if built:
        built[0].key = key
        return built[0]
    if progress:
        progress("read the built graph from the cache")
    kg = KnowledgeGraph(OxigraphStore(raw=raw), None, entry.prefixes)
    kg.key = key
    return kg


def embedded_key(data: Path | None = None, workspace: Path | None = None, with_imports: bool = True) -> str:
    """The store cache key of the embedded graph: the SHA-256 of every file of the data and ontology
    folders, the import workspace's manifest and graphs, and the code (see :mod:`graph.store.cache`)."""
    from graph.store.cache import cache_key

    ws = workspace or default_workspace()
    folders = [data or data_dir(), ontology_dir()]
    extra = [b"imports" if with_imports else b"no imports"]
    if with_imports:
        # The manifest names each import and its checksum; the data files are hashed too, so a
        # damaged or edited one is read (and refused) as it would be without the cache.
        manifest = ws / "manifest.json"
        if manifest.is_file():
            extra.append(manifest.read_bytes())
        folders.append(ws / "graphs")
    return cache_key(folders, extra)


def graph_key(
    store_url: str | None = None, data: Path | None = None, workspace: Path | None = None, with_imports: bool = True
) -> str:
    """What :func:`open_graph` with these arguments would open, as a key that changes when any
    input changes: the embedded store's cache key, or for a remote store its URL with the key of
    the local files read beside it (values derived from a graph can be kept under this key)."""
    if store_url:
        return "remote " + store_url + " " + embedded_key(data, workspace, with_imports)
    return embedded_key(data, workspace, with_imports)
