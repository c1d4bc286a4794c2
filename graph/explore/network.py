"""The offline network view: an entity's neighbourhood drawn with vendored vis-network.

:func:`neighbourhood_view` cuts the neighbourhood of one entity out of the networkx projection
(:mod:`graph.explore.netx`), places the nodes with :func:`radial_layout` and returns a self-contained
HTML page (:func:`render_html`) for an iframe. Design choices (see the README, "The app"):

- **Offline**: vis-network 9.1.2 (from the pyvis 0.3.2 wheel, licence in ``graph/vendor/``) is
  inlined; the page loads nothing: no CDN, no fonts, no images.
- **Text, never HTML**: labels and tooltips travel as JSON data (``<``, ``>`` and ``&`` escaped
  as ``\\u003c`` etc.), labels are drawn on the canvas, tooltips are plain strings (vis-network
  sets them with ``innerText``) and the legend is built with ``textContent``. Node ids are
  opaque numbers, never IRIs or labels.
- **Fast**: positions are computed here (an O(n) radial layout: rings by hop distance, wedges by
  subtree size), physics is off, so thousands of nodes draw at once.
- **Navigation**: clicking a node opens its entity page in the parent (Streamlit) window; with
  Ctrl/Cmd held, in a new tab.
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import networkx as nx

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "vis-network"

#: Colour and shape per kind of entity (shapes help readers who do not tell the colours apart).
KIND_STYLE: dict[str, tuple[str, str]] = {
    "risk": ("#d62728", "dot"),
    "capability": ("#ff7f0e", "triangle"),
    "test_method": ("#1f77b4", "square"),
    "mitigation": ("#2ca02c", "diamond"),
    "organisation": ("#9467bd", "star"),
    "exercise": ("#8c564b", "hexagon"),
    "report": ("#bc8f5f", "box"),
    "model": ("#e377c2", "triangleDown"),
    "event": ("#7f7f7f", "dot"),
    "method_type": ("#17becf", "square"),
    "mitigation_type": ("#bcbd22", "diamond"),
    "taxonomy": ("#444444", "hexagon"),
}
KIND_NAMES = {
    "risk": "risk category",
    "capability": "capability",
    "test_method": "test method",
    "mitigation": "mitigation",
    "organisation": "organisation",
    "exercise": "testing exercise",
    "report": "evaluation report",
    "model": "AI model",
    "event": "governance event",
    "method_type": "method type",
    "mitigation_type": "mitigation type",
    "taxonomy": "taxonomy",
}
MAX_LABEL = 40
EDGE_LABELS_UP_TO = 60  # draw relation names on edges only for small views


@dataclass(frozen=True)
class NetworkView:
    """A rendered neighbourhood: the HTML and what is in it."""

    html: str
    n_nodes: int
    n_edges: int
    truncated: bool
    relations: list[str] = field(default_factory=list)
    nodes: list[tuple[str, str, str]] = field(default_factory=list)  # (iri, curie, label), nearest first


def relations_of(g: nx.MultiDiGraph) -> list[str]:
    """The relation names used by the edges of ``g``, sorted."""
    return sorted({d["relation"] for _u, _v, d in g.edges(data=True)})


def ego_subgraph(
    g: nx.MultiDiGraph,
    center: str,
    depth: int = 1,
    relations: set[str] | None = None,
    max_nodes: int = 3000,
) -> tuple[nx.MultiDiGraph, bool]:
    """The nodes within ``depth`` hops of ``center`` (either direction, only along
    ``relations`` when given), nearest first, at most ``max_nodes``; returns the subgraph and
    whether it was cut short."""
    if center not in g:
        return nx.MultiDiGraph(), False

    def allowed(data: dict[str, Any]) -> bool:
        return relations is None or data["relation"] in relations

    order = [center]
    seen = {center}
    frontier = [center]
    truncated = False
    for _ in range(max(0, min(depth, 3))):
        nxt: list[str] = []
        for n in frontier:
            neigh = {v for _u, v, d in g.out_edges(n, data=True) if allowed(d)}
            neigh |= {u for u, _v, d in g.in_edges(n, data=True) if allowed(d)}
            for m in sorted(neigh - seen, key=lambda x: _node_key(g, x)):
                seen.add(m)
                nxt.append(m)
        if len(order) + len(nxt) > max_nodes:
            nxt = nxt[: max(0, max_nodes - len(order))]
            truncated = True
        order.extend(nxt)
        frontier = nxt
        if truncated:
            break
    keep = set(order)
    sub: nx.MultiDiGraph = nx.MultiDiGraph()
    for n in order:
        sub.add_node(n, **g.nodes[n])
    for u, v, k, d in g.edges(keys=True, data=True):
        if u in keep and v in keep and allowed(d):
            sub.add_edge(u, v, key=k, **d)
    return sub, truncated


def _node_key(g: nx.MultiDiGraph, n: str) -> tuple[str, str, str]:
    d = g.nodes[n]
    return (str(d.get("kind", "")), str(d.get("label", "")).lower(), n)


def radial_layout(g: nx.Graph, center: str | None = None, spacing: float = 46.0) -> dict[str, tuple[float, float]]:
    """Deterministic O(n) positions in pixels: ``center`` in the middle, each ring one hop
    further out, each node's children in a wedge of the ring proportional to their subtree size.

    Nodes not reachable from ``center`` go on an extra outer ring. Rings grow with the number of
    nodes on them so that neighbours on a ring stay about ``spacing`` pixels apart (large rings
    are staggered in three bands to keep them compact).
    """
    if len(g) == 0:
        return {}
    und = g.to_undirected(as_view=True) if g.is_directed() else g
    key = {n: (str(g.nodes[n].get("kind", "")), str(g.nodes[n].get("label", "")).lower(), str(n)) for n in g}
    if center is None or center not in g:
        center = min(g, key=lambda n: (-und.degree(n), key[n]))
    parent: dict[str, str | None] = {center: None}
    level: dict[str, int] = {center: 0}
    children: dict[str, list[str]] = {n: [] for n in g}
    queue = deque([center])
    while queue:
        n = queue.popleft()
        for m in sorted(und.neighbors(n), key=lambda x: key[x]):
            if m not in parent:
                parent[m] = n
                level[m] = level[n] + 1
                children[n].append(m)
                queue.append(m)
    max_level = max(level.values())
    stray = sorted((n for n in g if n not in parent), key=lambda x: key[x])
    # subtree sizes, deepest first
    size: dict[str, int] = {}
    for n in sorted(parent, key=lambda x: -level[x]):
        size[n] = 1 + sum(size[c] for c in children[n])
    # angular wedges, top-down
    wedge: dict[str, tuple[float, float]] = {center: (0.0, 2 * math.pi)}
    for n in sorted(parent, key=lambda x: level[x]):
        start, end = wedge[n]
        total = sum(size[c] for c in children[n]) or 1
        a = start
        for c in children[n]:
            span = (end - start) * size[c] / total
            wedge[c] = (a, a + span)
            a += span
    # ring radii
    per_level: dict[int, int] = {}
    for n in parent:
        per_level[level[n]] = per_level.get(level[n], 0) + 1
    if stray:
        per_level[max_level + 1] = len(stray)
    radius = {0: 0.0}
    bands: dict[int, int] = {}
    for lv in range(1, max(per_level) + 1):
        count = per_level.get(lv, 0)
        bands[lv] = 3 if count > 150 else 1
        needed = count * spacing / (2 * math.pi) / bands[lv]
        radius[lv] = max(radius[lv - 1] + 3 * spacing + (bands.get(lv - 1, 1) - 1) * spacing, needed)
    pos: dict[str, tuple[float, float]] = {}
    ring_index: dict[int, int] = {}
    for n in sorted(parent, key=lambda x: (level[x], wedge[x][0])):
        lv = level[n]
        if lv == 0:
            pos[n] = (0.0, 0.0)
            continue
        i = ring_index.get(lv, 0)
        ring_index[lv] = i + 1
        start, end = wedge[n]
        angle = (start + end) / 2
        r = radius[lv] + (i % bands[lv]) * spacing
        pos[n] = (r * math.cos(angle), r * math.sin(angle))
    if stray:
        lv = max_level + 1
        for i, n in enumerate(stray):
            angle = 2 * math.pi * i / len(stray)
            r = radius[lv] + (i % bands[lv]) * spacing
            pos[n] = (r * math.cos(angle), r * math.sin(angle))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def entity_url(template: str, curie: str) -> str:
    """The entity page URL: ``template`` with ``{id}`` replaced by the URL-quoted CURIE."""
    return template.replace("{id}", quote(curie, safe=":"))


def _script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no HTML specials)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


def _short_label(label: str) -> str:
    flat = " ".join(label.split())
    return flat if len(flat) <= MAX_LABEL else flat[: MAX_LABEL - 1] + "…"


def graph_data(
    g: nx.MultiDiGraph,
    positions: dict[str, tuple[float, float]],
    center: str | None = None,
    link_template: str = "?id={id}",
) -> dict[str, Any]:
    """The JSON data of the page: nodes (opaque numeric ids), merged edges, legend."""
    ids = {n: i for i, n in enumerate(g.nodes)}
    nodes = []
    for n, d in g.nodes(data=True):
        kind = str(d.get("kind", ""))
        colour, shape = KIND_STYLE.get(kind, ("#999999", "dot"))
        label = str(d.get("label", ""))
        short = str(d.get("curie", n))
        x, y = positions.get(n, (0.0, 0.0))
        node: dict[str, Any] = {
            "id": ids[n],
            "label": _short_label(label),
            "title": f"{label}\n{KIND_NAMES.get(kind, kind)} · {short}\nclick to open",
            "x": float(x),
            "y": float(y),
            "color": colour,
            "shape": shape,
            "url": entity_url(link_template, short),
        }
        if n == center:
            node.update({"size": 20, "font": {"size": 16, "bold": True}, "borderWidth": 3})
        nodes.append(node)
    merged: dict[tuple[str, str], list[str]] = {}
    for u, v, d in g.edges(data=True):
        merged.setdefault((u, v), []).append(str(d["relation"]))
    small = len(merged) <= EDGE_LABELS_UP_TO
    edges = []
    for (u, v), rels in merged.items():
        text = ", ".join(sorted(set(rels)))
        edge: dict[str, Any] = {"from": ids[u], "to": ids[v], "title": text}
        if small:
            edge["label"] = text
        edges.append(edge)
    kinds = sorted({str(d.get("kind", "")) for _n, d in g.nodes(data=True)})
    legend = [{"name": KIND_NAMES.get(k, k), "color": KIND_STYLE.get(k, ("#999999", ""))[0]} for k in kinds]
    return {"nodes": nodes, "edges": edges, "legend": legend, "big": len(nodes) > 500}


@lru_cache(maxsize=1)
def _vendor_js() -> str:
    return (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")


_CSS = """
html,body{margin:0;padding:0;height:100%;font-family:sans-serif;background:#fff}
#net{position:absolute;top:0;left:0;right:0;bottom:0}
#legend{position:absolute;top:6px;left:6px;font-size:12px;background:rgba(255,255,255,.85);
  padding:4px 6px;border:1px solid #ddd;border-radius:4px;z-index:2;max-width:60%}
#legend span.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px 0 8px;
  vertical-align:middle}
div.vis-tooltip{position:absolute;visibility:hidden;padding:5px;white-space:pre-line;font-size:13px;
  color:#000;background:#f5f4ed;border:1px solid #808074;border-radius:3px;
  box-shadow:3px 3px 10px rgba(0,0,0,.2);pointer-events:none;z-index:5;max-width:420px}
div.vis-network:focus{outline:none}
"""

_JS = """
(function () {
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var legend = document.getElementById("legend");
  data.legend.forEach(function (item) {
    var sw = document.createElement("span");
    sw.className = "sw";
    sw.style.background = item.color;
    legend.appendChild(sw);
    legend.appendChild(document.createTextNode(item.name));
  });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var options = {
    physics: { enabled: false },
    layout: { improvedLayout: false },
    nodes: { size: 10, font: { size: 12, face: "sans-serif" }, borderWidth: 1 },
    edges: {
      smooth: false, width: 1, color: { color: "#a0a4a8", highlight: "#333", hover: "#333" },
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      font: { size: 10, face: "sans-serif", color: "#555", strokeWidth: 2, align: "middle" }
    },
    interaction: {
      hover: !data.big, tooltipDelay: 120, hideEdgesOnDrag: data.big, hideEdgesOnZoom: data.big,
      navigationButtons: false, keyboard: false, multiselect: false
    }
  };
  var network = new vis.Network(document.getElementById("net"), { nodes: nodes, edges: edges }, options);
  window.network = network;
  window.graphNodes = nodes;
  network.once("afterDrawing", function () {
    window.airiskFirstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });
  function open(url, newTab) {
    var host = window;
    try { if (window.parent && window.parent.document) { host = window.parent; } } catch (e) { host = window; }
    var target = new URL(url, host.location.href).href;
    if (newTab) { window.open(target, "_blank", "noopener"); return; }
    var a = host.document.createElement("a");
    a.href = target;
    a.target = "_self";
    a.rel = "noopener";
    host.document.body.appendChild(a);
    a.click();
    a.remove();
  }
  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var node = nodes.get(params.nodes[0]);
    var ev = params.event && params.event.srcEvent;
    window.airiskLastClick = node.url;
    open(node.url, !!(ev && (ev.ctrlKey || ev.metaKey)));
  });
})();
"""


def render_html(
    g: nx.MultiDiGraph,
    positions: dict[str, tuple[float, float]],
    center: str | None = None,
    link_template: str = "?id={id}",
    height: int = 600,
) -> str:
    """A self-contained HTML page that draws ``g`` at ``positions`` (no external resources)."""
    data = graph_data(g, positions, center, link_template)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">"
        f"<style>{_CSS}</style></head>"
        f"<body style='height:{int(height)}px'><div id='legend'></div><div id='net'></div>"
        f"<script type='application/json' id='graph-data'>{_script_json(data)}</script>"
        f"<script>{_vendor_js()}</script><script>{_JS}</script></body></html>"
    )


def neighbourhood_view(
    g: nx.MultiDiGraph,
    center: str,
    depth: int = 1,
    relations: set[str] | None = None,
    max_nodes: int = 3000,
    link_template: str = "?id={id}",
    height: int = 600,
) -> NetworkView:
    """The network view of ``center``'s neighbourhood (``depth`` 1 to 3 hops)."""
    sub, truncated = ego_subgraph(g, center, depth, relations, max_nodes)
    positions = radial_layout(sub, center)
    html = render_html(sub, positions, center, link_template, height)
    merged_edges = {(u, v) for u, v in sub.edges()}
    listed = [(n, str(sub.nodes[n].get("curie", n)), str(sub.nodes[n].get("label", ""))) for n in sub.nodes]
    return NetworkView(html, sub.number_of_nodes(), len(merged_edges), truncated, relations_of(sub), listed)
