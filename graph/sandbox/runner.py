"""Run a user's SPARQL query so that one bad query cannot hang, exhaust or expose the machine.

:func:`run_guarded` (what the app's SPARQL page and ``airisk query FILE`` call) runs the query on
the same confined, killable worker processes as the SPARQL endpoint
(:class:`graph.sandbox.pool.WorkerPool`): in the worker, the read-only guard checks the parsed
query (:func:`graph.store.guard.check_read_only`), the kernel refuses the worker network sockets
and caps its memory (:mod:`graph.sandbox.confine`), and Oxigraph's evaluation, which cannot be
interrupted from Python, is stopped by killing the worker past the time limit.
On the embedded store the workers hold a copy of the graph, rewritten when the graph changes
(an import, say); on a remote store they query it themselves. Unlike the endpoint, which refuses
an answer past its row cap, the app shows the first rows and says the answer was cut.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.core.errors import QueryError, QueryTimeout, StoreError
from graph.sandbox.pool import PoolStatus, WorkerPool
from graph.sandbox.worker import REFUSALS, Job, worker_spec
from graph.store.guard import NotAQuery, check_nesting
from graph.store.oxigraph import OxigraphStore, Term

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

_POSITION = re.compile(r"\bat (\d+):(\d+)")

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 5000
MAX_WORKERS = 2


@dataclass
class GuardedResult:
    """The answer of a guarded query. CONSTRUCT/DESCRIBE rows have subject/predicate/object."""

    form: str
    vars: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    seconds: float = 0.0

    def records(self) -> list[dict[str, Any]]:
        """Rows as plain dicts of strings (None where unbound)."""
        return [{v: (r[v].value if v in r else None) for v in self.vars} for r in self.rows]


def run_guarded(
    kg: KnowledgeGraph,
    query: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
    workers: int = MAX_WORKERS,
) -> GuardedResult:
    """Run a read-only query with a time limit and a row cap, in a confined worker.

    ``workers`` sets the size of the pool when it is first started for ``kg`` (the CLI uses 1).

    Raises
    ------
    QueryRefused
        The query writes, loads, federates (SERVICE), reads a remote FROM graph or nests too deep.
    QueryError
        The query does not parse, fails, or needs more memory than a worker may use.
    QueryTimeout
        The query ran longer than ``timeout_s`` (its worker was stopped).
    """
    check_nesting(query)
    start = time.perf_counter()
    outcome = _pool_for(kg, workers).run(Job(query, None, max_rows, truncate=True), timeout=timeout_s)
    refusal = REFUSALS.get(outcome.status)
    if refusal is not None and refusal is not NotAQuery:
        raise refusal(outcome.message)
    if outcome.status == "timeout":
        raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was stopped; narrow it or add a LIMIT")
    if outcome.status == "busy":
        raise QueryTimeout(f"all query workers stayed busy; try again in a moment ({outcome.message})")
    if outcome.status == "store":
        raise StoreError(outcome.message)
    if outcome.status == "syntax":
        message = outcome.message.removeprefix("malformed query: ")
        if message.startswith("SPARQL"):  # the guard's parser: already says where
            raise QueryError(message)
        raise QueryError("SPARQL syntax error: " + _POSITION.sub(r"at line \1, column \2", message))
    if outcome.status != "ok" or outcome.answer is None:
        raise QueryError(_POSITION.sub(r"at line \1, column \2", outcome.message or "the query failed"))
    answer = outcome.answer
    form = outcome.form or answer.form
    if answer.is_graph:
        rows = [{"subject": s, "predicate": p, "object": o} for s, p, o in answer.triples]
        result = GuardedResult(form, ["subject", "predicate", "object"], rows, None, answer.truncated)
    elif answer.form == "ASK":
        result = GuardedResult(form, boolean=answer.boolean)
    else:
        result = GuardedResult(form, answer.vars, answer.rows, None, answer.truncated)
    result.seconds = time.perf_counter() - start
    return result


# ------------------------------------------------------------------------------- worker pools
@dataclass
class _Pool:
    pool: WorkerPool
    version: tuple[int, tuple[str, ...]] | None
    folder: str | None


_POOLS: dict[int, _Pool] = {}
_POOLS_LOCK = threading.Lock()


def _version(kg: KnowledgeGraph) -> tuple[int, tuple[str, ...]] | None:
    """What identifies the embedded graph the workers copied (None for a remote store)."""
    store = kg.store
    return (store.triple_count(), tuple(store.graphs())) if isinstance(store, OxigraphStore) else None


def sandbox_status(kg: KnowledgeGraph, workers: int = MAX_WORKERS) -> PoolStatus:
    """What the workers for ``kg`` enforce (network block, memory limit), starting them if needed."""
    return _pool_for(kg, workers).status


def _pool_for(kg: KnowledgeGraph, workers: int = MAX_WORKERS) -> WorkerPool:
    """The warm workers for ``kg``'s store, restarted on a fresh copy when the graph changed."""
    with _POOLS_LOCK:
        version = _version(kg)
        current = _POOLS.get(id(kg.store))
        if current is not None and current.version == version:
            return current.pool
        if current is not None:
            _close(current)
        folder = tempfile.mkdtemp(prefix="airisk-sandbox-") if version is not None else None
        spec = worker_spec(kg.store, dict(kg.prefixes), folder or "")
        pool = WorkerPool(spec, size=workers, short_lane=1 if workers > 1 else 0)
        pool.start()
        _POOLS[id(kg.store)] = _Pool(pool, version, folder)
        return pool


def _close(p: _Pool) -> None:
    p.pool.close()
    if p.folder:
        shutil.rmtree(p.folder, ignore_errors=True)


@atexit.register
def _shutdown() -> None:
    for p in list(_POOLS.values()):
        _close(p)
    _POOLS.clear()
