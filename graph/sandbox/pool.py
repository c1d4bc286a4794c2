"""The pool of query workers: killable processes, a lane kept for short queries, fair to cheap queries.

Neither pyoxigraph nor rdflib can stop a running query, so every user's query runs in a worker
process (:mod:`graph.sandbox.worker`) that the pool kills when the query passes its time limit; a fresh worker
takes its place and the other workers keep answering meanwhile.

Scheduling, so that runaway queries cannot starve cheap ones:

- the pool runs ``size`` workers for any query plus ``short_lane`` more that only take a query
  while it is short: a query that finds only short-lane workers free runs there with the
  ``short_limit`` (1 s by default); past it, its worker is replaced and the query waits for a
  general worker with the rest of its time, and its text is remembered as long (a query known to
  run long never takes a short-lane worker);
- a query whose answer took a worker more than ``heavy_after`` CPU seconds (0.1 s by default) is
  remembered as long too, so that known heavy queries queue for the general workers and the short
  lane stays free for cheap and new ones;
- a query still running after ``short_limit`` has its worker's CPU priority lowered (nice 19), so
  that cheap queries on the other workers keep the cores; such a worker is replaced once done
  (an unprivileged process cannot raise a priority again).

A worker that exceeds its memory limit aborts (the engine cannot recover from a failed
allocation); the pool answers ``memory`` and replaces it.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from graph.core.errors import AiriskError, StoreError
from graph.sandbox.confine import network_warning
from graph.sandbox.worker import Job, Outcome, StoreSpec, worker_main

#: How many long-running query texts the pool remembers (to keep them out of the short lane).
LONG_MEMORY = 4096


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    niced: bool = False


@dataclass
class PoolStatus:
    """What the pool's workers enforce (for logs and the service description)."""

    network_blocked: bool | None = None  # None: not applicable (a remote store runs the queries)
    memory_limit_mb: int | None = None
    detail: str = ""
    warnings: list[str] = field(default_factory=list)


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
    """Worker processes; :meth:`run` is called from threads of the server.

    Parameters
    ----------
    spec
        Where the workers find the graph, and their memory limit.
    size
        Workers for any query: how many long queries run at the same time.
    timeout
        Seconds a query may run; past it its worker is killed and replaced.
    max_waiting
        How many requests may wait for a free worker; more get ``busy`` at once.
    short_lane
        Extra workers kept for queries while they are short (0 to disable).
    short_limit
        Seconds a query is "short"; past it a short-lane query moves to a general worker and a
        general worker's priority is lowered.
    heavy_after
        CPU seconds of a finished query past which its text is kept out of the short lane.
    """

    def __init__(
        self,
        spec: StoreSpec,
        size: int = 2,
        timeout: float = 30.0,
        max_waiting: int = 32,
        short_lane: int = 1,
        short_limit: float = 1.0,
        heavy_after: float = 0.1,
    ):
        if size < 1:
            raise AiriskError("the endpoint needs at least one query worker")
        self.spec = spec
        self.size = size
        self.timeout = timeout
        self.max_waiting = max_waiting
        self.short_lane = max(0, short_lane)
        self.short_limit = short_limit
        self.heavy_after = heavy_after
        self.status = PoolStatus()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._waiting = 0
        self._closed = False
        self._all: set[_Worker] = set()
        self._long: OrderedDict[str, None] = OrderedDict()
        self.restarts = 0
        methods = mp.get_all_start_methods()
        self._ctx: Any = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            # Workers start with the engine, the guard's parser and the seccomp binding imported.
            preload = [worker_main.__module__, "rdflib.plugins.sparql.parser", "rdflib.plugins.sparql.algebra"]
            self._ctx.set_forkserver_preload(preload)

    @property
    def workers(self) -> int:
        """How many worker processes the pool keeps."""
        return self.size + self.short_lane

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
            hint = f" (is its memory limit of {self.spec.memory_mb} MB too low for this graph?)"
            raise StoreError("a query worker exited while starting" + (hint if self.spec.memory_mb else "")) from None
        if hello[0] != "ready":
            self._kill(worker)
            raise StoreError(f"a query worker could not open the store: {hello[1]}")
        _, blocked, detail = hello
        warning = "" if blocked is not False else network_warning(str(detail))
        self.status = PoolStatus(blocked, self.spec.memory_mb, str(detail), [warning] if warning else [])
        with self._cond:
            self._all.add(worker)
        return worker

    def start(self) -> None:
        """Start every worker (raises :class:`StoreError` if one cannot open the store)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers) as ex:
            futures = [ex.submit(self._spawn) for _ in range(self.workers)]
            started = [f.result() for f in futures]
        with self._cond:
            self._idle.extend(started)
            self._cond.notify_all()

    def _kill(self, worker: _Worker) -> None:
        with self._cond:
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
                fresh = self._spawn()
            except StoreError:
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            self._release(fresh)
            return

    def _replace_later(self, worker: _Worker) -> None:
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify_all()

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._cond:
            workers = list(self._all)
            self._cond.notify_all()
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        for w in workers:
            w.process.join(2)
            self._kill(w)

    # -------------------------------------------------------------- scheduling
    @staticmethod
    def _fingerprint(job: Job) -> str:
        return hashlib.sha256(" ".join(job.query.split()).encode()).hexdigest()

    def _known_long(self, key: str) -> bool:
        with self._cond:
            return key in self._long

    def _remember_long(self, key: str) -> None:
        with self._cond:
            self._long[key] = None
            self._long.move_to_end(key)
            while len(self._long) > LONG_MEMORY:
                self._long.popitem(last=False)

    def _acquire(self, long: bool, deadline: float) -> tuple[_Worker, bool] | None:
        """A free worker and whether it is a short-lane one; None past ``deadline``."""
        with self._cond:
            while not self._closed:
                if len(self._idle) > self.short_lane:
                    return self._idle.pop(), False
                if self._idle and not long:
                    return self._idle.pop(), True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
        return None

    def _lower_priority(self, worker: _Worker) -> None:
        pid = worker.process.pid
        try:
            tasks = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            tasks = [pid]
        for tid in tasks:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, 19)
            except OSError:
                pass
        worker.niced = True

    # -------------------------------------------------------------- running a job
    def run(self, job: Job, timeout: float | None = None) -> Outcome:
        """Run ``job`` on a free worker within the time limit (blocking; call from a thread)."""
        limit = timeout or self.timeout
        with self._cond:
            if self._waiting >= self.max_waiting:
                return Outcome("busy", f"the endpoint is busy ({self.max_waiting} queries waiting); try again shortly")
            self._waiting += 1
        key = self._fingerprint(job)
        long = self._known_long(key)
        spent = 0.0  # seconds the query already ran in the short lane
        # Wait long enough for a worker running a runaway query to be stopped and replaced.
        deadline = time.monotonic() + 2 * limit + 10
        try:
            while True:
                got = self._acquire(long, deadline)
                if got is None:
                    return Outcome("busy", "no query worker became free in time; try again shortly")
                worker, short = got
                outcome = self._run_on(worker, job, max(0.05, limit - spent), short, limit)
                if outcome is not None:
                    return outcome
                # It outgrew the short lane: remember, and wait for a general worker.
                self._remember_long(key)
                long = True
                spent += self.short_limit
        finally:
            with self._cond:
                self._waiting -= 1

    def _run_on(self, worker: _Worker, job: Job, limit: float, short: bool, full: float) -> Outcome | None:
        """Run ``job`` on ``worker`` for at most ``limit`` seconds (of ``full``); None if it ran past
        the short lane's limit (its worker is then replaced)."""
        first = min(limit, self.short_limit)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(first):
                if short and limit > first:
                    self._replace_later(worker)
                    return None
                if limit > first:
                    self._lower_priority(worker)
                    self._remember_long(self._fingerprint(job))
                if limit <= first or not worker.conn.poll(limit - first):
                    self._replace_later(worker)
                    return Outcome(
                        "timeout", f"the query ran past this endpoint's time limit of {full:g} s and was stopped"
                    )
            outcome: Outcome = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            return self._died(worker)
        if outcome.cpu > self.heavy_after:
            self._remember_long(self._fingerprint(job))
        if worker.niced:
            self._replace_later(worker)
        else:
            self._release(worker)
        return outcome

    def _died(self, worker: _Worker) -> Outcome:
        worker.process.join(2)
        code = worker.process.exitcode
        self._replace_later(worker)
        if code == -signal.SIGABRT and self.spec.memory_mb:
            return Outcome(
                "memory",
                f"the query needed more memory than this endpoint allows a query ({self.spec.memory_mb} MB) "
                "and was stopped; narrow it or add a LIMIT",
            )
        return Outcome("crashed", "the query worker stopped unexpectedly while running the query")
