"""Benchmark the IBM AI Atlas Nexus import and ``airisk diff`` against plain comparators, in one run.

Run::

    .venv/bin/python benchmarks/bench_versions_nexus.py [--runs 3] [--nexus ../shared/external/ai-atlas-nexus]

Printed (median and min wall seconds of ``--runs`` runs, and the smallest CPU time):

- ``yaml only``: PyYAML's C safe loader on every YAML file of the release (the least any reader does);
- ``nexus read``: the importer's reader (YAML with line numbers, records merged, SSSOM tables);
- ``nexus build+check``: :func:`graph.importers.build_import` (read, IRIs, triples, contract checks),
  with its ratio to ``yaml only``;
- ``diff`` / ``diff+coverage``: :func:`diff_schemes` for IASR 2025 -> 2026 without and with the coverage
  comparison, beside ``gaps``, one :func:`compute_coverage` of one taxonomy, which it runs twice.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from graph.coverage.report import compute_coverage  # noqa: E402
from graph.coverage.versions import diff_schemes  # noqa: E402
from graph.importers import build_import  # noqa: E402
from graph.importers.common import Problems  # noqa: E402
from graph.importers.nexus.read import read_release  # noqa: E402
from graph.store.kg import KnowledgeGraph  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(median wall, min wall, min CPU) seconds of ``runs`` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), min(walls), min(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--nexus", type=Path, default=ROOT.parent / "shared" / "external" / "ai-atlas-nexus")
    args = ap.parse_args()
    kg = KnowledgeGraph.load()
    files = sorted((args.nexus / "knowledge_graph").rglob("*.yaml"))

    def yaml_only() -> None:
        for f in files:
            yaml.load(f.read_text(), Loader=yaml.CSafeLoader)  # noqa: S506 - the C *safe* loader

    rows = [
        ("yaml only", timed(yaml_only, args.runs)),
        ("nexus read", timed(lambda: read_release(args.nexus, Problems()), args.runs)),
        ("nexus build+check", timed(lambda: build_import("ai-atlas-nexus", args.nexus, kg), args.runs)),
        ("gaps (one taxonomy)", timed(lambda: compute_coverage(kg, taxonomy="iasr2026"), args.runs)),
        ("diff", timed(lambda: diff_schemes(kg, "iasr2025", "iasr2026", coverage=False), args.runs)),
        ("diff+coverage", timed(lambda: diff_schemes(kg, "iasr2025", "iasr2026"), args.runs)),
    ]
    base = {
        "nexus read": "yaml only",
        "nexus build+check": "yaml only",
        "diff": "gaps (one taxonomy)",
        "diff+coverage": "gaps (one taxonomy)",
    }
    fig = dict(rows)
    print(f"{'what':22} {'median s':>9} {'min s':>8} {'cpu s':>8}  ratio (median)")
    for name, (med, low, cpu) in rows:
        ratio = f"{med / fig[base[name]][0]:.1f}x {base[name]}" if name in base else ""
        print(f"{name:22} {med:9.3f} {low:8.3f} {cpu:8.3f}  {ratio}")


if __name__ == "__main__":
    main()
