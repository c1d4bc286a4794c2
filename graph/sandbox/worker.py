"""Inside a query worker: the confined process that checks and runs a user's query.

Every user's query (endpoint, the app's SPARQL page, ``airisk query FILE``) runs in a worker
process started by :class:`graph.sandbox.pool.WorkerPool`. Before it reads anything a user wrote,
the worker confines itself (:mod:`graph.sandbox.confine`): the kernel refuses it network sockets
and caps its memory. Each query is then checked by the read-only guard on its parsed algebra
(:func:`graph.store.guard.check_read_only`) before the engine sees it.

- embedded store: the server writes the graph once to an N-Quads file and each worker loads it
  into its own in-memory store (queries 3-10x faster than on disk); a graph of more than
  ``MEMORY_COPY_LIMIT`` triples is written instead to an on-disk Oxigraph store that every worker
  opens with ``pyoxigraph.Store.read_only`` (shared through the page cache, nothing to copy);
- remote store: each worker holds its own :class:`~graph.store.remote.RemoteStore` client.

Workers run the query, stop reading after ``max_rows`` (then answer ``too-large``) and serialise
the answer themselves, so the server process only moves bytes; past ``max_bytes`` of serialised
answer they answer ``too-large`` too. A remote-store worker must reach its store, so it gets the
memory cap and the Python-level outbound guard (:mod:`graph.sandbox.netguard`) instead of the
kernel's network block; the engine that runs the query is then the remote store's.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from graph.core.errors import AiriskError, QueryError, QueryRefused, StoreError
from graph.core.namespaces import add_prefixes
from graph.sandbox.formats import HTML, JSON_RESULTS, Answer, negotiate, serialize_answer
from graph.store.guard import (
    DatasetRefused,
    FederationRefused,
    NestingRefused,
    NotAQuery,
    QueryInfo,
    UpdateRefused,
    check_read_only,
)
from graph.store.oxigraph import Row, Term

#: Up to this many triples each worker holds its own in-memory copy of an embedded graph (about
#: 0.35 GB per worker at 1M triples, measured); above it, the workers share one read-only disk store
#: (queries on it are 3-10x slower).
MEMORY_COPY_LIMIT = 2_500_000
#: Copies past this many triples raise each worker's memory limit by COPY_BYTES_PER_TRIPLE each.
COPY_ALLOWANCE_FROM = 1_000_000
#: Address space an in-memory copy takes per triple while it loads (bulk load peaks at about twice
#: the loaded size; measured at 1M generated triples: 0.39 GB loaded, 0.82 GB peak).
COPY_BYTES_PER_TRIPLE = 800
#: Address space a worker may use by default (MB): the graph copy, the engine and one query's data.
DEFAULT_MEMORY_MB = 1536
#: Serialised answers larger than this are refused (bytes).
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: A SELECT answer in JSON is written by the engine itself up to this size; a larger one is read
#: row by row instead (so that the row cap stops it early and memory stays bounded).
NATIVE_ANSWER_BYTES = 16 * 1024 * 1024
_UNSUPPORTED = re.compile(r"custom function <[^>]*> is not supported|is not supported|not implemented", re.IGNORECASE)
#: Refusals by kind, as the outcome status the faces map to codes and errors.
REFUSALS: dict[str, type[QueryRefused]] = {
    "refused-update": UpdateRefused,
    "refused-federation": FederationRefused,
    "refused-dataset": DatasetRefused,
    "refused-nesting": NestingRefused,
    "syntax": NotAQuery,
}


@dataclass(frozen=True)
class StoreSpec:
    """Where workers find the graph: ``embedded`` (an N-Quads file to load into memory),
    ``embedded-disk`` (an on-disk store to open read-only) or ``remote`` (a URL)."""

    kind: str
    location: str
    prefixes: dict[str, str] = field(default_factory=dict)
    remote_timeout: float = 30.0
    allowed_hosts: tuple[str, ...] = ()
    audit_log: str | None = None
    memory_mb: int | None = DEFAULT_MEMORY_MB


@dataclass(frozen=True)
class Job:
    """One query for a worker; ``media_type`` None returns the :class:`Answer` itself.

    With ``accept`` set (the client's Accept header and ``format`` parameter), the worker picks
    the media type for the query's form itself (``media_type`` is then ignored).
    """

    query: str
    media_type: str | None
    max_rows: int
    truncate: bool = False  # past max_rows: cut the answer (True) or refuse it as too large (False)
    accept: tuple[str | None, str | None] | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class Outcome:
    """What came of a job.

    ``status``: ``ok``, ``syntax`` (malformed query), ``refused-update``, ``refused-federation``,
    ``refused-dataset``, ``refused-nesting`` (the guard refused it), ``unsupported`` (a function
    the engine does not have), ``not-acceptable`` (no format the client accepts), ``failed`` (the
    query failed while running), ``too-large`` (more than ``max_rows`` rows or triples, or
    ``max_bytes``), ``memory`` (the worker ran out of its memory limit), ``timeout``, ``busy`` (no
    worker free in time), ``store`` (the remote store failed) or ``crashed`` (the worker died).
    """

    status: str
    message: str = ""
    body: bytes = b""
    media_type: str = ""
    answer: Answer | None = None
    rows: int = 0  # rows or triples of the answer (-1: a JSON answer the worker did not need to count)
    form: str = ""
    cpu: float = 0.0  # CPU seconds the worker spent on the job (the pool learns which queries are heavy)
    cacheable: bool = False  # the same query on this (unchanging, embedded) graph gives these same bytes
    cached: bool = False  # answered from the endpoint's answer cache (graph.endpoint.cache)


def worker_spec(
    store: Any, prefixes: dict[str, str], folder: str, memory_mb: int | None = DEFAULT_MEMORY_MB
) -> StoreSpec:
    """Where query workers find ``store``'s graph: the remote store itself, or a copy of an
    embedded store written into ``folder`` (N-Quads to load in memory, or a read-only disk store
    for graphs past :data:`MEMORY_COPY_LIMIT`), and each worker's memory limit in MB (None: none;
    a disk store's size is added, as the workers map it)."""
    import pyoxigraph as ox

    from graph.store.oxigraph import OxigraphStore
    from graph.store.remote import RemoteStore

    if isinstance(store, RemoteStore):
        return StoreSpec("remote", store.url, prefixes, store.timeout, allowed_hosts=(store.host,), memory_mb=memory_mb)
    if not isinstance(store, OxigraphStore):
        raise StoreError(f"query workers cannot use a {type(store).__name__}")
    quads = store.raw.quads_for_pattern(None, None, None, None)
    triples = store.triple_count()
    if triples <= MEMORY_COPY_LIMIT:
        path = os.path.join(folder, "graph.nq")
        ox.serialize(quads, path, format=ox.RdfFormat.N_QUADS)
        if memory_mb and triples > COPY_ALLOWANCE_FROM:
            memory_mb += triples * COPY_BYTES_PER_TRIPLE // (1024 * 1024)
        return StoreSpec("embedded", path, prefixes, memory_mb=memory_mb)
    path = os.path.join(folder, "store")
    disk = ox.Store(path)
    disk.bulk_extend(quads)
    disk.flush()
    del disk  # closes the store, so that the workers can open it read-only
    if memory_mb:
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)
        memory_mb += size // (1024 * 1024)
    return StoreSpec("embedded-disk", path, prefixes, memory_mb=memory_mb)


# ---------------------------------------------------------------------- inside a worker
class _TooLarge(Exception):
    pass


class _Capped:
    """A write-only buffer for the engine's serialiser that stops it past ``limit`` bytes."""

    def __init__(self, limit: int):
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class EmbeddedRunner:
    """Runs queries on the worker's copy of the graph.

    ``kind`` ``embedded``: an in-memory store loaded from an N-Quads file (fastest queries);
    ``embedded-disk``: a shared on-disk store opened read-only (for graphs too large to copy).
    """

    def __init__(self, kind: str, path: str, prefixes: dict[str, str]):
        import pyoxigraph as ox

        self._ox = ox
        if kind == "embedded-disk":
            self._store = ox.Store.read_only(path)
        else:
            self._store = ox.Store()
            try:
                self._store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
            except SyntaxError as exc:
                raise StoreError(f"cannot read the graph copy {path}: {exc}") from None
        self._prefixes = prefixes

    def json_results(self, query: str, info: QueryInfo, max_rows: int) -> tuple[bytes, int] | None:
        """A SELECT answer as SPARQL JSON results written by the engine, and its row count.

        The bytes are exactly what :func:`graph.sandbox.formats.results_json` writes from the
        answer (a test holds the two equal), without a Python object per term; the row count is
        -1 when the body is too short to pass ``max_rows`` (not counted then). None when the
        answer passes :data:`NATIVE_ANSWER_BYTES`: the caller then reads it row by row
        (:meth:`answer`), which stops at the row cap; raises ``_TooLarge`` past ``max_rows`` rows.
        """
        ox = self._ox
        try:
            res = self._store.query(query, prefixes=self._prefixes, use_default_graph_as_union=not info.names_dataset)
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        if not isinstance(res, ox.QuerySolutions):
            return None
        out = _Capped(NATIVE_ANSWER_BYTES)
        try:
            res.serialize(out, format=ox.QueryResultsFormat.JSON)  # type: ignore[arg-type]
        except _TooLarge:
            return None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        body = b"".join(out.parts)
        # A row takes at least three bytes ("{}" and a comma), so a shorter body is under the cap
        # and its rows need no counting.
        if len(body) < 3 * max_rows:
            return body, -1
        rows = len(json.loads(body)["results"]["bindings"])
        if rows > max_rows:
            raise _TooLarge()
        return body, rows

    def answer(self, query: str, info: QueryInfo, max_rows: int, truncate: bool = False) -> Answer:
        from graph.store.oxigraph import term_from_ox

        ox = self._ox
        # pyoxigraph 0.5 ignores FROM / FROM NAMED when the default graph is the union; a query
        # that names its dataset gets exactly that dataset.
        union = not info.names_dataset
        try:
            res = self._store.query(query, prefixes=self._prefixes, use_default_graph_as_union=union)
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None
        try:
            if isinstance(res, ox.QueryBoolean):
                return Answer("ASK", boolean=bool(res))
            if isinstance(res, ox.QuerySolutions):
                names = [v.value for v in res.variables]
                rows: list[Row] = []
                for sol in res:
                    if len(rows) >= max_rows:
                        if not truncate:
                            raise _TooLarge()
                        return Answer("SELECT", vars=names, rows=rows, truncated=True)
                    rows.append({n: term_from_ox(sol[n]) for n in names if sol[n] is not None})
                return Answer("SELECT", vars=names, rows=rows)
            triples: list[tuple[Term, Term, Term]] = []
            for t in res:  # type: ignore[union-attr]
                if len(triples) >= max_rows:
                    if not truncate:
                        raise _TooLarge()
                    return Answer("CONSTRUCT", triples=triples, truncated=True)
                triples.append((term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)))
            return Answer("CONSTRUCT", triples=triples)
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None


class RemoteRunner:
    """Runs queries on a remote SPARQL store."""

    def __init__(self, url: str, prefixes: dict[str, str], timeout: float):
        from graph.store.remote import RemoteStore

        self._store = RemoteStore(url, timeout=timeout)
        self._prefixes = prefixes

    def answer(self, query: str, info: QueryInfo, max_rows: int, truncate: bool = False) -> Answer:
        # The published prefixes go on the query's first line, so line numbers in errors stay right.
        text = add_prefixes(query, self._prefixes)
        form = info.form
        if form == "ASK":
            return Answer("ASK", boolean=self._store.ask(text))
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = self._store.construct(text)
            if len(triples) > max_rows and not truncate:
                raise _TooLarge()
            return Answer(form, triples=triples[:max_rows], truncated=len(triples) > max_rows)
        result = self._store.select(text)
        if len(result.rows) > max_rows and not truncate:
            raise _TooLarge()
        return Answer("SELECT", vars=result.vars, rows=result.rows[:max_rows], truncated=len(result.rows) > max_rows)


def _refusal(exc: QueryRefused) -> Outcome:
    for status, kind in REFUSALS.items():
        if isinstance(exc, kind):
            return Outcome(status, str(exc))
    return Outcome("syntax", str(exc))


def run_job(runner: EmbeddedRunner | RemoteRunner, job: Job, prefixes: dict[str, str]) -> Outcome:
    """Check one job with the guard, run it in this process and say what came of it."""
    try:
        info = check_read_only(job.query, prefixes)
    except QueryRefused as exc:
        return _refusal(exc)
    media = job.media_type
    if job.accept is not None:
        kind = "graph" if info.form in ("CONSTRUCT", "DESCRIBE") else "results"
        media = negotiate(job.accept[0], kind, job.accept[1])
        if media is None:
            return Outcome("not-acceptable", f"no acceptable format for a {info.form} answer", form=info.form)
    try:
        if isinstance(runner, EmbeddedRunner) and media == JSON_RESULTS and info.form == "SELECT" and not job.truncate:
            native = runner.json_results(job.query, info, job.max_rows)
            if native is not None:
                outcome = Outcome("ok", body=native[0], media_type=media, rows=native[1], form=info.form)
                return _sized(_mark(outcome, runner, info), job)
        answer = runner.answer(job.query, info, job.max_rows, job.truncate)
    except _TooLarge:
        return Outcome(
            "too-large",
            f"the answer has more than {job.max_rows} rows (this endpoint's limit); "
            "narrow the query or page through it with LIMIT and OFFSET",
        )
    except SyntaxError as exc:
        return Outcome("syntax", f"malformed query: {exc}")
    except StoreError as exc:
        return Outcome("store", str(exc))
    except QueryError as exc:
        message = str(exc)
        if _UNSUPPORTED.search(message):
            return Outcome("unsupported", message.removeprefix("query failed: "))
        status = "syntax" if "rejected the query" in message else "failed"
        return Outcome(status, message)
    except AiriskError as exc:
        return Outcome("failed", str(exc))
    if media is None or media == HTML:  # HTML pages are drawn by the server from the answer
        drawn = Outcome("ok", answer=answer, rows=answer.size, form=info.form, media_type=media or "")
        return _mark(drawn, runner, info)
    try:
        body = serialize_answer(answer, media, prefixes)
    except (ValueError, SyntaxError) as exc:
        return Outcome("failed", f"cannot write the answer as {media}: {exc}")
    outcome = Outcome("ok", body=body, media_type=media, rows=answer.size, form=info.form)
    return _sized(_mark(outcome, runner, info), job)


def _mark(outcome: Outcome, runner: EmbeddedRunner | RemoteRunner, info: QueryInfo) -> Outcome:
    """``outcome``, marked cacheable when it comes from the worker's own copy of the graph (which
    does not change while it is served) and the query asks for nothing that varies (NOW, RAND...)."""
    outcome.cacheable = isinstance(runner, EmbeddedRunner) and info.deterministic
    return outcome


def _sized(outcome: Outcome, job: Job) -> Outcome:
    """``outcome``, or ``too-large`` when its body passes the job's byte limit."""
    if len(outcome.body) > job.max_bytes:
        return Outcome(
            "too-large",
            f"the answer is larger than {job.max_bytes:,} bytes (this endpoint's limit); "
            "narrow the query or page through it with LIMIT and OFFSET",
        )
    return outcome


def worker_main(conn: Connection, spec: StoreSpec) -> None:
    """The loop of a worker process: receive a job, send its outcome, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from graph.sandbox.confine import confine
    from graph.sandbox.netguard import install

    install(spec.allowed_hosts, spec.audit_log)
    memory = spec.memory_mb * 1024 * 1024 if spec.memory_mb else None
    if spec.kind == "remote":
        confine(memory, network=False)
        blocked: bool | None = None  # not applicable: the remote store's engine runs the query
        detail = "a remote-store worker must reach its store: the Python-level outbound guard applies"
    else:
        confinement = confine(memory)
        blocked, detail = confinement.network_blocked, confinement.detail
    try:
        runner: EmbeddedRunner | RemoteRunner
        if spec.kind in ("embedded", "embedded-disk"):
            runner = EmbeddedRunner(spec.kind, spec.location, spec.prefixes)
        else:
            runner = RemoteRunner(spec.location, spec.prefixes, spec.remote_timeout)
    except (OSError, AiriskError) as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", blocked, detail))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        started = time.process_time()
        outcome = run_job(runner, job, spec.prefixes)
        outcome.cpu = time.process_time() - started
        conn.send(outcome)
