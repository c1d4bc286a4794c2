"""graph.explore.network: the offline, text-only, precomputed-layout network view."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from graph.explore.network import ego_subgraph, entity_url, graph_data, neighbourhood_view, radial_layout, render_html
from graph.store.projection import build_networkx

RISK_12 = "https://w3id.org/airisk/id/risk/mit/1.2"
HOSTILE_IRI = "https://w3id.org/airisk/id/test-method/hostile"


@pytest.fixture(scope="module")
def g(app_kg):  # type: ignore[no-untyped-def]
    return build_networkx(app_kg)


def _payload(html: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r"<script type='application/json' id='graph-data'>(.*?)</script>", html, re.S)
    assert m, "the graph data block is missing"
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_no_external_resource_in_the_page(g) -> None:  # type: ignore[no-untyped-def]
    html = neighbourhood_view(g, RISK_12, depth=2).html
    # nothing the browser would fetch: no src/href/url()/@import to another host, no protocol-relative URLs
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import", html, re.I)
    assert "cdnjs" not in html and "jsdelivr" not in html and "googleapis" not in html
    assert "default-src 'none'" in html  # and the page's own policy forbids any fetch
    assert "vis.Network" in html and "vis-network" in html  # the vendored library is inlined


def test_hostile_label_travels_as_escaped_json_text(g) -> None:  # type: ignore[no-untyped-def]
    html = neighbourhood_view(g, HOSTILE_IRI, depth=1).html
    assert "<img" not in html  # never as markup, anywhere in the page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    data = _payload(html)
    labels = {n["label"] for n in data["nodes"]}
    assert "<img src=x onerror=alert(1)>" in labels  # the reader sees exactly these characters
    hostile = next(n for n in data["nodes"] if n["label"].startswith("<img"))
    assert hostile["title"].startswith("<img src=x onerror=alert(1)>\n")  # a plain string, not an element
    assert all(isinstance(n["id"], int) for n in data["nodes"])  # opaque ids, never labels or IRIs
    assert "innerHTML" not in html.split("</script><script>")[-1]  # our own script never parses HTML


def test_script_breakout_is_impossible() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", label="</script><script>alert(1)</script>", kind="risk", curie="mit:a")
    g.add_node("b", label="x\u2028y & z", kind="risk", curie="mit:b")
    g.add_edge("a", "b", key="broader", relation="broader")
    html = render_html(g, radial_layout(g, "a"), "a")
    assert html.count("</script>") == 3  # the data block, the library, our script: nothing injected
    assert {n["label"] for n in _payload(html)["nodes"]} == {"</script><script>alert(1)</script>", "x y & z"}


def test_neighbourhood_depth_and_relation_filter(g) -> None:  # type: ignore[no-untyped-def]
    one = neighbourhood_view(g, RISK_12, depth=1, relations={"assessesRisk", "enablesRisk", "mitigatesRisk"})
    curies = {c for _i, c, _l in one.nodes}
    assert curies == {"mit:1.2", "test:hostile", "cap:persuasion", "mtg:content-filter"}
    assert one.n_edges == 3 and not one.truncated
    assert one.nodes[0][1] == "mit:1.2"  # the centre first
    two = neighbourhood_view(g, RISK_12, depth=2, relations={"assessesRisk", "methodType"})
    assert {c for _i, c, _l in two.nodes} == {"mit:1.2", "test:hostile", "mtype:red-teaming"}
    assert "relatedMatch" in neighbourhood_view(g, RISK_12, depth=1).relations


def test_cap_on_nodes_keeps_the_nearest(g) -> None:  # type: ignore[no-untyped-def]
    sub, truncated = ego_subgraph(g, RISK_12, depth=3, max_nodes=5)
    assert truncated and sub.number_of_nodes() == 5 and RISK_12 in sub
    near, _ = ego_subgraph(g, RISK_12, depth=1)
    assert set(sub) <= set(ego_subgraph(g, RISK_12, depth=2)[0]) and len(near) > 1
    assert ego_subgraph(g, "https://nowhere/x")[0].number_of_nodes() == 0


def test_layout_is_deterministic_and_spreads_nodes() -> None:
    g = nx.gnm_random_graph(2000, 3000, seed=1, directed=True)
    mg = nx.MultiDiGraph()
    for n in g:
        mg.add_node(str(n), kind="risk", label=f"n{n}")
    for u, v in g.edges():
        mg.add_edge(str(u), str(v), relation="broader")
    a = radial_layout(mg, "0")
    assert a == radial_layout(mg, "0")
    assert len(a) == 2000 and a["0"] == (0.0, 0.0)
    assert len(set(a.values())) == 2000  # no two nodes on the same spot


def test_click_target_is_the_entity_url(g) -> None:  # type: ignore[no-untyped-def]
    data = graph_data(*_small(g), link_template="explore?id={id}")
    assert {n["url"] for n in data["nodes"]} >= {"explore?id=mit:1.2", "explore?id=test:hostile"}
    assert entity_url("explore?id={id}", "owasp-llm:LLM01") == "explore?id=owasp-llm:LLM01"
    assert entity_url("?id={id}", "x:a b&c") == "?id=x:a%20b%26c"


def _small(g):  # type: ignore[no-untyped-def]
    sub, _ = ego_subgraph(g, RISK_12, depth=1)
    return sub, radial_layout(sub, RISK_12), RISK_12


def test_edges_and_legend_speak_in_labels_and_colour_by_relation(g) -> None:  # type: ignore[no-untyped-def]
    from graph.core.labels import relation_colour

    data = _payload(neighbourhood_view(g, RISK_12, depth=2).html)
    names = {r["name"]: r for r in data["relations"]}
    assert "assessesRisk" in names and names["assessesRisk"]["label"] == "assesses risk"
    assert all(r["label"] != r["name"] for r in data["relations"])  # never a property name on screen
    for e in data["edges"]:
        rels = [data["relations"][i]["name"] for i in e["rels"]]
        assert e["base"] == relation_colour(rels[0])
        assert not re.search(r"[a-z][A-Z]", e["title"]), e["title"]  # "assesses", not "assessesRisk"
    assert sum(r["count"] for r in data["relations"]) >= len(data["edges"])


def test_siblings_sit_together_by_relation_and_far_labels_wait_for_zoom() -> None:
    g = nx.MultiDiGraph()
    g.add_node("c", label="centre", kind="risk", curie="mit:c")
    for i in range(30):
        rel = "assessesRisk" if i % 2 else "mitigatesRisk"
        kind = "test_method" if i % 2 else "mitigation"
        g.add_node(f"n{i}", label=f"n{i}", kind=kind, curie=f"x:{i}")
        g.add_edge(f"n{i}", "c", key=rel, relation=rel)
        g.add_node(f"m{i}", label=f"m{i}", kind="model", curie=f"model:{i}")
        g.add_edge(f"n{i}", f"m{i}", key="testedModel", relation="testedModel")
    pos = radial_layout(g, "c")
    import math

    ring = sorted((f"n{i}" for i in range(30)), key=lambda n: math.atan2(pos[n][1], pos[n][0]) % (2 * math.pi))
    runs = sum(1 for a, b in zip(ring, ring[1:], strict=False) if (int(a[1:]) % 2) != (int(b[1:]) % 2))
    assert runs <= 2, "siblings reached by the same relation are not side by side"
    data = graph_data(g, pos, "c")
    assert data["labelThreshold"] > 0  # crowded: far labels show on zoom ...
    sizes = {n["curie"]: n["font"]["size"] for n in data["nodes"]}
    assert sizes["mit:c"] > sizes["x:1"] > sizes["model:1"]  # ... the centre and its ring first
    small = graph_data(g.subgraph(["c", "n1", "n2"]).copy(), pos, "c")
    assert small["labelThreshold"] == 0  # a small view labels everything
