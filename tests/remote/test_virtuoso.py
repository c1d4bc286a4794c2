"""Virtuoso as the store: loading with SPARQL Update and with its Graph Store Protocol, reloading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint.servers import FIXTURE_DATA

from .conftest import airisk, need_virtuoso
from .virtuoso import VirtuosoServer, start_virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    need_virtuoso()
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-load"))
    yield server
    server.kill()


def stats(url: str) -> dict:  # type: ignore[type-arg]
    from graph.importers.session import open_graph

    return open_graph(url, data=FIXTURE_DATA).stats()


def test_load_with_update_then_with_the_graph_store_protocol(virtuoso: VirtuosoServer) -> None:
    from graph import KnowledgeGraph

    expected = KnowledgeGraph.load(data=FIXTURE_DATA).stats()
    first = airisk("--data", str(FIXTURE_DATA), "load", "--store", virtuoso.query_url)
    assert first.returncode == 0, first.stderr
    assert stats(virtuoso.query_url) == expected
    again = airisk("--data", str(FIXTURE_DATA), "load", "--store", virtuoso.query_url, "--gsp-url", virtuoso.gsp_url)
    assert again.returncode == 0, again.stderr
    assert stats(virtuoso.query_url) == expected  # replaced, not added twice


def test_a_large_graph_goes_in_one_request(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    """More triples than one Virtuoso INSERT DATA operation can take (its SPARQL compiler's limit)."""
    from graph.store.remote import INSERT_BATCH, RemoteStore

    store = RemoteStore(virtuoso.query_url, check_dataset=False)
    n = INSERT_BATCH * 5 + 17
    text = "".join(f'<urn:test:s{i}> <urn:test:p> "value {i}"@en .\n' for i in range(n))
    graph = "https://w3id.org/airisk/id/graph/import/large-test"
    store.replace_graph(graph, text)
    store.replace_graph(graph, text)
    count = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows[0]["n"].py
    assert count == n
    store.drop_graph(graph)
    assert graph not in store.graphs()
