"""Benchmark the coverage analysis: ``gaps`` and ``plan`` on the real data and on generated graphs.

Run::

    .venv/bin/python benchmarks/bench_coverage.py                 # real data + 1e4, 1e5, 1e6 triples
    .venv/bin/python benchmarks/bench_coverage.py --sizes 1e4,1e5 --runs 3

What is timed (wall clock, ``time.perf_counter``; median and min of ``--runs`` runs in one process; and the
smallest CPU time, ``time.process_time``, which a busy machine inflates less):

- ``load``: generating the N-Triples and loading them into the embedded Oxigraph store (or, for the
  real data, ``KnowledgeGraph.load``), reported separately and not part of the figures below;
- ``gaps``: from a loaded store, what ``airisk gaps`` does: the SPARQL queries (:func:`gather`),
  the rules model, :func:`compute_coverage` and the evidence of the 20 largest gaps (the table
  shows them) with their reasons; ``gaps+json`` also builds the evidence and the reason of every
  risk with its sources (what ``--format json`` prints);
- ``sparql gap``: the comparator, the fastest plain SPARQL for "risks that neither they nor a
  narrower risk are covered" on the raw pyoxigraph store (``MINUS`` of a ``UNION`` sub-select),
  results read into Python; ``ratio`` is ``gaps`` over it;
- ``plan``: from a loaded store, :func:`gather` then :func:`plan` with a budget of 5 test methods
  (auto: exact branch and bound when it finishes, else greedy); ``plan-greedy10``: greedy with a
  budget of 10 on already gathered data.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pyoxigraph as ox  # noqa: E402
from generate import generate, units_for_triples  # noqa: E402

from graph.coverage.plan import plan  # noqa: E402
from graph.coverage.report import compute_coverage  # noqa: E402
from graph.index.data import gather  # noqa: E402
from graph.store.kg import GRAPH_CURATED, KnowledgeGraph  # noqa: E402
from graph.store.oxigraph import OxigraphStore  # noqa: E402

CPU: dict[str, float] = {}


def timed(fn: Callable[[], object], runs: int, label: str = "") -> tuple[float, float, object]:
    """(median, min) wall seconds of ``runs`` calls, and the last result; the min CPU time goes to ``CPU``."""
    times = []
    cpu = []
    result: object = None
    for _ in range(runs):
        gc.collect()
        c = time.process_time()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[label] = min(cpu)
    return statistics.median(times), min(times), result


def gaps_once(kg: KnowledgeGraph, all_evidence: bool = False) -> object:
    data = gather(kg)
    report = compute_coverage(data)
    rows = report.risks if all_evidence else report.top_gaps(20)
    for r in rows:
        _ = r.evidence
        _ = r.why  # the reason and the methods that would raise it (what the table and JSON show)
    return report


GAP_SPARQL = """SELECT ?risk WHERE {
  ?risk a ar:RiskCategory .
  MINUS { SELECT DISTINCT ?risk WHERE {
    { ?t ar:assessesRisk ?sub } UNION { ?c ar:enablesRisk ?sub . ?t ar:measuresCapability ?c }
    ?sub skos:broader* ?risk } }
}"""


def sparql_gap_once(kg: KnowledgeGraph) -> object:
    store = kg.store
    assert isinstance(store, OxigraphStore)
    return [tuple(s) for s in store.raw.query(kg.with_prefixes(GAP_SPARQL), use_default_graph_as_union=True)]


def plan_once(kg: KnowledgeGraph) -> object:
    return plan(gather(kg), None, 5)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def bench(name: str, kg: KnowledgeGraph, load: float, runs: int) -> list[str]:
    triples = kg.triple_count()
    data = gather(kg)
    report = compute_coverage(data)
    s = report.summary()
    pairs = [(timed(lambda: gaps_once(kg), 1, "gaps"), timed(lambda: sparql_gap_once(kg), 1)) for _ in range(runs)]
    gaps_med, gaps_min = statistics.median(a[0] for a, _ in pairs), min(a[1] for a, _ in pairs)
    sq_med, sq_min = statistics.median(b[0] for _, b in pairs), min(b[1] for _, b in pairs)  # taking turns
    json_med, json_min, _ = timed(lambda: gaps_once(kg, True), max(1, runs // 2))
    plan_med, plan_min, p = timed(lambda: plan_once(kg), runs, "plan")
    g10_med, g10_min, g10 = timed(lambda: plan(data, None, 10, exact=False), max(1, runs // 2))
    algo = getattr(p, "algorithm", "")
    return [
        name,
        f"{triples:,}",
        f"{s.n_risks:,} / {len(data.tests):,}",
        fmt(load),
        f"{fmt(gaps_med)} ({fmt(gaps_min)}; cpu {fmt(CPU['gaps'])})",
        f"{fmt(sq_med)} ({fmt(sq_min)})",
        f"{gaps_med / sq_med:.1f}x",
        f"{fmt(json_med)} ({fmt(json_min)})",
        f"{fmt(plan_med)} ({fmt(plan_min)}; cpu {fmt(CPU['plan'])})",
        f"{fmt(g10_med)} ({fmt(g10_min)})",
        algo.split(" (")[0] + (f", {algo.split(', ')[-1].rstrip(')')}" if "nodes" in algo else ""),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark airisk gaps and plan.")
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="generated sizes in triples, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (3 at 1e6)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-real", action="store_true", help="skip the real data")
    args = parser.parse_args(argv)
    header = [
        "graph",
        "triples",
        "risks / tests",
        "load (not in the figures)",
        "gaps median (min; min CPU)",
        "sparql gap (comparator)",
        "ratio",
        "gaps+json",
        "plan K=5 median (min; min CPU)",
        "plan greedy K=10 (gathered)",
        "plan algorithm",
    ]
    rows: list[list[str]] = []
    if not args.no_real:
        t = time.perf_counter()
        kg = KnowledgeGraph.load()
        rows.append(bench("real data", kg, time.perf_counter() - t, args.runs))
        print(" | ".join(rows[-1]), flush=True)
    for size in [float(x) for x in args.sizes.split(",") if x]:
        t = time.perf_counter()
        nt = generate(units_for_triples(size), args.seed)
        store = OxigraphStore()
        store.raw.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_CURATED))
        del nt
        kg = KnowledgeGraph(store)
        load = time.perf_counter() - t
        runs = min(args.runs, 3) if size >= 5e5 else args.runs
        rows.append(bench(f"generated {size:.0e}", kg, load, runs))
        print(" | ".join(rows[-1]), flush=True)
        del kg, store
        gc.collect()
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
