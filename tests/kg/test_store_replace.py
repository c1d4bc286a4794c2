"""Replacing a named graph of the embedded store: all of the new text, or nothing at all."""

from __future__ import annotations

import pytest

from graph.core.errors import StoreError
from graph.store.oxigraph import OxigraphStore

G = "urn:test:g"
OTHER = "urn:test:other"


def triples(n: int, tag: str) -> str:
    return "".join(f'<urn:s{i}> <urn:p> "{tag} {i}" .\n' for i in range(n))


def content(store: OxigraphStore, graph: str) -> set[tuple[str, str, str]]:
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    return {(r["s"].value, r["p"].value, r["o"].value) for r in rows}


def test_replace_puts_exactly_the_new_triples() -> None:
    store = OxigraphStore()
    store.replace_graph(G, triples(50, "old"))
    store.replace_graph(OTHER, triples(3, "other"))
    store.replace_graph(G, triples(20, "new"))
    assert content(store, G) == {(f"urn:s{i}", "urn:p", f"new {i}") for i in range(20)}
    assert len(content(store, OTHER)) == 3
    assert store.triple_count() == 23


@pytest.mark.parametrize("existing", [True, False])
def test_a_parse_error_leaves_the_store_as_it_was(existing: bool) -> None:
    store = OxigraphStore()
    store.replace_graph(OTHER, triples(3, "other"))
    if existing:
        store.replace_graph(G, triples(5000, "old"))
    before = {g: content(store, g) for g in store.graphs()}
    broken = triples(20000, "new") + '<urn:bad> <urn:p> "unterminated .\n'
    with pytest.raises(StoreError, match="cannot parse RDF"):
        store.replace_graph(G, broken)
    assert {g: content(store, g) for g in store.graphs()} == before
    assert (G in store.graphs()) is existing
