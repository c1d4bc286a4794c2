"""App timings in a real browser (Debian's Chromium via Playwright), offline, on loopback.

Prints (no assertions):

1. the network view in the library: neighbourhood cut, layout and HTML for 500 / 2,000 / 5,000
   nodes of a synthetic graph (``benchmarks/generate.py``);
2. the same pages alone in Chromium: time to first draw, and a zoom redraw;
3. the app on the shipped data, beside a hello-world Streamlit app (the comparator, as ratios):
   the first visit after the server starts (content ready, with an empty and with a warm store
   cache), per page the first paint and content ready of a fresh load, page switches from the
   sidebar (median and p95), and interactions (search, network depth, a SPARQL query, the
   coverage "gaps only" toggle, the planner's K);
4. the app on a synthetic graph served by ``oxigraph serve`` (``AIRISK_STORE``): an entity page
   whose network view shows about 2,000 nodes.

Usage::

    python benchmarks/bench_app.py                 # everything, 3 runs each
    python benchmarks/bench_app.py --runs 5 --skip-synthetic
    python benchmarks/bench_app.py --app-only      # sections 3a and 3 (about 5 minutes at 3 runs)

The load average is printed before and after each section: the machine is shared, so compare the
ratios, which come from runs in which subject and comparator take turns.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]  # fmt: skip
GRAPH_CURATED = "https://w3id.org/airisk/id/graph/curated"
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
WATCH_RUNS = """() => { window.__runs = 0; const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'notRunning') window.__runs++; })
    .observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] }); }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> float:
    start = time.perf_counter()
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.perf_counter() - start
        except OSError:
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                raise SystemExit(f"{url} did not come up") from None
            time.sleep(0.05)


def p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank (the largest value below 20 runs)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def stat(values: list[float]) -> str:
    """Median and p95 in ms, and the number of runs."""
    return f"{statistics.median(values) * 1000:,.0f} ms (p95 {p95(values) * 1000:,.0f}) ×{len(values)}"


def ratio(values: list[float], base: list[float]) -> str:
    return f"{statistics.median(values) / statistics.median(base):.1f}×"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def fmt(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0] * 1000:,.0f} ms"
    lo, mid, hi = min(values) * 1000, statistics.median(values) * 1000, max(values) * 1000
    return f"{mid:,.0f} ms ({lo:,.0f}–{hi:,.0f}) ×{len(values)}"


def row(name: str, values: list[float], extra: str = "") -> None:
    print(f"| {name} | {fmt(values)} |{' ' + extra if extra else ''}")


# ------------------------------------------------------------------------------------ library
def synthetic_graph(units: int) -> Any:
    import pyoxigraph as ox
    from generate import generate

    from graph.store.kg import KnowledgeGraph
    from graph.store.oxigraph import OxigraphStore
    from graph.store.projection import build_networkx

    store = OxigraphStore()
    store.raw.load(generate(units, 42), format=ox.RdfFormat.N_TRIPLES)
    return build_networkx(KnowledgeGraph(store))


def bench_library(runs: int) -> dict[int, str]:
    from graph.explore.network import neighbourhood_view

    print("\n## 1. Network view in the library (ego cut + radial layout + HTML), synthetic graph\n")
    print("| nodes drawn | time | HTML size |")
    print("|---|---|---|")
    pages: dict[int, str] = {}
    for units in (500, 2000, 5000):
        g = synthetic_graph(units)
        centre = "https://w3id.org/airisk/id/scheme/nist600"
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            view = neighbourhood_view(g, centre, 1, None, max_nodes=10_000)
            times.append(time.perf_counter() - t)
        size = view.n_nodes
        pages[size] = view.html
        print(f"| {size:,} | {fmt(times)} | {len(view.html) / 1e6:.2f} MB |")
    return pages


def bench_standalone(browser: Any, pages: dict[int, str], runs: int) -> None:
    print("\n## 2. The network page alone in Chromium (physics off, precomputed positions)\n")
    print("| nodes | first draw after load | zoom: wheel to redrawn |")
    print("|---|---|---|")
    for size, html in pages.items():
        draws, zooms = [], []
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            t = time.perf_counter()
            page.set_content(html)
            page.wait_for_selector("body[data-drawn='1']", timeout=120_000)
            draws.append(time.perf_counter() - t)
            page.evaluate("() => { window.__drawn = 0; window.network.on('afterDrawing', () => window.__drawn++); }")
            page.mouse.move(600, 400)
            t = time.perf_counter()
            page.mouse.wheel(0, -300)
            page.wait_for_function("window.__drawn > 0", timeout=60_000)
            zooms.append(time.perf_counter() - t)
            page.close()
        print(f"| {size:,} | {fmt(draws)} | {fmt(zooms)} |")


# ------------------------------------------------------------------------------------ the app
@contextmanager
def streamlit(env: dict[str, str], script: Path | None = None) -> Iterator[tuple[str, float]]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        try:
            ready = wait_http(f"http://127.0.0.1:{port}/_stcore/health", proc)
            yield f"http://127.0.0.1:{port}", ready
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:  # a busy machine: do not leave it running
                proc.kill()
                proc.wait(10)


def idle(page: Any) -> None:
    page.wait_for_selector(APP_IDLE, timeout=180_000)


def load(page: Any, url: str, text: str) -> tuple[float, float]:
    """Fresh load: (first contentful paint, time until ``text`` shows and the run is over)."""
    t = time.perf_counter()
    page.goto(url)
    page.get_by_text(text).first.wait_for(timeout=180_000)
    idle(page)
    total = time.perf_counter() - t
    fcp = page.evaluate(
        "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
    )
    return fcp / 1000, total


def rerun_time(page: Any, action: Callable[[], None], then: Callable[[], None] | None = None) -> float:
    """Time from an action until the script run it caused has finished (and ``then`` holds)."""
    page.evaluate(WATCH_RUNS)
    t = time.perf_counter()
    action()
    page.wait_for_function("window.__runs > 0", timeout=180_000)
    if then:
        then()
    return time.perf_counter() - t


PAGES = [
    ("", "Overview", "The ten worst gaps"),
    ("explore", "Explore", "Search across every entity"),
    ("explore?id=mit:4.2", "Entity page (mit:4.2)", "Neighbourhood"),
    ("coverage", "Coverage", "Ranked gaps"),
    ("plan", "Plan", "Start from what you run today"),
    ("compare", "Compare", "Per risk"),
    ("practice", "Practice", "Timeline of reports"),
    ("versions", "Versions", "Mappings, links and coverage"),
    ("sparql", "SPARQL", "Example queries"),
    ("data", "Data & method", "Coverage rubric"),
]


HELLO = 'import streamlit as st\n\nst.title("Hello")\nst.write("The ten worst gaps")\n'
#: The comparator of fresh loads and page switches: two pages, a title and a line each.
HELLO_PAGES = """import streamlit as st

st.set_page_config(page_title="Hello", layout="wide")


def first() -> None:
    st.title("Hello")
    st.write("The first page")


def second() -> None:
    st.title("Second")
    st.write("The second page")


st.navigation([st.Page(first, title="First", default=True), st.Page(second, title="Second", url_path="second")]).run()
"""
HELLO_SWITCH = [("First", "The first page"), ("Second", "The second page")]


def bench_first_visit(browser: Any, runs: int) -> None:
    """First visit after the server starts: a hello-world app (the comparator) and the Overview,
    with an empty store cache (the graph is built) and with a warm one, taking turns."""
    print(f"\n## 3a. First visit after start, content ready (a new server each time; {load_average()})\n")
    tmp = Path(tempfile.mkdtemp(prefix="airisk-bench-first-"))
    hello = tmp / "hello.py"
    hello.write_text(HELLO)
    cache = tmp / "cache"
    comparator = "hello-world Streamlit app (comparator)"
    times: dict[str, list[float]] = {comparator: [], "Overview, empty cache": [], "Overview, warm cache": []}
    try:
        for _ in range(runs):
            for name in times:
                env = {"AIRISK_WORKSPACE": str(tmp / "ws"), "AIRISK_DATA": "", "AIRISK_CACHE_DIR": str(cache)}
                if name.endswith("empty cache"):
                    shutil.rmtree(cache, ignore_errors=True)
                with streamlit(env, hello if name.startswith("hello") else None) as (base, ready):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    _fcp, total = load(page, base + "/", "The ten worst gaps")
                    times[name].append(total)
                    page.close()
        print("| first visit | content ready, median (p95) | ratio |")
        print("|---|---|---|")
        for name, values in times.items():
            print(f"| {name} | {stat(values)} | {ratio(values, times[comparator])} |")
        print(f"\n({load_average()})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def switch_time(page: Any, name: str, text: str) -> float:
    """Click ``name`` in the sidebar; time until ``text`` shows and the run is over."""
    link = page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True)
    t = time.perf_counter()
    link.click()
    page.get_by_text(text).first.wait_for(timeout=60_000)
    idle(page)
    return time.perf_counter() - t


def bench_app(browser: Any, runs: int, interactions: bool = True) -> None:
    print(f"\n## 3. The app on the shipped data (streamlit run, loopback, Chromium; {load_average()})\n")
    workspace = tempfile.mkdtemp(prefix="airisk-bench-ws-")
    hello = Path(tempfile.mkdtemp(prefix="airisk-bench-hello-")) / "hello_pages.py"
    hello.write_text(HELLO_PAGES)
    with (
        streamlit({"AIRISK_WORKSPACE": workspace, "AIRISK_DATA": ""}) as (base, ready),
        streamlit({}, hello) as (hello_base, _hello_ready),
    ):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _fcp, cold = load(page, base + "/", "The ten worst gaps")
        print(f"server ready: {ready * 1000:,.0f} ms; first visit (store cache as found): {cold * 1000:,.0f} ms\n")
        fresh: dict[str, tuple[list[float], list[float]]] = {}
        hello_fcps, hello_totals = [], []
        for _ in range(runs):
            for path, name, text in PAGES:
                p = browser.new_page(viewport={"width": 1400, "height": 1000})  # the comparator's turn
                fcp, total = load(p, hello_base + "/", "The first page")
                hello_fcps.append(fcp)
                hello_totals.append(total)
                p.close()
                p = browser.new_page(viewport={"width": 1400, "height": 1000})
                fcp, total = load(p, f"{base}/{path}", text)
                fresh.setdefault(name, ([], []))[0].append(fcp)
                fresh[name][1].append(total)
                p.close()
        print("| page (fresh load in a new tab) | first paint | content ready, median (p95) | ratio |")
        print("|---|---|---|---|")
        print(f"| hello-world, two pages (comparator) | {fmt(hello_fcps)} | {stat(hello_totals)} | 1.0× |")
        for name, (fcps, totals) in fresh.items():
            print(f"| {name} | {fmt(fcps)} | {stat(totals)} | {ratio(totals, hello_totals)} |")

        hello_page = browser.new_page(viewport={"width": 1400, "height": 1000})
        load(hello_page, hello_base + "/", "The first page")
        load(page, base + "/", "The ten worst gaps")
        switches: dict[str, list[float]] = {}
        hello_switches: list[float] = []
        for _ in range(runs):
            for i, (_path, name, text) in enumerate([p for p in PAGES if not p[1].startswith("Entity")]):
                h_name, h_text = HELLO_SWITCH[(i + 1) % 2]
                hello_switches.append(switch_time(hello_page, h_name, h_text))  # the comparator's turn
                switches.setdefault(name, []).append(switch_time(page, name, text))
        hello_page.close()
        everything = [v for values in switches.values() for v in values]
        print(f"\n| page switch (sidebar click, content ready; {load_average()}) | median (p95) | ratio |")
        print("|---|---|---|")
        print(f"| hello-world, two pages (comparator) | {stat(hello_switches)} | 1.0× |")
        for name, values in switches.items():
            print(f"| {name} | {stat(values)} | {ratio(values, hello_switches)} |")
        print(f"| every switch above | {stat(everything)} | {ratio(everything, hello_switches)} |")
        if interactions:
            print("\n| interaction | time |")
            print("|---|---|")
            try:
                bench_interactions(page, base, runs)
            except Exception as exc:  # noqa: BLE001  (print what was measured, and why the rest was not)
                print(f"| the interactions stopped: {str(exc).splitlines()[0]} | not measured |")
        page.close()
    print(f"\n({load_average()})")


def view_frame(page: Any) -> Any:
    """The frame that draws the network view (nested in its component's frame)."""
    return page.frame_locator("iframe[title*='airisk_network']").first.frame_locator("iframe").first


def click_node_time(page: Any, curie: str) -> float:
    """Click the node of ``curie`` in the network view; time until its entity page shows its own view."""
    host = page.locator("iframe[title*='airisk_network']").first
    host.scroll_into_view_if_needed()
    inner_el = host.element_handle().content_frame().wait_for_selector("iframe")
    inner = inner_el.content_frame()
    inner.wait_for_selector("body[data-drawn='1']")
    point = inner.evaluate(
        """(c) => { const n = window.graphNodes.get().find(n => n.curie === c);
                    return window.network.canvasToDOM(window.network.getPositions([n.id])[n.id]); }""",
        curie,
    )
    canvas = inner.locator("#net").bounding_box()
    before = page.locator("h1").first.inner_text()
    t = time.perf_counter()
    page.mouse.click(canvas["x"] + point["x"], canvas["y"] + point["y"])
    page.wait_for_function("(old) => document.querySelector('h1')?.innerText !== old", arg=before, timeout=60_000)
    view_frame(page).locator("body[data-drawn='1']").wait_for(timeout=60_000)
    return time.perf_counter() - t


def bench_interactions(page: Any, base: str, runs: int) -> None:
    times: dict[str, list[float]] = {}
    try:
        for i in range(runs):
            load(page, base + "/explore", "Search across every entity")
            box = page.get_by_label("Search names, codes and aliases")
            word = ("cyber", "bias", "jailbreak")[i % 3]
            times.setdefault("search (type a word, Enter, results shown)", []).append(
                rerun_time(page, lambda b=box, w=word: (b.fill(w), b.press("Enter")))
            )
            load(page, base + "/explore?id=mit:4.2", "Neighbourhood")
            view_frame(page).locator("body[data-drawn='1']").wait_for()
            slider = page.get_by_role("slider")
            slider.focus()

            def drawn() -> None:
                view_frame(page).locator("body[data-drawn='1']").wait_for(timeout=120_000)

            times.setdefault("network depth 1 → 2 (rerun, layout, redraw)", []).append(
                rerun_time(page, lambda s=slider: s.press("ArrowRight"), drawn)
            )
            load(page, base + "/explore?id=mit:4.2", "Neighbourhood")
            times.setdefault("network: click a node → its entity page drawn (in place)", []).append(
                click_node_time(page, "test:wmdp")
            )
            load(page, base + "/sparql", "Example queries")
            page.get_by_label("Query").fill("SELECT ?t ?l WHERE { ?t a ar:TestMethod ; rdfs:label ?l } ORDER BY ?l")
            times.setdefault("SPARQL query (run, table shown)", []).append(
                rerun_time(page, lambda: page.get_by_role("button", name="Run query").click())
            )
            load(page, base + "/coverage", "Ranked gaps")
            times.setdefault("coverage: gaps only toggle", []).append(
                rerun_time(page, lambda: page.get_by_text("Gaps only").click())
            )
            load(page, base + "/plan", "Start from what you run today")
            if page.get_by_text("Upload a table with a").count():
                page.locator("input[type='file']").set_input_files(str(inventory_file()))
            page.get_by_text("Recommendation").wait_for(timeout=60_000)
            idle(page)
            k = page.get_by_label("Budget K: how many test methods to add")
            times.setdefault("plan: change the budget K (planner reruns)", []).append(
                rerun_time(page, lambda k=k, n=5 + i: (k.fill(str(n)), k.press("Enter")))
            )
    finally:  # what was measured, also when a later step failed
        for name, values in times.items():
            print(f"| {name} | {fmt(values)} |")


@functools.cache
def inventory_file() -> Path:
    """A small inventory of real catalogue test methods (the shipped data has no example)."""
    from graph.importers.session import open_graph
    from graph.index.data import gather

    tests = sorted(t.id for t in gather(open_graph(with_imports=False)).tests.values())[:6]
    path = Path(tempfile.mkdtemp(prefix="airisk-bench-inv-")) / "inventory.csv"
    path.write_text("test_method,status\n" + "".join(f"{t},done\n" for t in tests))
    return path


# ------------------------------------------------------------------------------------ big view
def bench_big_network(browser: Any, units: int, runs: int) -> None:
    import pyoxigraph as ox  # noqa: F401  (the oxigraph CLI comes with the test extra)
    from generate import generate

    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    print(f"\n## 4. The app on a synthetic graph ({units:,} units) served by `oxigraph serve`\n")
    folder = Path(tempfile.mkdtemp(prefix="airisk-bench-store-"))
    nt = folder / "graph.nt"
    nt.write_text(generate(units, 42))
    subprocess.run([oxigraph, "load", "--location", str(folder / "db"), "--file", str(nt), "--graph", GRAPH_CURATED],
                   check=True, capture_output=True)  # fmt: skip
    port = free_port()
    server = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(folder / "db"), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/", server)
        env = {"AIRISK_STORE": f"http://127.0.0.1:{port}/query", "AIRISK_WORKSPACE": str(folder / "ws")}
        with streamlit(env) as (base, _ready):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            _fcp, cold = load(page, base + "/explore?id=scheme:nist600", "Neighbourhood")
            print(f"first visit of the entity page (opens the remote graph, projects it): {cold * 1000:,.0f} ms\n")
            print("| step | time |")
            print("|---|---|")
            opened, shown = [], []
            nodes = 0
            for _ in range(runs):
                _fcp, total = load(page, base + "/explore?id=scheme:nist600", "Neighbourhood")
                opened.append(total)
                box = page.get_by_label("Relations to follow")

                def add_in_scheme(b: Any = box) -> None:
                    b.click()
                    page.keyboard.type("inScheme")
                    page.keyboard.press("Enter")

                def big_drawn() -> None:
                    deadline = time.monotonic() + 180
                    while time.monotonic() < deadline:
                        for f in page.frames:
                            try:
                                if f.evaluate(
                                    "() => !!(window.graphNodes && window.graphNodes.length > 1000 && "
                                    "document.body.getAttribute('data-drawn') === '1')"
                                ):
                                    return
                            except Exception:  # noqa: BLE001  (a frame that is being replaced)
                                continue
                        page.wait_for_timeout(20)
                    raise TimeoutError("the big view was not drawn")

                shown.append(rerun_time(page, add_in_scheme, big_drawn))
                nodes = max(f.evaluate("() => window.graphNodes ? window.graphNodes.length : 0") for f in page.frames)
            row("entity page of scheme:nist600 (fresh load, small view)", opened)
            row(f"add the inScheme relation → {nodes:,}-node view drawn", shown)
            page.close()
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--units", type=int, default=2000, help="synthetic units for section 4 (~1 node each)")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--first-visit-only", action="store_true", help="only section 3a")
    parser.add_argument("--app-only", action="store_true", help="only sections 3a and 3 (no interactions)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    print(f"# bench_app: {os.cpu_count()} cores, Chromium {chromium}, Python {sys.version.split()[0]}")
    print(f"# {load_average()}")
    only_app = args.first_visit_only or args.app_only
    pages = {} if only_app else bench_library(args.runs)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        if only_app:
            bench_first_visit(browser, args.runs)
            if args.app_only:
                bench_app(browser, args.runs, interactions=False)
            browser.close()
            return
        bench_standalone(browser, pages, args.runs)
        bench_first_visit(browser, args.runs)
        bench_app(browser, args.runs)
        if not args.skip_synthetic:
            bench_big_network(browser, args.units, args.runs)
        browser.close()


if __name__ == "__main__":
    main()
