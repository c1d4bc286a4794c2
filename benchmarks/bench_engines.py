"""Store engine benchmark: rdflib's memory store vs rdflib+oxrdflib vs pyoxigraph directly.

Loads the real curated graph and generated graphs of about 1e4, 1e5 and 1e6 triples (built by
``benchmarks/generate.py``) into each engine, each in a fresh worker process, and times parsing +
loading, peak RSS, and a mix of catalogue queries with results fully read into Python.
A query that exceeds the per-query limit is reported as "> LIMIT (timed out)"; the worker is then
killed and a new one (a fresh load) runs the queries after it, so every other query is measured.

    python benchmarks/bench_engines.py                 # real data + 1e4 + 1e5 + 1e6
    python benchmarks/bench_engines.py --sizes 1e4 1e5 --runs 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

QUERIES = {
    "taxonomies": {},
    "tests-by-method-type": {},
    "untested-leaf-risks": {"taxonomy": "mit"},
    "single-source-links": {},
    "capability-risks": {},
    "mapping-coverage": {},
    "tests-for-mit-domain": {"domain": "mit:4"},
}
ENGINES = ("pyoxigraph", "rdflib+oxrdflib", "rdflib")


def _worker(engine: str, nt_path: str, runs: int, limit: float, names: list[str], out: mp.Queue) -> None:  # type: ignore[type-arg]
    from graph.core.namespaces import all_prefixes
    from graph.queries.catalogue import load_catalogue

    cat = load_catalogue()
    prefixes = all_prefixes()
    header = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items()) + "\n"
    texts = {name: header + cat[name].render(QUERIES[name], prefixes) for name in names}
    data = Path(nt_path).read_bytes()
    t0 = time.perf_counter()
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store()
        store.load(data, format=ox.RdfFormat.N_TRIPLES)

        def run(q: str) -> int:
            return len([tuple(s) for s in store.query(q)])  # type: ignore[union-attr]
    else:
        from rdflib import Graph

        g = Graph(store="Oxigraph") if engine == "rdflib+oxrdflib" else Graph()
        g.parse(data=data, format="ox-nt" if engine == "rdflib+oxrdflib" else "nt")

        def run(q: str) -> int:
            return len(list(g.query(q)))

    load_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(("load", load_s, rss_mb))
    for name, q in texts.items():
        out.put(("start", name))
        times = []
        rows = 0
        for _ in range(runs):
            t = time.perf_counter()
            rows = run(q)
            times.append(time.perf_counter() - t)
            if times[-1] > limit / 3:
                break
        out.put(("query", name, statistics.median(times), min(times), max(times), rows, len(times)))
    out.put(("done",))


def measure(engine: str, nt_path: Path, runs: int, limit: float) -> dict:  # type: ignore[type-arg]
    """Load and every query on one engine; a query over ``limit`` is killed and the rest run in a new worker."""
    ctx = mp.get_context("spawn")
    result: dict = {"queries": {}, "timed_out": []}  # type: ignore[type-arg]
    pending = list(QUERIES)
    while pending:
        q: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        p = ctx.Process(target=_worker, args=(engine, str(nt_path), runs, limit, pending, q))
        p.start()
        deadline = time.monotonic() + limit
        current: str | None = None
        loaded = False
        while True:
            try:
                msg = q.get(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:
                if current is None:  # the load itself passed the limit: nothing else can run
                    result["load_timeout"] = True
                    pending = []
                else:
                    result["timed_out"].append(current)
                    pending = pending[pending.index(current) + 1 :]
                break
            if msg[0] == "load":
                loaded = True
                result.setdefault("load_s", msg[1])
                result.setdefault("rss_mb", msg[2])
                deadline = time.monotonic() + limit
            elif msg[0] == "start":
                current = msg[1]
                deadline = time.monotonic() + limit
            elif msg[0] == "query":
                result["queries"][msg[1]] = {
                    "median": msg[2],
                    "min": msg[3],
                    "max": msg[4],
                    "rows": msg[5],
                    "n": msg[6],
                }
                current = None
            else:
                pending = []
                break
        p.kill()
        p.join()
        if not loaded:
            break
    return result


def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", nargs="*", default=["real", "1e4", "1e5", "1e6"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per load or query before giving up")
    ap.add_argument("--engines", nargs="*", default=list(ENGINES))
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    from generate import generate, units_for_triples  # type: ignore[import-not-found]

    from graph import KnowledgeGraph
    from graph.store.export import graph_ntriples

    tmp = Path(tempfile.mkdtemp(prefix="airisk-bench-"))
    report: dict = {}  # type: ignore[type-arg]
    for size in args.sizes:
        path = tmp / f"{size}.nt"
        if size == "real":
            path.write_text(graph_ntriples(KnowledgeGraph.load()))
        else:
            path.write_text(generate(units_for_triples(int(float(size))), 42))
        n = sum(1 for _ in path.open())
        print(f"\n## {size}: {n:,} triples ({path.stat().st_size / 1e6:.1f} MB N-Triples)")
        report[size] = {"triples": n}
        for engine in args.engines:
            r = measure(engine, path, args.runs, args.limit)
            report[size][engine] = r
            line = f"{engine:16s} load {fmt_s(r.get('load_s')):>9s}  peak RSS {r.get('rss_mb', 0):6.0f} MB"
            print(line + (f"  (load over {args.limit:.0f} s: no query run)" if r.get("load_timeout") else ""))
            for name in QUERIES:
                qr = r["queries"].get(name)
                if qr:
                    cell = f"{fmt_s(qr['median'])} ({qr['rows']} rows, n={qr['n']})"
                elif name in r["timed_out"]:
                    cell = f"> {args.limit:.0f} s (timed out)"
                else:
                    cell = "not run (the load passed the limit)" if r.get("load_timeout") else "not run"
                print(f"    {name:24s} {cell}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
