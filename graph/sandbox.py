"""Run a user's SPARQL query so that one bad query cannot hang the app for anyone else.

:func:`run_guarded` first applies the read-only guard (:func:`graph.guard.check_read_only`),
then runs the query with a time limit and a row cap:

- on the embedded store, in a separate **worker process** that holds a snapshot of the graph
  (N-Quads, loaded once) and is **killed** when the time limit passes (Oxigraph's evaluation
  cannot be interrupted from Python, and a runaway query in a thread would keep a core busy and
  hold the store's lock). Workers are kept warm in a small pool and restarted when the graph
  changes or after a kill;
- on a remote store, in a thread that is abandoned at the time limit (the remote server does
  the work; its own timeout applies).

The worker is this module run as ``python -m graph.sandbox SNAPSHOT``; it speaks one JSON
object per line on stdin/stdout.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import QueryError, QueryTimeout
from .guard import check_read_only, query_form
from .store import OxigraphStore, Term

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_ROWS = 5000
MAX_WORKERS = 2
WORKER_MEMORY_BYTES = 2 * 1024**3


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
) -> GuardedResult:
    """Run a read-only query with a time limit and a row cap.

    Raises
    ------
    QueryRefused
        The query writes, loads, federates (SERVICE) or reads a remote FROM graph.
    QueryError
        The query does not parse or fails.
    QueryTimeout
        The query ran longer than ``timeout_s`` (it was stopped).
    """
    check_read_only(query)
    form = query_form(query)
    text = kg.with_prefixes(query)
    added = text.count("\n") - query.count("\n")
    start = time.perf_counter()
    try:
        if isinstance(kg.store, OxigraphStore):
            result = _pool_for(kg.store).run(text, form, timeout_s, max_rows)
        else:
            result = _run_in_thread(kg, text, form, timeout_s, max_rows)
    except QueryTimeout:
        raise
    except QueryError as exc:
        raise QueryError(_user_lines(str(exc), added)) from None
    result.seconds = time.perf_counter() - start
    return result


_POSITION = re.compile(r"\b(?:at|line) (\d+):(\d+)")


def _user_lines(message: str, added: int) -> str:
    """Shift ``line:column`` positions in an error message back to the user's own text."""
    return _POSITION.sub(lambda m: f"at line {max(1, int(m.group(1)) - added)}, column {m.group(2)}", message)


# ------------------------------------------------------------------------------- remote stores
def _run_in_thread(kg: KnowledgeGraph, text: str, form: str, timeout_s: float, max_rows: int) -> GuardedResult:
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            if form == "ASK":
                box["result"] = GuardedResult(form, boolean=kg.store.ask(text))
            elif form in ("CONSTRUCT", "DESCRIBE"):
                triples = kg.store.construct(text)
                rows = [{"subject": s, "predicate": p, "object": o} for s, p, o in triples]
                box["result"] = GuardedResult(
                    form, ["subject", "predicate", "object"], rows[:max_rows], None, len(rows) > max_rows
                )
            else:
                res = kg.store.select(text)
                box["result"] = GuardedResult(form, res.vars, res.rows[:max_rows], None, len(res.rows) > max_rows)
        except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    t = threading.Thread(target=work, name="airisk-guarded-query", daemon=True)
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        raise QueryTimeout(f"the query ran longer than {timeout_s:g} s and was abandoned; narrow it or add a LIMIT")
    if "error" in box:
        err = box["error"]
        raise err if isinstance(err, QueryError) else QueryError(str(err))
    return box["result"]  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------- worker pool
class _Worker:
    def __init__(self, snapshot: Path):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graph.sandbox", str(snapshot)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass

    def ask(self, request: dict[str, Any], deadline: float) -> dict[str, Any] | None:
        """Send a request; return the answer, or None if the deadline passed first."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        fd = self.proc.stdout.fileno()
        buf = b""
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise QueryError("the query worker stopped unexpectedly (out of memory?); try a narrower query")
            buf += chunk
        answer: dict[str, Any] = json.loads(buf)
        return answer


class _Pool:
    """Warm worker processes over one snapshot of an embedded store."""

    def __init__(self, store: OxigraphStore):
        self.store = store
        self.lock = threading.Lock()
        self.free = threading.Semaphore(MAX_WORKERS)
        self.idle: list[_Worker] = []
        self.version: tuple[int, tuple[str, ...]] | None = None
        self.snapshot: Path | None = None

    def _current_version(self) -> tuple[int, tuple[str, ...]]:
        return (self.store.triple_count(), tuple(self.store.graphs()))

    def _refresh(self) -> None:
        """(Re)write the snapshot when the store changed; retire workers of the old one."""
        version = self._current_version()
        if version == self.version and self.snapshot and self.snapshot.exists():
            return
        for w in self.idle:
            w.kill()
        self.idle.clear()
        import pyoxigraph as ox

        folder = Path(tempfile.mkdtemp(prefix="airisk-sandbox-"))
        path = folder / "graph.nq"
        self.store.raw.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
        old = self.snapshot
        self.snapshot, self.version = path, version
        _SNAPSHOTS.append(path)
        if old is not None:
            _remove_snapshot(old)

    def _take(self) -> _Worker:
        with self.lock:
            self._refresh()
            while self.idle:
                w = self.idle.pop()
                if w.alive():
                    return w
            assert self.snapshot is not None
            return _Worker(self.snapshot)

    def _give_back(self, w: _Worker) -> None:
        with self.lock:
            if w.alive() and self.snapshot is not None and self._current_version() == self.version:
                self.idle.append(w)
            else:
                w.kill()

    def run(self, text: str, form: str, timeout_s: float, max_rows: int) -> GuardedResult:
        deadline = time.monotonic() + timeout_s
        if not self.free.acquire(timeout=timeout_s):
            raise QueryTimeout(f"all query workers stayed busy for {timeout_s:g} s; try again in a moment")
        try:
            w = self._take()
            try:
                answer = w.ask({"query": text, "max_rows": max_rows}, deadline)
            except (OSError, ValueError) as exc:
                w.kill()
                raise QueryError(f"the query worker failed: {exc}") from None
            if answer is None:
                w.kill()
                raise QueryTimeout(
                    f"the query ran longer than {timeout_s:g} s and was stopped; narrow it or add a LIMIT"
                )
            self._give_back(w)
        finally:
            self.free.release()
        if "error" in answer:
            raise QueryError(str(answer["error"]))
        rows = [{k: Term(*v) for k, v in row.items()} for row in answer["rows"]]
        return GuardedResult(form, answer["vars"], rows, answer.get("boolean"), bool(answer["truncated"]))


_POOLS: dict[int, _Pool] = {}
_POOLS_LOCK = threading.Lock()
_SNAPSHOTS: list[Path] = []


def _pool_for(store: OxigraphStore) -> _Pool:
    with _POOLS_LOCK:
        pool = _POOLS.get(id(store))
        if pool is None or pool.store is not store:
            pool = _POOLS[id(store)] = _Pool(store)
        return pool


def _remove_snapshot(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    except OSError:
        pass


@atexit.register
def _shutdown() -> None:
    for pool in list(_POOLS.values()):
        for w in pool.idle:
            w.kill()
    for path in _SNAPSHOTS:
        _remove_snapshot(path)


# ------------------------------------------------------------------------------- the worker
def _term(t: Any) -> list[Any]:
    from .store import term_from_ox

    x = term_from_ox(t)
    return [x.kind, x.value, x.datatype, x.lang]


def _answer(store: Any, query: str, max_rows: int) -> dict[str, Any]:
    import pyoxigraph as ox

    try:
        res = store.query(query, use_default_graph_as_union=True)
        if isinstance(res, ox.QueryBoolean):
            return {"vars": [], "rows": [], "boolean": bool(res), "truncated": False}
        rows: list[dict[str, list[Any]]] = []
        truncated = False
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            for sol in res:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append({n: _term(sol[n]) for n in names if sol[n] is not None})
            return {"vars": names, "rows": rows, "truncated": truncated}
        for t in res:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append({"subject": _term(t.subject), "predicate": _term(t.predicate), "object": _term(t.object)})
        return {"vars": ["subject", "predicate", "object"], "rows": rows, "truncated": truncated}
    except SyntaxError as exc:
        return {"error": f"SPARQL syntax error: {exc}"}
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        return {"error": f"query failed: {exc}"}


def _worker_main(snapshot: str) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=snapshot, format=ox.RdfFormat.N_QUADS)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        answer = _answer(store, request["query"], int(request["max_rows"]))
        out.write((json.dumps(answer) + "\n").encode())
        out.flush()


if __name__ == "__main__":
    _worker_main(sys.argv[1])
