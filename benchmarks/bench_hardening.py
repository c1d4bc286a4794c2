"""Hardening probes of the SPARQL endpoint, rerun the same way each time; prints the figures.

Starts ``airisk serve`` (embedded store, ``--workers 2`` by default) on loopback and measures:

1. **fair scheduling**: the throughput of one client sending a cheap query, alone, then beside one
   runaway client, then beside as many runaway clients as there are workers (each runaway client
   sends a CPU-bound cross-product count, one after the other, stopped by the time limit), as
   ratios of the cheap query's throughput alone;
2. **memory bomb**: ``SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1`` on a second
   server with a 120 s time limit: the status, the seconds until the answer, and the peak resident
   memory of any query worker meanwhile (read from ``/proc``), beside the worker memory limit;
3. **deep nesting**: 10,000 nested braces sent 20 times beside the cheap client: status codes and
   the cheap query's throughput meanwhile;
4. **outbound requests**: every generated SERVICE / FROM spelling (``tests/hardening/spellings.py``)
   aimed at a loopback listener, by GET and by POST: how many were sent and how many connections the
   listener received.

    python benchmarks/bench_hardening.py                    # shipped data, 2 workers, 8 s per phase
    python benchmarks/bench_hardening.py --duration 15 --workers 3
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHEAP = "ASK { ?s a ?type }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"


def start_serve(data: Path, workers: int, timeout: float, memory_mb: int) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "graph", "--data", str(data), "serve", "--port", "0", "--workers", str(workers)]
    cmd += ["--timeout", str(timeout), "--memory-mb", str(memory_mb)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    assert proc.stdout is not None
    for line in proc.stdout:
        m = re.search(r"(http://[^ ]+/sparql)", line)
        if m:
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, m.group(1)
    raise SystemExit("airisk serve did not start")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Loop(threading.Thread):
    """A client sending one query over and over until stopped; counts answers by status."""

    def __init__(self, url: str, query: str):
        super().__init__(daemon=True)
        self.url, self.query = url, query
        self.done = threading.Event()
        self.statuses: dict[int, int] = {}
        self.ok = 0

    def run(self) -> None:
        with httpx.Client(timeout=120, trust_env=False) as c:
            while not self.done.is_set():
                try:
                    accept = {"Accept": "application/sparql-results+json"}
                    r = c.get(self.url, params={"query": self.query}, headers=accept)
                    code = r.status_code
                except httpx.HTTPError:
                    code = 0
                self.statuses[code] = self.statuses.get(code, 0) + 1
                if code == 200:
                    self.ok += 1


def throughput(url: str, duration: float, runaways: int, extra: Loop | None = None) -> tuple[float, dict[int, int]]:
    """Cheap answers per second while ``runaways`` runaway clients (and ``extra``) run."""
    loops = [Loop(url, RUNAWAY) for _ in range(runaways)] + ([extra] if extra else [])
    for loop in loops:
        loop.start()
    time.sleep(0.5 if loops else 0)
    cheap = Loop(url, CHEAP)
    cheap.start()
    time.sleep(duration)
    cheap.done.set()
    for loop in loops:
        loop.done.set()
    cheap.join(130)
    for loop in loops:
        loop.join(130)
    statuses: dict[int, int] = {}
    for loop in loops:
        for k, v in loop.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    return cheap.ok / duration, statuses


def memory_bomb(proc: subprocess.Popen[str], url: str) -> tuple[str, float, int]:
    peak = 0
    result: list[str] = []

    def send() -> None:
        with httpx.Client(timeout=300, trust_env=False) as c:
            r = c.get(url, params={"query": BOMB})
            result.append(f"{r.status_code} {r.text.strip()[:90]}")

    t = threading.Thread(target=send)
    start = time.perf_counter()
    t.start()
    while t.is_alive():
        for pid in descendants(proc.pid):
            peak = max(peak, rss_kb(pid))
        time.sleep(0.05)
    return result[0], time.perf_counter() - start, peak


class Listener:
    """A loopback TCP listener that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()


def outbound(url: str) -> tuple[int, int, dict[int, int]]:
    sys.path.insert(0, str(ROOT / "tests" / "hardening"))
    from spellings import all_spellings

    listener = Listener()
    queries = all_spellings(f"http://127.0.0.1:{listener.port}/sparql")
    codes: dict[int, int] = {}
    with httpx.Client(timeout=60, trust_env=False) as c:
        for q in queries:
            for r in (
                c.get(url, params={"query": q}),
                c.post(url, content=q.encode(), headers={"Content-Type": "application/sparql-query"}),
            ):
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
    time.sleep(1)
    return 2 * len(queries), listener.hits, codes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--memory-mb", type=int, default=1024)
    ap.add_argument("--duration", type=float, default=8.0)
    args = ap.parse_args()
    proc, url = start_serve(args.data, args.workers, args.timeout, args.memory_mb)
    try:
        httpx.get(url, params={"query": CHEAP}, timeout=60)
        alone, _ = throughput(url, args.duration, 0)
        one, s1 = throughput(url, args.duration, 1)
        full, sn = throughput(url, args.duration, args.workers)
        print(f"workers {args.workers}, time limit {args.timeout:g} s, {args.duration:g} s per phase")
        print(f"cheap query alone:                    {alone:8.1f} answers/s")
        print(f"beside 1 runaway client:              {one:8.1f} answers/s  ({one / alone:6.1%} of alone)")
        print(f"  runaway answers by status: {s1}")
        print(
            f"beside {args.workers} runaway clients:             {full:8.1f} answers/s  ({full / alone:6.1%} of alone)"
        )
        print(f"  runaway answers by status: {sn}")
        nested = "SELECT * WHERE " + "{ " * 10_000 + "?s ?p ?o" + " }" * 10_000

        class Nest(Loop):
            def run(self) -> None:
                with httpx.Client(timeout=120, trust_env=False) as c:
                    for _ in range(20):
                        r = c.post(url, content=nested.encode(), headers={"Content-Type": "application/sparql-query"})
                        self.statuses[r.status_code] = self.statuses.get(r.status_code, 0) + 1

        nest = Nest(url, nested)
        during, _ = throughput(url, args.duration, 0, nest)
        print(f"10,000 nested braces x20: statuses {nest.statuses}")
        print(f"  cheap query meanwhile: {during / alone:6.1%} of alone")
        sent, hits, codes = outbound(url)
        print(f"SERVICE/FROM spellings: {sent} requests (GET+POST), listener received {hits}; statuses {codes}")
    finally:
        stop(proc)
    # The memory bomb on a server whose time limit (120 s) is far away: the memory limit stops it.
    proc, url = start_serve(args.data, args.workers, 120.0, args.memory_mb)
    try:
        httpx.get(url, params={"query": CHEAP}, timeout=60)
        status, seconds, peak = memory_bomb(proc, url)
        print(f"memory bomb (time limit 120 s): {seconds:.1f} s, HTTP {status}")
        print(f"  peak worker memory {peak / 1024:.0f} MB (limit {args.memory_mb} MB of address space)")
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
