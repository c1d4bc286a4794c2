"""Loading a large graph: ``OxigraphStore.replace_graph`` (what ``load`` and imports use) beside ``bulk_load``.

Generates about ``--triples`` N-Triples (``benchmarks/generate.py``), then, each in a fresh process
and taking turns (subject, comparator, subject, ...), times putting them into an empty in-memory
store and reads the process's peak RSS (``ru_maxrss``). Both processes hold the same text in memory
before the timed step, so the RSS figures compare like with like. A third row replaces a graph that
already holds the same number of triples (the dump of the old graph is kept until the new one parsed).

    python benchmarks/bench_load.py                  # 1e6 triples, 3 turns
    python benchmarks/bench_load.py --triples 1e5 --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

GRAPH = "https://w3id.org/airisk/id/graph/curated"
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import pyoxigraph as ox
from graph.store.oxigraph import OxigraphStore
mode, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
store = OxigraphStore()
if mode == "replace-existing":
    store.replace_graph({graph!r}, text)
t = time.perf_counter()
if mode == "bulk_load":
    store.raw.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode({graph!r}))
else:
    store.replace_graph({graph!r}, text)
seconds = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"s": seconds, "rss": rss, "n": len(store.raw)}}))
"""


def measure(mode: str, path: Path) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), graph=GRAPH)
    out = subprocess.run([sys.executable, "-c", code, mode, str(path)], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=float, default=1e6)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    from generate import generate, units_for_triples

    with tempfile.TemporaryDirectory(prefix="airisk-bench-load-") as tmp:
        path = Path(tmp) / "graph.nt"
        path.write_text(generate(units_for_triples(args.triples), args.seed), encoding="utf-8")
        results: dict[str, list[dict[str, float]]] = {"replace_graph": [], "bulk_load": [], "replace-existing": []}
        for _ in range(args.runs):
            for mode in results:
                results[mode].append(measure(mode, path))
        n = int(results["bulk_load"][0]["n"])
        print(f"{n:,} triples, {args.runs} turns, each a fresh process; medians")
        base_s = statistics.median(r["s"] for r in results["bulk_load"])
        base_m = statistics.median(r["rss"] for r in results["bulk_load"])
        print(f"{'step':<34}{'time s':>8}{'peak RSS MB':>13}{'time ratio':>12}{'RSS ratio':>11}")
        for mode, label in (
            ("replace_graph", "replace_graph (new graph)"),
            ("replace-existing", "replace_graph (graph exists)"),
            ("bulk_load", "Store.bulk_load (comparator)"),
        ):
            s = statistics.median(r["s"] for r in results[mode])
            m = statistics.median(r["rss"] for r in results[mode])
            print(f"{label:<34}{s:>8.2f}{m:>13.0f}{s / base_s:>11.2f}x{m / base_m:>10.2f}x")


if __name__ == "__main__":
    main()
