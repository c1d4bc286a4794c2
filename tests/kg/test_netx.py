"""The networkx projection: neighbourhoods, capability-to-mitigation paths, centrality."""

from __future__ import annotations

from graph.explore.netx import centrality, neighbourhood, paths_capability_to_mitigation
from graph.store.projection import build_networkx

W = "https://w3id.org/airisk/id/"


def test_projection_nodes_and_edges(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    g = build_networkx(fixture_kg)
    assert g.nodes[W + "test-method/wmdp"] == {"label": "WMDP", "kind": "test_method", "curie": "test:wmdp"}
    assert g.nodes[W + "risk/mit/4.2"]["kind"] == "risk"
    rels = {d["relation"] for _, _, d in g.edges(W + "test-method/wmdp", data=True)}
    assert {"assessesRisk", "measuresCapability", "methodType", "maintainer"} <= rels


def test_neighbourhood_depth_and_filter(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    g = build_networkx(fixture_kg)
    one = neighbourhood(g, W + "risk/mit/1.2", depth=1)
    assert set(one) >= {W + "risk/mit/1", W + "capability/persuasion", W + "mitigation/content-filter"}
    assert W + "test-method/wmdp" not in one
    only = neighbourhood(g, W + "risk/mit/1.2", depth=2, relations={"enablesRisk"})
    assert set(only) == {W + "risk/mit/1.2", W + "capability/persuasion"}
    assert len(neighbourhood(g, "nope", 2)) == 0


def test_paths_from_capability_to_mitigation(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    g = build_networkx(fixture_kg)
    paths = paths_capability_to_mitigation(g, W + "capability/cbrn-uplift")
    assert [p[-1] for p in paths][:1] == [W + "mitigation/unlearning"]
    assert paths[0][1].startswith(W + "risk/")


def test_centrality_ranks_the_hub(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    g = build_networkx(fixture_kg)
    top = centrality(g, kind="risk", top=1)
    assert top[0][0] == W + "risk/mit/4.2"
