"""Load test of the SPARQL endpoint: concurrent clients on loopback, a mix of catalogue queries.

Starts, one after the other:

- ``airisk serve`` on the embedded store (``embedded``), and again with its answer cache off
  (``embedded-nocache``, ``--answer-cache-mb 0``: every request runs on a query worker),
- an in-memory Oxigraph server (``oxigraph serve --union-default-graph``, no ``--location``)
  filled with ``airisk load --store``, and ``airisk serve --store URL`` over it,
- the comparator: that in-memory Oxigraph server queried directly, without the endpoint in
  between (the fastest a SPARQL server can answer the same queries on the same data here).

Each run sends a mix of catalogue queries (with their default parameters, shuffled with a fixed
seed) from each number of ``--clients`` concurrent clients for ``--duration`` seconds, after one
warm-up pass, and prints throughput and latency percentiles, and each mode's throughput as a ratio
of the comparator's. Two mixes: ``full`` is every catalogue query; ``light`` leaves out the ones
the comparator takes more than ``--light-ms`` to answer (named in the output), so that it measures
what each request costs rather than one heavy query. In the full mix, the per-query medians show
whether cheap queries wait behind heavy ones. Then one client sends ``ASK {}`` ``--asks`` times to
each mode (the fixed cost of a request). Modes take turns, round by round. Everything runs on this
machine, so clients, endpoint, workers and store share its cores: the figures are a floor, not a
ceiling.

With ``--sizes`` (e.g. ``1e6``), the same is done on generated graphs (``generate.py``): the
embedded endpoint over the generated graph against an in-memory ``oxigraph serve`` holding the
same triples, in the light mix only (the heavy queries run for minutes there), with
``tests-for-risk`` asked for the generated risk with most tests.

    python benchmarks/bench_endpoint.py                       # shipped data, 8 and 32 clients, 15 s each
    python benchmarks/bench_endpoint.py --sizes 1e6 --clients 8 --mix light
    python benchmarks/bench_endpoint.py --clients 16 --duration 30 --workers 4
    python benchmarks/bench_endpoint.py --data tests/fixtures/endpoint --modes embedded
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from graph.core.errors import QueryError  # noqa: E402
from graph.core.namespaces import add_prefixes  # noqa: E402

MODES = ("embedded", "embedded-nocache", "remote", "oxigraph-memory")
GRAPH_CURATED = "https://w3id.org/airisk/id/graph/curated"
COMPARATOR = "oxigraph-memory"


@dataclass
class Run:
    mode: str
    clients: int
    mix: str = "full"
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    per_query: dict[str, list[float]] = field(default_factory=dict)


def catalogue_mix(prefixes: dict[str, str]) -> list[tuple[str, str]]:
    """(name, text) of every catalogue query that renders with its default parameters."""
    from graph.core.errors import QueryError
    from graph.queries.catalogue import load_catalogue

    out = []
    for name, q in load_catalogue().items():
        try:
            out.append((name, q.render({}, prefixes)))
        except QueryError:
            continue
    return out


def classify(url: str, mix: list[tuple[str, str]], limit_ms: float) -> set[str]:
    """The names of the queries that ``url`` answers within ``limit_ms`` (best of three), the light mix."""
    headers = {"Accept": "application/sparql-results+json"}
    light = set()
    with httpx.Client(timeout=120, trust_env=False) as c:
        for name, text in mix:
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                r = c.post(url, data={"query": text}, headers=headers)
                best = min(best, time.perf_counter() - t0)
                if r.status_code != 200:
                    break
            if r.status_code == 200 and best * 1000 <= limit_ms:
                light.add(name)
    return light


def start_command(cmd: list[str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+/sparql)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"airisk serve did not start: {line}{proc.stderr.read() if proc.stderr else ''}")
    return proc, m.group(1)


def start_serve(data: Path, workers: int, *extra: str) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "graph", "--data", str(data), "serve", "--port", "0", "--workers", str(workers)]
    return start_command([*cmd, *extra])


def start_oxigraph(location: Path | None = None) -> tuple[subprocess.Popen[bytes], str]:
    from tests.endpoint.servers import free_port  # the test helper: a free loopback port

    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not oxigraph:
        raise SystemExit("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    cmd = [oxigraph, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if location is not None:
        cmd += ["--location", str(location)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(200):
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=2)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("oxigraph did not start")


def stop(proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def drive(mode: str, url: str, mix: list[tuple[str, str]], clients: int, duration: float, seed: int) -> Run:
    """Send the mix from ``clients`` threads for ``duration`` seconds."""
    run = Run(mode, clients)
    lock = threading.Lock()
    headers = {"Accept": "application/sparql-results+json"}
    with httpx.Client(timeout=120, trust_env=False) as warm:
        for name, text in mix:
            r = warm.post(url, data={"query": text}, headers=headers)
            if r.status_code != 200:
                raise SystemExit(f"{mode}: warm-up query {name} failed with {r.status_code}: {r.text[:300]}")
    deadline = time.perf_counter() + duration

    def client(i: int) -> None:
        order = list(mix)
        random.Random(seed + i).shuffle(order)
        n = 0
        with httpx.Client(timeout=120, trust_env=False) as c:
            while time.perf_counter() < deadline:
                name, text = order[n % len(order)]
                n += 1
                t0 = time.perf_counter()
                try:
                    status = c.post(url, data={"query": text}, headers=headers).status_code
                except httpx.HTTPError:
                    status = -1
                dt = time.perf_counter() - t0
                with lock:
                    if status == 200:
                        run.latencies.append(dt)
                        run.per_query.setdefault(name, []).append(dt)
                    else:
                        run.errors[status] = run.errors.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - t0
    return run


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def report(runs: list[Run], mix: str, heavy: list[str]) -> None:
    runs = [r for r in runs if r.mix == mix]
    if not runs:
        return
    print()
    left_out = f" (left out as heavy: {', '.join(sorted(heavy))})" if mix == "light" and heavy else ""
    print(f"{mix} mix{left_out}")
    print(
        f"{'mode':<17}{'clients':>8}{'requests':>10}{'errors':>8}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}"
    )
    base = {r.clients: len(r.latencies) / r.seconds for r in runs if r.mode == COMPARATOR and r.seconds}
    for r in runs:
        lat = [x * 1000 for x in r.latencies]
        errors = sum(r.errors.values())
        rate = len(lat) / r.seconds if r.seconds else 0.0
        ratio = f"{rate / base[r.clients]:.2f}x" if base.get(r.clients) else "-"
        print(
            f"{r.mode:<17}{r.clients:>8}{len(lat):>10}{errors:>8}{rate:>9.1f}{ratio:>8}{pct(lat, 50):>9.1f}"
            f"{pct(lat, 95):>9.1f}{pct(lat, 99):>9.1f}{max(lat, default=float('nan')):>9.1f}"
        )
        if r.errors:
            print(f"{'':<17}errors by status: {dict(sorted(r.errors.items()))}")
    print(f"(ratio: req/s over the comparator's, {COMPARATOR}, at the same number of clients)")
    modes = list(dict.fromkeys(r.mode for r in runs))
    names = sorted({n for r in runs for n in r.per_query})
    print(f"median latency per query (ms), all client counts: {', '.join(modes)}; ratio over {COMPARATOR}")
    for n in names:
        cells = []
        meds = {}
        for mode in modes:
            lat = [x for r in runs if r.mode == mode for x in r.per_query.get(n, [])]
            meds[mode] = statistics.median(lat) if lat else None
            cells.append(f"{meds[mode] * 1000:9.1f}" if lat else "        -")
        ref = meds.get(COMPARATOR)
        ratios = [f"{meds[m] / ref:6.1f}x" for m in modes if m != COMPARATOR and meds[m] and ref]
        print(f"  {n:<38}" + "".join(cells) + "  " + " ".join(ratios))


def ask_latency(url: str, n: int) -> list[float]:
    """``n`` sequential ``ASK {}`` requests from one client (one connection): the fixed cost of a request."""
    out = []
    headers = {"Accept": "application/sparql-results+json"}
    with httpx.Client(timeout=30, trust_env=False) as c:
        c.get(url, params={"query": "ASK {}"}, headers=headers)
        for _ in range(n):
            t0 = time.perf_counter()
            r = c.get(url, params={"query": "ASK {}"}, headers=headers)
            dt = time.perf_counter() - t0
            if r.status_code == 200:
                out.append(dt)
    return out


def drive_all(
    targets: dict[str, tuple[str, list[tuple[str, str]]]], mixes: dict[str, set[str]], args: argparse.Namespace
) -> list[Run]:
    """Every mix, number of clients and mode; the modes take turns, round by round, so that other
    load on the machine hits them alike."""
    runs: dict[tuple[str, str, int], Run] = {}
    for mix, names in mixes.items():
        for clients in args.clients:
            for i in range(args.rounds):
                for mode in (m for m in MODES if m in targets):
                    url, queries = targets[mode]
                    chosen = [q for q in queries if q[0] in names]
                    part = drive(mode, url, chosen, clients, args.duration / args.rounds, args.seed + 1000 * i)
                    run = runs.setdefault((mix, mode, clients), Run(mode, clients, mix))
                    run.seconds += part.seconds
                    run.latencies += part.latencies
                    for status, n in part.errors.items():
                        run.errors[status] = run.errors.get(status, 0) + n
                    for name, lat in part.per_query.items():
                        run.per_query.setdefault(name, []).extend(lat)
    return list(runs.values())


def choose_mixes(
    targets: dict[str, tuple[str, list[tuple[str, str]]]], args: argparse.Namespace
) -> tuple[dict[str, set[str]], list[str]]:
    """The mixes asked for, and the heavy queries the light mix leaves out (timed on the comparator)."""
    ref = COMPARATOR if COMPARATOR in targets else next(iter(targets))
    url, queries = targets[ref]
    every = {n for n, _ in queries}
    light = classify(url, queries, args.light_ms) if "light" in args.mix else every
    mixes = {m: (every if m == "full" else light) for m in args.mix}
    return mixes, sorted(every - light)


def serve_file(path: Path, workers: int, answer_cache_mb: int) -> None:
    """Serve a generated N-Triples file from an embedded store (what ``--sizes`` starts)."""
    import pyoxigraph as ox

    from graph import KnowledgeGraph
    from graph.endpoint.app import EndpointConfig, serve
    from graph.store.oxigraph import OxigraphStore

    store = OxigraphStore()
    store.raw.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH_CURATED))
    serve(KnowledgeGraph(store), port=0, config=EndpointConfig(workers=workers, answer_cache_mb=answer_cache_mb))


def generated(size: float, args: argparse.Namespace, tmp: Path) -> None:
    """The endpoint against in-memory Oxigraph on a generated graph of about ``size`` triples."""
    import pyoxigraph as ox
    from generate import generate, units_for_triples

    from graph.core.namespaces import all_prefixes
    from graph.queries.catalogue import load_catalogue

    t0 = time.perf_counter()
    nt = generate(units_for_triples(size), args.seed)
    path = tmp / f"generated-{size:.0e}.nt"
    path.write_text(nt)
    scratch = ox.Store()
    scratch.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    triples = len(scratch)
    # tests-for-risk is asked for the risk with most tests (the default risk is not generated).
    best = next(
        iter(
            scratch.query(
                "SELECT ?r (COUNT(?t) AS ?n) WHERE { ?t <https://w3id.org/airisk/ontology#assessesRisk> ?r } "
                "GROUP BY ?r ORDER BY DESC(?n) ?r LIMIT 1"
            )
        )
    )
    risk = best["r"].value  # type: ignore[union-attr]
    del scratch
    prefixes = all_prefixes()
    mix = []
    for name, q in load_catalogue().items():
        try:
            values = {p.name: risk for p in q.params if p.name == "risk"}
            mix.append((name, q.render(values, prefixes)))
        except QueryError:
            continue
    print(f"\ngenerated graph: {triples} triples ({time.perf_counter() - t0:.1f} s to generate); risk {risk}")
    procs: list[subprocess.Popen[str] | subprocess.Popen[bytes]] = []
    try:
        targets: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        for mode, cache_mb in (("embedded", 64), ("embedded-nocache", 0)):
            if mode in args.modes:
                cmd = [sys.executable, __file__, "--serve-file", str(path), "--workers", str(args.workers)]
                proc, url = start_command([*cmd, "--answer-cache-mb", str(cache_mb)])
                procs.append(proc)
                targets[mode] = (url, mix)
        ox_proc, store_url = start_oxigraph()
        procs.append(ox_proc)
        base = store_url.removesuffix("/query")
        with httpx.Client(timeout=600, trust_env=False) as c:
            r = c.post(f"{base}/store", params={"graph": GRAPH_CURATED}, content=nt.encode(),
                       headers={"Content-Type": "application/n-triples"})  # fmt: skip
            if r.status_code >= 300:
                raise SystemExit(f"loading oxigraph failed: {r.status_code} {r.text[:300]}")
        del nt
        print(f"ready after {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.2f}")
        targets[COMPARATOR] = (store_url, [(n, add_prefixes(t, prefixes)) for n, t in mix])
        # The light mix only: at this size the heavy queries run for minutes on the comparator.
        mixes, heavy = choose_mixes(targets, argparse.Namespace(**{**vars(args), "mix": ["light"]}))
        runs = drive_all(targets, mixes, args)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
    for name in mixes:
        report(runs, name, heavy)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="curated data folder (default: the shipped data)")
    ap.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--duration", type=float, default=15.0, help="seconds per mode, mix and client count")
    ap.add_argument("--workers", type=int, default=2, help="query workers of the endpoint")
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--mix", nargs="+", default=["light", "full"], choices=["light", "full"])
    ap.add_argument("--light-ms", type=float, default=50.0, help="the light mix leaves out queries slower than this")
    ap.add_argument("--sizes", default="", help="generated graph sizes in triples, e.g. 1e6 (default: none)")
    ap.add_argument("--no-real", action="store_true", help="skip the shipped data (with --sizes)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=3, help="the modes take turns this many times")
    ap.add_argument("--asks", type=int, default=300, help="ASK {} requests per mode for the one-client latency")
    ap.add_argument("--serve-file", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--answer-cache-mb", type=int, default=64, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_file is not None:
        serve_file(args.serve_file, args.workers, args.answer_cache_mb)
        return
    if not args.no_real:
        shipped(args)
    if args.sizes:
        with tempfile.TemporaryDirectory(prefix="airisk-bench-") as tmp:
            for size in (float(x) for x in args.sizes.split(",") if x):
                generated(size, args, Path(tmp))


def shipped(args: argparse.Namespace) -> None:
    """The endpoint (embedded, and over a remote store) against in-memory Oxigraph on the curated data."""
    from graph import KnowledgeGraph
    from graph.core.resources import data_dir

    data = args.data or data_dir()
    kg = KnowledgeGraph.load(data=data)
    mix = catalogue_mix(kg.prefixes)
    print(
        f"data: {data} ({kg.triple_count()} triples); {len(mix)} catalogue queries; "
        f"clients {args.clients}; {args.duration:g} s per mode, mix and client count; {args.workers} endpoint workers; "
        f"{os.cpu_count()} CPUs (clients, endpoint and store share them); "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    procs: list[subprocess.Popen[str] | subprocess.Popen[bytes]] = []
    targets: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    asks: dict[str, list[float]] = {}
    try:
        if "embedded" in args.modes:
            proc, url = start_serve(data, args.workers)
            procs.append(proc)
            targets["embedded"] = (url, mix)
        if "embedded-nocache" in args.modes:
            proc, url = start_serve(data, args.workers, "--answer-cache-mb", "0")
            procs.append(proc)
            targets["embedded-nocache"] = (url, mix)
        if {"remote", COMPARATOR} & set(args.modes):
            ox_proc, store_url = start_oxigraph()  # in memory
            procs.append(ox_proc)
            loaded = subprocess.run(
                [sys.executable, "-m", "graph", "--data", str(data), "load", "--store", store_url],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if loaded.returncode:
                raise SystemExit(loaded.stderr)
            print(loaded.stdout.strip())
            if "remote" in args.modes:
                proc, url = start_serve(data, args.workers, "--store", store_url)
                procs.append(proc)
                targets["remote"] = (url, mix)
            if COMPARATOR in args.modes:
                # The same queries with the prefixes written out (the endpoint adds them itself).
                targets[COMPARATOR] = (store_url, [(n, kg.with_prefixes(t)) for n, t in mix])
        mixes, heavy = choose_mixes(targets, args)
        runs = drive_all(targets, mixes, args)
        for _ in range(args.rounds):
            for mode in (m for m in MODES if m in targets):
                asks.setdefault(mode, []).extend(ask_latency(targets[mode][0], max(1, args.asks // args.rounds)))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
    for name in mixes:
        report(runs, name, heavy)
    print()
    base = statistics.median(asks[COMPARATOR]) if asks.get(COMPARATOR) else None
    print("ASK {} latency, one client (ms): median (p95), ratio of medians over the comparator")
    for mode, lat in asks.items():
        med = statistics.median(lat)
        ratio = f"{med / base:.1f}x" if base else "-"
        print(f"  {mode:<17}{med * 1000:8.2f} ({pct(lat, 95) * 1000:.2f}) {ratio}")


if __name__ == "__main__":
    main()
