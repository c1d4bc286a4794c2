"""Where the triples live: the store interface and the embedded Oxigraph store.

Every analysis talks to a :class:`Store` through SPARQL only, so that the same code runs on the
embedded store (pyoxigraph, in process) and on a remote SPARQL 1.1 endpoint
(:mod:`graph.store.remote`). Query results come back as :class:`Term` values that mirror the SPARQL 1.1
JSON results format, so answers from both kinds of store compare equal.

Queries see the union of all graphs (the curated graph, the ontology and each import's named
graph) as their default graph.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from graph.core.errors import QueryError, StoreError

XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}


@dataclass(frozen=True, order=True)
class Term:
    """An RDF term in a query answer: ``kind`` is ``uri``, ``literal`` or ``bnode``."""

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    @property
    def py(self) -> Any:
        """The value as a Python object: int, float or bool for typed literals, else str."""
        if self.kind == "literal" and self.datatype:
            try:
                if self.datatype in _INT_TYPES:
                    return int(self.value)
                if self.datatype in _FLOAT_TYPES:
                    return float(self.value)
                if self.datatype == XSD + "boolean":
                    return self.value in ("true", "1")
            except ValueError:
                return self.value
        return self.value

    def n3(self) -> str:
        """The term in N-Triples / SPARQL syntax."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if self.lang:
            return f'"{escaped}"@{self.lang}'
        if self.datatype and self.datatype != XSD + "string":
            return f'"{escaped}"^^<{self.datatype}>'
        return f'"{escaped}"'

    def __str__(self) -> str:
        return self.value


Row = dict[str, Term]


@dataclass
class SelectResult:
    """The answer of a SELECT query: variable names and rows (unbound variables are absent)."""

    vars: list[str]
    rows: list[Row]

    def values(self, var: str) -> list[Any]:
        """Python values of one column (None where unbound)."""
        return [row[var].py if var in row else None for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as plain dicts of Python values (None where unbound)."""
        return [{v: (row[v].py if v in row else None) for v in self.vars} for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


class Store(Protocol):
    """What the library needs of a triple store."""

    description: str

    def select(self, query: str) -> SelectResult: ...

    def ask(self, query: str) -> bool: ...

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]: ...

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        """Replace the content of a named graph by the N-Triples text, in one step."""
        ...

    def drop_graph(self, graph_iri: str) -> None: ...

    def graphs(self) -> list[str]: ...

    def triple_count(self) -> int: ...


def term_from_ox(t: Any) -> Term:
    """Convert a pyoxigraph term to a :class:`Term`."""
    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Term("literal", t.value, None, t.language)
        dt = t.datatype.value
        return Term("literal", t.value, None if dt == XSD + "string" else dt)
    raise StoreError(f"unsupported term in result: {t!r}")


class OxigraphStore:
    """The embedded default store: pyoxigraph in memory (or on disk with ``path``).

    A lock serialises writes against reads so that a reader never sees half a graph replaced.
    """

    def __init__(self, path: str | None = None, raw: ox.Store | None = None):
        try:
            self._store = raw if raw is not None else ox.Store(path) if path else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        self._lock = threading.RLock()
        self.description = f"embedded Oxigraph store{' at ' + path if path else ' (in memory)'}"

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for bulk loading and serialisation)."""
        return self._store

    def _query(self, query: str) -> Any:
        # A query that names its own dataset (FROM / FROM NAMED) gets exactly that dataset;
        # otherwise the default graph is the union of all graphs. (pyoxigraph ignores FROM when
        # the union flag is set.)
        from graph.store.guard import names_dataset

        try:
            return self._store.query(query, use_default_graph_as_union=not names_dataset(query))
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def select(self, query: str) -> SelectResult:
        with self._lock:
            res = self._query(query)
            if not isinstance(res, ox.QuerySolutions):
                raise QueryError("not a SELECT query")
            names = [v.value for v in res.variables]
            rows: list[Row] = []
            try:
                for sol in res:
                    row: Row = {}
                    for name in names:
                        value = sol[name]
                        if value is not None:
                            row[name] = term_from_ox(value)
                    rows.append(row)
            except (OSError, ValueError, RuntimeError) as exc:
                raise QueryError(f"query failed: {exc}") from None
            return SelectResult(names, rows)

    def ask(self, query: str) -> bool:
        with self._lock:
            res = self._query(query)
            if not isinstance(res, ox.QueryBoolean):
                raise QueryError("not an ASK query")
            return bool(res)

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]:
        with self._lock:
            res = self._query(query)
            if not isinstance(res, ox.QueryTriples):
                raise QueryError("not a CONSTRUCT or DESCRIBE query")
            return [(term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)) for t in res]

    def load(self, data: bytes | str, fmt: ox.RdfFormat, graph_iri: str | None = None) -> None:
        """Add triples (parsed by Oxigraph) to a named graph, or the default graph."""
        with self._lock:
            target = ox.NamedNode(graph_iri) if graph_iri else ox.DefaultGraph()
            try:
                self._store.load(data, format=fmt, to_graph=target)
            except SyntaxError as exc:
                raise StoreError(f"cannot parse RDF: {exc}") from None

    def replace_graph(self, graph_iri: str, ntriples: str | bytes) -> None:
        """Replace a named graph by the N-Triples text: all of it, or nothing on a parse error.

        Oxigraph's ``load`` is one transaction (a parse error writes nothing), so the new triples
        are parsed straight into the live store, without a scratch copy: about the time and memory
        of ``bulk_load``. An existing graph is dumped first and put back if the new text does not
        parse; the lock keeps readers from seeing the graph in between.
        """
        with self._lock:
            g = ox.NamedNode(graph_iri)
            backup: bytes | None = None
            if self._store.contains_named_graph(g):
                backup = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) or b""
                self._store.remove_graph(g)
            try:
                self._store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
            except SyntaxError as exc:
                if backup is not None:
                    self._store.load(backup, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
                raise StoreError(f"cannot parse RDF: {exc}") from None

    def drop_graph(self, graph_iri: str) -> None:
        with self._lock:
            g = ox.NamedNode(graph_iri)
            if self._store.contains_named_graph(g):
                self._store.remove_graph(g)

    def graphs(self) -> list[str]:
        with self._lock:
            return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_count(self) -> int:
        with self._lock:
            return len(self._store)

    def serialize(self, fmt: ox.RdfFormat, graphs: Iterable[str] | None = None) -> bytes:
        """Serialise the union of ``graphs`` (all named graphs if None) as triples."""
        with self._lock:
            tmp = ox.Store()
            names = list(graphs) if graphs is not None else self.graphs()
            for name in names:
                for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
                    tmp.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
            for q in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
                tmp.add(q)
            out = tmp.dump(format=fmt, from_graph=ox.DefaultGraph())
            return out if isinstance(out, bytes) else b""
