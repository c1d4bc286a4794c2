/* The network view: draws the graph data of the page with vis-network (no physics, positions
   given), a legend of kinds and relations above the drawing (click a relation to fade the others),
   neighbours highlighted on hover, far labels on zoom. Every text is data: labels are drawn on the
   canvas, tooltips are plain strings, the legend is built with text nodes. */
(function () {
var current = null;
function draw(data) {
  if (current) { current.destroy(); current = null; }
  document.body.removeAttribute("data-drawn");
  var legend = document.getElementById("legend");
  while (legend.firstChild) { legend.removeChild(legend.firstChild); }
  function item(parent, swatchClass, colour, text) {
    var el = document.createElement("span");
    el.className = "item";
    var sw = document.createElement("span");
    sw.className = swatchClass;
    sw.style.background = colour;
    el.appendChild(sw);
    el.appendChild(document.createTextNode(text));
    parent.appendChild(el);
    return el;
  }
  var kindRow = document.createElement("div");
  kindRow.className = "row";
  kindRow.appendChild(document.createTextNode("Entities:"));
  data.legend.forEach(function (k) { item(kindRow, "sw", k.color, k.name); });
  legend.appendChild(kindRow);
  var relRow = document.createElement("div");
  relRow.className = "row";
  relRow.appendChild(document.createTextNode("Relations (click to fade the others):"));
  legend.appendChild(relRow);
  var active = null;  // the relation index shown in full, others faded; null: all in full
  var relItems = data.relations.map(function (r, i) {
    var el = item(relRow, "line", r.color, r.label + " (" + r.count + ")");
    el.setAttribute("role", "button");
    el.setAttribute("tabindex", "0");
    el.setAttribute("data-relation", r.name);
    function toggle() { active = active === i ? null : i; restyle(); }
    el.addEventListener("click", toggle);
    el.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    return el;
  });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var FADED = "rgba(180,180,180,0.15)";
  var hovered = null;
  function neighbours(id) {
    var out = {};
    out[id] = true;
    data.edges.forEach(function (e) {
      if (e.from === id) { out[e.to] = true; }
      if (e.to === id) { out[e.from] = true; }
    });
    return out;
  }
  function restyle() {
    var near = hovered === null ? null : neighbours(hovered);
    relItems.forEach(function (el, i) { el.classList.toggle("off", active !== null && active !== i); });
    var onRel = {};
    edges.update(data.edges.map(function (e) {
      var lit = (active === null || e.rels.indexOf(active) >= 0) && (near === null || e.from === hovered || e.to === hovered);
      if (lit) { onRel[e.from] = true; onRel[e.to] = true; }
      return { id: e.id, color: { color: lit ? e.base : FADED, highlight: "#222", hover: "#222" }, width: lit && near ? 2 : 1 };
    }));
    nodes.update(data.nodes.map(function (n) {
      var lit = (near === null || near[n.id]) && (active === null || onRel[n.id] || n.center);
      var font = Object.assign({}, n.font, { color: lit ? "#222" : "rgba(0,0,0,0.15)" });
      return { id: n.id, color: lit ? n.base : FADED, font: font };
    }));
  }
  var options = {
    physics: { enabled: false },
    layout: { improvedLayout: false },
    nodes: {
      size: 10, borderWidth: 1, font: { size: 12, face: "sans-serif", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { enabled: true, drawThreshold: data.labelThreshold } }
    },
    edges: {
      smooth: false, width: 1, arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      font: { size: 10, face: "sans-serif", color: "#555", strokeWidth: 2, align: "middle" }
    },
    interaction: {
      hover: !data.big, tooltipDelay: 120, hideEdgesOnDrag: data.big, hideEdgesOnZoom: data.big,
      navigationButtons: false, keyboard: false, multiselect: false
    }
  };
  var network = new vis.Network(document.getElementById("net"), { nodes: nodes, edges: edges }, options);
  current = network;
  window.network = network;
  window.graphNodes = nodes;
  window.graphEdges = edges;
  network.once("afterDrawing", function () {
    window.airiskFirstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });
  if (!data.big) {
    network.on("hoverNode", function (p) { hovered = p.node; restyle(); });
    network.on("blurNode", function () { hovered = null; restyle(); });
  }
  function open(node, newTab) {
    window.airiskLastClick = node.url;
    if (window.parent !== window) {
      window.parent.postMessage({ airisk: "open", curie: node.curie, url: node.url, newTab: newTab }, "*");
      return;
    }
    if (newTab) { window.open(node.url, "_blank", "noopener"); } else { window.location.href = node.url; }
  }
  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var ev = params.event && params.event.srcEvent;
    open(nodes.get(params.nodes[0]), !!(ev && (ev.ctrlKey || ev.metaKey)));
  });
}
var block = document.getElementById("graph-data").textContent;
if (block.trim()) { draw(JSON.parse(block)); }
/* A shell page (no data of its own) draws what its parent posts; nothing else is listened to. */
window.addEventListener("message", function (event) {
  var d = event.data;
  if (event.source !== window.parent || !d || d.airisk !== "data" || typeof d.data !== "object") { return; }
  draw(d.data);
});
if (!block.trim() && window.parent !== window) { window.parent.postMessage({ airisk: "ready" }, "*"); }
})();
