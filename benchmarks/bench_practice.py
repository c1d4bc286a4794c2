"""Benchmark practice coverage beside catalogue coverage, on the real data and with many more reports.

Run::

    .venv/bin/python benchmarks/bench_practice.py                  # real data, then +1,000 and +10,000 reports
    .venv/bin/python benchmarks/bench_practice.py --extra 0 --runs 5

What is timed (wall clock, ``time.perf_counter``; median of ``--runs`` runs in one process), each from
already gathered coverage data (``gather``, timed once and reported apart):

- ``catalogue``: :func:`compute_coverage` of the whole catalogue (the comparator);
- ``practice-read``: reading every report from the store (four SELECT queries, :func:`report_data`);
- ``practice``: filtering the reports (2025 onwards, independent testers) into an inventory and
  :func:`compute_coverage` of it, with the reports read already (what a second filter costs);
- ``practice-cold``: the same including the reading.

The extra reports are synthetic copies of the real ones (new IRIs, same methods, models and testers,
publication dates spread over 2024-2026), added to the store as triples; they exist only in the benchmark.
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

import pyoxigraph as ox  # noqa: E402

from graph.core.namespaces import AR, DCTERMS, PROV, RDF, XSD, entity_iri  # noqa: E402
from graph.coverage.practice import PracticeFilter, practice  # noqa: E402
from graph.coverage.report import compute_coverage  # noqa: E402
from graph.index.data import gather  # noqa: E402
from graph.store.kg import GRAPH_CURATED, KnowledgeGraph  # noqa: E402
from graph.store.oxigraph import OxigraphStore  # noqa: E402

FILTER = PracticeFilter(since="2025", tester_kinds=("independent",))


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def add_reports(kg: KnowledgeGraph, n: int) -> int:
    """Add ``n`` synthetic reports (copies of the real ones' exercises) to the store; return the triples added."""
    rows = kg.select(
        """SELECT ?ex ?p ?o WHERE { VALUES ?p { prov:wasAssociatedWith ar:testedModel ar:usedTestMethod ar:coversRisk
           ar:testerKind } ?ex a ar:TestingExercise ; ?p ?o }"""
    ).rows
    by_ex: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        by_ex.setdefault(r["ex"].value, []).append((r["p"].value, r["o"].value))
    templates = list(by_ex.values())
    store = kg.store
    assert isinstance(store, OxigraphStore)
    graph = ox.NamedNode(GRAPH_CURATED)
    quads = []
    for i in range(n):
        rep, ex = (
            ox.NamedNode(str(entity_iri("report", f"synthetic-{i}"))),
            ox.NamedNode(str(entity_iri("exercise", f"synthetic-{i}"))),
        )
        year, month = 2024 + i % 3, 1 + i % 12
        quads += [
            ox.Quad(rep, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(AR.EvaluationReport)), graph),
            ox.Quad(rep, ox.NamedNode(str(PROV.wasGeneratedBy)), ex, graph),
            ox.Quad(rep, ox.NamedNode(str(DCTERMS.identifier)), ox.Literal(f"synthetic-{i}"), graph),
            ox.Quad(rep, ox.NamedNode(str(DCTERMS.title)), ox.Literal(f"Synthetic report {i}"), graph),
            ox.Quad(rep, ox.NamedNode(str(DCTERMS.issued)),
                    ox.Literal(f"{year}-{month:02d}", datatype=ox.NamedNode(str(XSD.gYearMonth))), graph),
            ox.Quad(ex, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(AR.TestingExercise)), graph),
        ]  # fmt: skip
        for p, o in templates[i % len(templates)]:
            quads.append(ox.Quad(ex, ox.NamedNode(p), ox.NamedNode(o), graph))
    store.raw.extend(quads)
    return len(quads)


def bench(kg: KnowledgeGraph, label: str, runs: int) -> None:
    t = time.perf_counter()
    data = gather(kg)
    t_gather = time.perf_counter() - t

    def cold() -> None:
        data.cache.pop("reports", None)
        compute_coverage(data, practice(data, FILTER).to_inventory(data))

    def read() -> None:
        data.cache.pop("reports", None)
        practice(data)

    def warm() -> None:
        compute_coverage(data, practice(data, FILTER).to_inventory(data))

    catalogue = median(lambda: compute_coverage(data), runs)
    t_read = median(read, runs)
    t_warm = median(warm, runs)
    t_cold = median(cold, runs)
    p = practice(data, FILTER)
    print(
        f"{label}: {len(practice(data).reports)} reports, {len(p.reports)} kept by the filter; gather {t_gather:.3f} s"
    )
    for name, value in (("catalogue", catalogue), ("practice-read", t_read), ("practice", t_warm),
                        ("practice-cold", t_cold)):  # fmt: skip
        print(f"  {name:14s} {value * 1000:9.1f} ms   {value / catalogue:5.2f} x catalogue")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--extra", default="1000,10000", help="comma-separated numbers of synthetic reports to add")
    args = ap.parse_args()
    sizes = [0] + [int(float(x)) for x in args.extra.split(",") if x.strip() and float(x) > 0]
    for n in sizes:
        kg = KnowledgeGraph.load()
        added = add_reports(kg, n) if n else 0
        bench(kg, f"real data + {n} synthetic reports ({added} triples added)", args.runs)


if __name__ == "__main__":
    main()
