"""The one core object: :class:`KnowledgeGraph` loads, validates and answers queries.

The CLI, the SPARQL endpoint and the Streamlit app all hold a ``KnowledgeGraph``. It owns a
:class:`~graph.store.oxigraph.Store` (the embedded Oxigraph store by default, or a remote SPARQL endpoint)
and talks to it only in SPARQL.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from graph.core.errors import DataError, QueryError
from graph.core.namespaces import ID, add_prefixes, all_prefixes
from graph.core.resources import data_dir, ontology_dir
from graph.queries.catalogue import CatalogueQuery, get_query, load_catalogue
from graph.store.oxigraph import OxigraphStore, SelectResult, Store

if TYPE_CHECKING:
    from graph.core.load import Dataset

GRAPH_ONTOLOGY = ID + "graph/ontology"
GRAPH_CURATED = ID + "graph/curated"
IMPORT_GRAPH_PREFIX = ID + "graph/import/"
PROJECT_GRAPHS = ID + "graph/"

Progress = Callable[[str], None]
T = TypeVar("T")


@dataclass
class LoadTimings:
    """How long each step of :meth:`KnowledgeGraph.load` took, in seconds."""

    read: float = 0.0
    check: float = 0.0
    build: float = 0.0
    store: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)


class KnowledgeGraph:
    """The AI Risk Graph: ontology + curated data (+ imports) in a SPARQL store."""

    def __init__(self, store: Store, dataset: Dataset | None = None, prefixes: dict[str, str] | None = None):
        self.store = store
        self.dataset = dataset
        self.timings = LoadTimings()
        taxonomies = list(dataset.taxonomies) if dataset else None
        self.prefixes = prefixes or (all_prefixes(taxonomies) if taxonomies else all_prefixes())
        #: What the graph was built from: the store cache key of the data, ontology, imports and
        #: code (:func:`graph.importers.session.graph_key`); "" when it is not known.
        self.key = ""
        self._memo: dict[str, Any] = {}
        self._memo_locks: dict[str, threading.Lock] = {}
        self._memo_guard = threading.Lock()

    # ------------------------------------------------------------------ derived values
    def memo(self, name: str, make: Callable[[], T]) -> T:
        """``make()``, computed once for this graph under ``name`` and then kept.

        For holders of a graph that no longer changes (the app, the endpoint): values derived
        from it (the coverage data, the network projection) are computed once per graph, not
        once per caller. Threads asking for one name together wait for the first to finish; a
        ``make`` that raises leaves nothing behind, so the next call tries again.
        """
        with self._memo_guard:
            if name in self._memo:
                return self._memo[name]  # type: ignore[no-any-return]
            lock = self._memo_locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._memo:
                value = make()
                with self._memo_guard:
                    self._memo[name] = value
            return self._memo[name]  # type: ignore[no-any-return]

    def memoized(self, name: str) -> bool:
        """True when :meth:`memo` holds a value for ``name``."""
        with self._memo_guard:
            return name in self._memo

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(
        cls,
        data: Path | str | None = None,
        ontology: Path | str | None = None,
        store: Store | None = None,
        progress: Progress | None = None,
        write: bool = True,
    ) -> KnowledgeGraph:
        """Read, check and build the curated data and put it with the ontology into ``store``.

        Raises :class:`DataError` listing every problem when the data has errors. With
        ``write=False`` the store is assumed to hold the graph already (a remote store that was
        loaded with ``airisk load``) and only the data files are read, for prefixes and labels.
        """
        from graph.core.build import build_graph
        from graph.core.integrity import check_integrity
        from graph.core.load import load_dataset

        say = progress or (lambda _msg: None)
        t0 = time.perf_counter()
        data_path = Path(data) if data else data_dir()
        ontology_path = Path(ontology) if ontology else ontology_dir()
        say(f"reading curated data from {data_path}")
        ds = load_dataset(data_path)
        t1 = time.perf_counter()
        say("checking references")
        problems = ds.errors + [p for p in check_integrity(ds) if p.severity == "error"]
        if problems:
            raise DataError(problems)
        t2 = time.perf_counter()
        kg = cls(store or OxigraphStore(), ds)
        if write:
            say("building RDF")
            built = build_graph(ds)
            nt = built.graph.serialize(format="nt")
            t3 = time.perf_counter()
            say("loading the store")
            kg.load_ontology(ontology_path)
            kg.store.replace_graph(GRAPH_CURATED, nt)
        else:
            t3 = time.perf_counter()
        t4 = time.perf_counter()
        kg.timings = LoadTimings(read=t1 - t0, check=t2 - t1, build=t3 - t2, store=t4 - t3)
        return kg

    def load_ontology(self, folder: Path) -> None:
        """Put the ontology (and its bridge to other vocabularies) into its named graph."""
        parts: list[str] = []
        for name in ("airisk.ttl", "bridge.ttl"):
            path = folder / name
            if path.is_file():
                tmp = ox.Store()
                tmp.load(path.read_bytes(), format=ox.RdfFormat.TURTLE)
                dumped = tmp.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
                parts.append(dumped.decode() if dumped else "")
        self.store.replace_graph(GRAPH_ONTOLOGY, "".join(parts))

    # ------------------------------------------------------------------ queries
    def with_prefixes(self, query: str) -> str:
        """Declare every published prefix the query does not declare (on its first line)."""
        return add_prefixes(query, self.prefixes)

    def select(self, query: str) -> SelectResult:
        """Run a SELECT query (prefixes added) on the store."""
        return self.store.select(self.with_prefixes(query))

    def ask(self, query: str) -> bool:
        return self.store.ask(self.with_prefixes(query))

    def catalogue(self) -> dict[str, CatalogueQuery]:
        """The named queries of the catalogue."""
        return load_catalogue()

    def query(self, name_or_text: str, params: dict[str, str] | None = None) -> SelectResult:
        """Run a catalogue query by name (with parameters), or a SELECT query text."""
        if re.search(r"[\s{]", name_or_text.strip()):
            if params:
                raise QueryError("parameters apply to catalogue queries only")
            return self.select(name_or_text)
        q = get_query(name_or_text)
        return self.select(q.render(params, self.prefixes))

    # ------------------------------------------------------------------ facts about the graph
    def triple_count(self) -> int:
        """The triples of the project's named graphs (a remote store may hold other graphs too)."""
        if isinstance(self.store, OxigraphStore):
            return self.store.triple_count()
        res = self.store.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{PROJECT_GRAPHS}")) }}'
        )
        return int(res.rows[0]["n"].py) if res.rows else 0

    def graphs(self) -> list[str]:
        """The project's named graphs in the store (ontology, curated data, each import), sorted."""
        return [g for g in self.store.graphs() if g.startswith(PROJECT_GRAPHS)]

    def stats(self) -> dict[str, Any]:
        """Counts per class and per relation, and the number of triples."""
        classes = self.select(
            """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
                 ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(ar:)))
               } GROUP BY ?class ORDER BY ?class"""
        )
        relations = self.select(
            """SELECT ?p (COUNT(*) AS ?n) WHERE {
                 VALUES ?p { ar:assessesRisk ar:measuresCapability ar:enablesRisk ar:mitigatesRisk
                             skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch
                             skos:broader ar:severity ar:methodType ar:mitigationType prov:wasAssociatedWith
                             ar:testedModel ar:referenceModel ar:coversRisk ar:coversCapability ar:usedTestMethod
                             dcterms:source }
                 ?s ?p ?o .
               } GROUP BY ?p ORDER BY ?p"""
        )
        taxonomies = self.select(
            """SELECT ?prefix (COUNT(?c) AS ?n) WHERE {
                 ?t a ar:Taxonomy ; ar:prefix ?prefix . ?c skos:inScheme ?t .
               } GROUP BY ?prefix ORDER BY ?prefix"""
        )

        def short(iri: str) -> str:
            for prefix in ("ar", "skos", "prov", "dcterms"):
                ns = self.prefixes[prefix]
                if iri.startswith(ns):
                    return f"{prefix}:{iri[len(ns) :]}"
            return iri

        return {
            "triples": self.triple_count(),
            "classes": {short(str(r["class"])): r["n"].py for r in classes.rows},
            "relations": {short(str(r["p"])): r["n"].py for r in relations.rows},
            "taxonomies": {str(r["prefix"]): r["n"].py for r in taxonomies.rows},
            "graphs": self.graphs(),
        }
