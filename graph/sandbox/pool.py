"""The endpoint's query workers: a small pool of processes that each run one query at a time.

Neither pyoxigraph nor rdflib can stop a running query, so every query from a client runs in a
worker process that the pool kills when the query passes its time limit; a fresh worker takes its
place and the other workers keep answering meanwhile.

- embedded store: the server writes the graph once to an N-Quads file and each worker loads it
  into its own in-memory store (queries 3-10x faster than on disk); a graph of more than
  ``MEMORY_COPY_LIMIT`` triples is written instead to an on-disk Oxigraph store that every worker
  opens with ``pyoxigraph.Store.read_only`` (shared through the page cache, nothing to copy);
- remote store: each worker holds its own :class:`~graph.store.remote.RemoteStore` client.

Workers run the query, stop reading after ``max_rows`` (then answer ``too-large``) and serialise
the answer themselves, so the server process only moves bytes. Each worker refuses outbound
connections (:mod:`graph.sandbox.netguard`).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from graph.core.errors import AiriskError, QueryError, StoreError
from graph.core.namespaces import add_prefixes
from graph.sandbox.formats import Answer, serialize_answer
from graph.store.guard import names_dataset
from graph.store.oxigraph import Row, Term

#: Up to this many triples each worker holds its own in-memory copy of an embedded graph
#: (about 0.5 GB per worker at 1M triples); above it, the workers share one read-only disk store.
MEMORY_COPY_LIMIT = 1_000_000


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


@dataclass(frozen=True)
class Job:
    """One query for a worker; ``media_type`` None returns the :class:`Answer` itself."""

    query: str
    media_type: str | None
    max_rows: int
    truncate: bool = False  # past max_rows: cut the answer (True) or refuse it as too large (False)


@dataclass
class Outcome:
    """What came of a job.

    ``status``: ``ok``, ``syntax`` (malformed query), ``failed`` (the query failed while running),
    ``too-large`` (more than ``max_rows`` rows or triples), ``timeout``, ``busy`` (no worker free
    in time), ``store`` (the remote store failed) or ``crashed`` (the worker died).
    """

    status: str
    message: str = ""
    body: bytes = b""
    media_type: str = ""
    answer: Answer | None = None
    rows: int = 0


def worker_spec(store: Any, prefixes: dict[str, str], folder: str) -> StoreSpec:
    """Where query workers find ``store``'s graph: the remote store itself, or a copy of an
    embedded store written into ``folder`` (N-Quads to load in memory, or a read-only disk store
    for graphs past :data:`MEMORY_COPY_LIMIT`)."""
    import pyoxigraph as ox

    from graph.store.oxigraph import OxigraphStore
    from graph.store.remote import RemoteStore

    if isinstance(store, RemoteStore):
        return StoreSpec("remote", store.url, prefixes, store.timeout, allowed_hosts=(store.host,))
    if not isinstance(store, OxigraphStore):
        raise StoreError(f"query workers cannot use a {type(store).__name__}")
    quads = store.raw.quads_for_pattern(None, None, None, None)
    if store.triple_count() <= MEMORY_COPY_LIMIT:
        path = os.path.join(folder, "graph.nq")
        ox.serialize(quads, path, format=ox.RdfFormat.N_QUADS)
        return StoreSpec("embedded", path, prefixes)
    path = os.path.join(folder, "store")
    disk = ox.Store(path)
    disk.bulk_extend(quads)
    disk.flush()
    del disk  # closes the store, so that the workers can open it read-only
    return StoreSpec("embedded-disk", path, prefixes)


# ---------------------------------------------------------------------- inside a worker
class _TooLarge(Exception):
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

    def answer(self, query: str, max_rows: int, truncate: bool = False) -> Answer:
        from graph.store.oxigraph import term_from_ox

        ox = self._ox
        # pyoxigraph 0.5 ignores FROM / FROM NAMED when the default graph is the union; a query
        # that names its dataset gets exactly that dataset.
        union = not names_dataset(query)
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

    def answer(self, query: str, max_rows: int, truncate: bool = False) -> Answer:
        from graph.store.guard import query_form

        # The published prefixes go on the query's first line, so line numbers in errors stay right.
        text = add_prefixes(query, self._prefixes)
        form = query_form(query)
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


def run_job(runner: EmbeddedRunner | RemoteRunner, job: Job, prefixes: dict[str, str]) -> Outcome:
    """Run one job in this process and say what came of it."""
    try:
        answer = runner.answer(job.query, job.max_rows, job.truncate)
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
        status = "syntax" if "rejected the query" in message else "failed"
        return Outcome(status, message)
    except AiriskError as exc:
        return Outcome("failed", str(exc))
    if job.media_type is None:
        return Outcome("ok", answer=answer, rows=answer.size)
    try:
        body = serialize_answer(answer, job.media_type, prefixes)
    except (ValueError, SyntaxError) as exc:
        return Outcome("failed", f"cannot write the answer as {job.media_type}: {exc}")
    return Outcome("ok", body=body, media_type=job.media_type, rows=answer.size)


def worker_main(conn: Connection, spec: StoreSpec) -> None:
    """The loop of a worker process: receive a job, send its outcome, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from graph.sandbox.netguard import install

    install(spec.allowed_hosts, spec.audit_log)
    try:
        runner: EmbeddedRunner | RemoteRunner
        if spec.kind in ("embedded", "embedded-disk"):
            runner = EmbeddedRunner(spec.kind, spec.location, spec.prefixes)
        else:
            runner = RemoteRunner(spec.location, spec.prefixes, spec.remote_timeout)
    except (OSError, AiriskError) as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(run_job(runner, job, spec.prefixes))


# ---------------------------------------------------------------------- the pool (server side)
@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """Start a worker without the host's main script.

    multiprocessing makes a new worker import the parent's ``__main__`` file. A host that runs
    a script as ``__main__`` (Streamlit runs ``app.py`` so) would have every worker run the app
    without its runtime (a "missing ScriptRunContext" warning for each call, and the work of a
    page) before it serves a single query. The worker needs nothing from that script, so while
    it starts, ``__main__`` is a plain module with no file.
    """
    with _MAIN_LOCK:
        saved = sys.modules.get("__main__")
        script = getattr(saved, "__file__", None)
        if saved is None or getattr(saved, "__spec__", None) is not None or not script:
            yield
            return
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = saved


class WorkerPool:
    """A fixed number of worker processes; :meth:`run` is called from threads of the server.

    Parameters
    ----------
    spec
        Where the workers find the graph.
    size
        Number of workers: how many queries run at the same time.
    timeout
        Seconds a query may run; past it its worker is killed and replaced.
    max_waiting
        How many requests may wait for a free worker; more get ``busy`` at once.
    """

    def __init__(self, spec: StoreSpec, size: int = 2, timeout: float = 30.0, max_waiting: int = 32):
        if size < 1:
            raise AiriskError("the endpoint needs at least one query worker")
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self.max_waiting = max_waiting
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._waiting = 0
        self._lock = threading.Lock()
        self._closed = False
        self._all: set[_Worker] = set()
        self.restarts = 0
        methods = mp.get_all_start_methods()
        self._ctx: Any = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self._ctx.set_forkserver_preload(["graph.sandbox.pool", "graph.sandbox.formats", "graph.store.remote"])

    # -------------------------------------------------------------- lifecycle
    def _spawn(self, start_timeout: float = 60.0) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=worker_main, args=(child, self.spec), daemon=True, name="airisk-query-worker")
        with _plain_main():
            proc.start()
        child.close()
        worker = _Worker(proc, parent)
        if not parent.poll(start_timeout):
            self._kill(worker)
            raise StoreError(f"a query worker did not start within {start_timeout:g} s")
        try:
            hello = parent.recv()
        except (EOFError, OSError):
            self._kill(worker)
            raise StoreError("a query worker exited while starting") from None
        if hello[0] != "ready":
            self._kill(worker)
            raise StoreError(f"a query worker could not open the store: {hello[1]}")
        with self._lock:
            self._all.add(worker)
        return worker

    def start(self) -> None:
        """Start every worker (raises :class:`StoreError` if one cannot open the store)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.size) as ex:
            futures = [ex.submit(self._spawn) for _ in range(self.size)]
            for f in futures:
                self._idle.put(f.result())

    def _kill(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        try:
            worker.process.kill()
            worker.process.join(5)
        except (OSError, ValueError):
            pass
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and put a fresh one in its place (runs in a background thread)."""
        self._kill(worker)
        self.restarts += 1
        delay = 0.5
        while not self._closed:
            try:
                self._idle.put(self._spawn())
                return
            except StoreError:
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        for w in workers:
            w.process.join(2)
            self._kill(w)

    # -------------------------------------------------------------- running a job
    def run(self, job: Job, timeout: float | None = None) -> Outcome:
        """Run ``job`` on a free worker within the time limit (blocking; call from a thread)."""
        limit = timeout or self.timeout
        with self._lock:
            if self._waiting >= self.max_waiting:
                return Outcome("busy", f"the endpoint is busy ({self.max_waiting} queries waiting); try again shortly")
            self._waiting += 1
        # Wait long enough for a worker running a runaway query to be stopped and replaced.
        wait = 2 * limit + 10
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            return Outcome("busy", f"no query worker became free within {wait:g} s; try again shortly")
        finally:
            with self._lock:
                self._waiting -= 1
        try:
            worker.conn.send(job)
            if not worker.conn.poll(limit):
                threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
                return Outcome(
                    "timeout", f"the query ran past this endpoint's time limit of {limit:g} s and was stopped"
                )
            outcome: Outcome = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return Outcome("crashed", "the query worker stopped unexpectedly while running the query")
        self._idle.put(worker)
        return outcome
