"""Importers of the public datasets users already hold, and the one function that runs an import.

``airisk import KIND FILE [--name NAME]`` calls :func:`run_import`: the importer reads the file
into the N-Triples of one named graph (``https://w3id.org/airisk/id/graph/import/{name}``), the
result is checked completely in memory (:mod:`graph.importers.check`), and only then does it
replace the import of that name, in one step: in the local workspace (:mod:`graph.importers.workspace`) and
in the open graph's store, or, with a remote store, in the remote store's named graph.

Kinds: ``atlas`` (MITRE ATLAS.yaml), ``mit`` (the MIT AI Risk Repository workbook),
``inspect-evals`` (inspect_evals eval.yaml metadata), ``sssom`` (SSSOM mapping tables) and
``ai-atlas-nexus`` (an IBM AI Atlas Nexus release folder).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.core.errors import DataError, NotFound, Problem, StoreError
from graph.safeio.reading import reading
from graph.store.kg import IMPORT_GRAPH_PREFIX, KnowledgeGraph, Progress
from graph.store.oxigraph import OxigraphStore

if TYPE_CHECKING:
    from graph.importers.common import ImportResult


def __getattr__(name: str) -> Any:
    # The readers and checks (YAML, workbooks, rdflib) load when an import runs, not when the
    # graph is opened (graph.importers.session lives in this package).
    if name == "ImportResult":
        from graph.importers.common import ImportResult

        return ImportResult
    raise AttributeError(f"module 'graph.importers' has no attribute {name!r}")


#: kind -> (what it reads, the function that reads it)
KINDS: dict[str, str] = {
    "atlas": "MITRE ATLAS data file (ATLAS.yaml)",
    "mit": "MIT AI Risk Repository workbook (.xlsx)",
    "inspect-evals": "inspect_evals checkout, package folder, wheel (.whl) or 'installed'",
    "sssom": "SSSOM mapping table (.sssom.tsv)",
    "ai-atlas-nexus": "IBM AI Atlas Nexus release folder (knowledge_graph/ and mappings/)",
}
ALIASES = {
    "mitre-atlas": "atlas",
    "mit-workbook": "mit",
    "mit-airisk": "mit",
    "inspect": "inspect-evals",
    "inspect_evals": "inspect-evals",
    "nexus": "ai-atlas-nexus",
    "ibm-ai-atlas-nexus": "ai-atlas-nexus",
}


def kind_of(kind: str) -> str:
    """The canonical kind for ``kind`` (or one of its aliases); DataError when unknown."""
    k = ALIASES.get(kind.lower(), kind.lower())
    if k not in KINDS:
        raise DataError(f"unknown import kind {kind!r}: use one of {', '.join(KINDS)}")
    return k


def default_name(kind: str, path: Path) -> str:
    """The name an import gets when none is given: the kind (``sssom-<file>`` for mapping tables)."""
    k = kind_of(kind)
    if k == "sssom":
        from graph.importers.sssom import default_name as sssom_name

        return sssom_name(path)
    return k


def _reader(kind: str) -> Callable[..., ImportResult]:
    if kind == "atlas":
        from graph.importers.atlas import import_atlas

        return import_atlas
    if kind == "mit":
        from graph.importers.mit_workbook import import_mit_workbook

        return import_mit_workbook
    if kind == "inspect-evals":
        from graph.importers.inspect_evals import import_inspect_evals

        return import_inspect_evals
    if kind == "ai-atlas-nexus":
        from graph.importers.nexus import import_ai_atlas_nexus

        return import_ai_atlas_nexus
    from graph.importers.sssom import import_sssom

    return import_sssom


def build_import(
    kind: str,
    path: Path,
    kg: KnowledgeGraph,
    name: str | None = None,
    source_version: str | None = None,
    strict: bool = False,
) -> ImportResult:
    """Read ``path`` and check the result completely; nothing is stored.

    Raises :class:`DataError` naming where the file is wrong, or which contract check failed.
    With ``strict`` every warning (a row or cell that could not be read) is an error too.
    """
    from graph.importers.check import check_import
    from graph.importers.common import check_name, graph_iri
    from graph.importers.context import build_context

    k = kind_of(kind)
    name = check_name(name if name is not None else default_name(k, path))
    ctx = build_context(kg, exclude_graph=graph_iri(name))
    reader = _reader(k)
    kwargs: dict[str, Any] = {"display": str(path)}
    if k == "inspect-evals":
        kwargs["source_version"] = source_version
    # Every failure of a reader on a hostile or broken file is the project's own error, naming it.
    with reading(str(path), f"the {KINDS[k]}"):
        result = reader(Path(path), name, ctx, **kwargs)
    if source_version and k != "inspect-evals":
        result.source.version = source_version
    problems = check_import(result, ctx)
    if problems:
        raise DataError(problems)
    if strict and result.warnings:
        raise DataError([Problem(p.message, p.location, "error", p.hint, p.check) for p in result.warnings])
    return result


@dataclass
class ImportReport:
    """What :func:`run_import` did: the result (counts, source, warnings), where it went, how long it took."""

    result: ImportResult
    target: str
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)


def run_import(
    kind: str,
    path: Path,
    kg: KnowledgeGraph,
    name: str | None = None,
    workspace: Path | None = None,
    source_version: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` as import ``name``: build, check, then replace the named graph in one step.

    On the embedded store the import is saved in ``workspace`` first (the lasting record), then
    loaded into ``kg.store``. On a remote store (``airisk --store URL import ...``) the remote
    named graph is replaced first (one request), then the import is recorded in ``workspace`` too,
    so that a later ``airisk load --store URL`` keeps it. Without ``workspace`` only ``kg.store``
    changes.
    """
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    say(f"reading {path}")
    result = build_import(kind, path, kg, name, source_version, strict)
    t1 = time.perf_counter()
    remote = not isinstance(kg.store, OxigraphStore)
    steps = {"read and check": t1 - t0}
    if remote:
        say(f"replacing graph <{result.graph}> in {kg.store.description}")
        kg.store.replace_graph(result.graph, result.ntriples.decode("utf-8"))
        steps["store"] = time.perf_counter() - t1
    if workspace is not None:
        from graph.importers.workspace import save_import

        t2 = time.perf_counter()
        say(f"saving import {result.name} in {workspace}")
        try:
            save_import(workspace, result)
        except StoreError as exc:
            if remote:
                raise StoreError(f"{exc} (the remote store already holds the new import)") from None
            raise
        steps["save"] = time.perf_counter() - t2
    if not remote:
        t3 = time.perf_counter()
        say(f"loading {result.triples} triples into graph <{result.graph}>")
        kg.store.replace_graph(result.graph, result.ntriples.decode("utf-8"))
        steps["load"] = time.perf_counter() - t3
    for prefix, ns in result.prefixes.items():
        kg.prefixes.setdefault(prefix, ns)
    target = kg.store.description if remote else str(workspace) if workspace is not None else kg.store.description
    return ImportReport(result, target, time.perf_counter() - t0, steps)


@dataclass
class StoreImport:
    """An import found in a (remote) store: its named graph, size and source record."""

    name: str
    graph: str
    triples: int
    title: str = ""
    version: str = ""
    licence: str = ""


def store_imports(kg: KnowledgeGraph) -> list[StoreImport]:
    """The import graphs of ``kg.store`` with their triple counts and source records (two SPARQL queries)."""
    sizes = kg.select(
        f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
              FILTER (STRSTARTS(STR(?g), "{IMPORT_GRAPH_PREFIX}")) }} GROUP BY ?g ORDER BY ?g"""
    )
    meta = kg.select(
        f"""SELECT ?g ?title ?version ?licence WHERE {{ GRAPH ?g {{ ?src a ar:ImportedDataset .
              OPTIONAL {{ ?src dcterms:title ?title }} OPTIONAL {{ ?src owl:versionInfo ?version }}
              OPTIONAL {{ ?src dcterms:license ?licence }} }} FILTER (STRSTARTS(STR(?g), "{IMPORT_GRAPH_PREFIX}")) }}"""
    )
    info = {str(r["g"]): r for r in meta.rows}
    out = []
    for r in sizes.rows:
        g = str(r["g"])
        m = info.get(g, {})
        out.append(
            StoreImport(
                name=g[len(IMPORT_GRAPH_PREFIX) :],
                graph=g,
                triples=int(r["n"].py),
                title=str(m["title"]) if "title" in m else "",
                version=str(m["version"]) if "version" in m else "",
                licence=str(m["licence"]) if "licence" in m else "",
            )
        )
    return out


def remove_store_import(kg: KnowledgeGraph, name: str) -> StoreImport:
    """Drop import ``name``'s named graph from ``kg.store``; :class:`NotFound` if it has none."""
    for item in store_imports(kg):
        if item.name == name:
            kg.store.drop_graph(item.graph)
            return item
    names = ", ".join(i.name for i in store_imports(kg)) or "none"
    raise NotFound(f"no import called {name!r} in {kg.store.description} (imports: {names})")


__all__ = [
    "ALIASES",
    "KINDS",
    "ImportReport",
    "ImportResult",
    "StoreImport",
    "build_import",
    "default_name",
    "kind_of",
    "remove_store_import",
    "run_import",
    "store_imports",
]
