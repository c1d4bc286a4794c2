"""``airisk serve --store URL``: the endpoint over a remote Oxigraph server, and the store going away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from endpoint.servers import FIXTURE_DATA, Endpoint, OxigraphServer, start_endpoint, start_oxigraph

from graph.store.oxigraph import term_from_ox

from .conftest import airisk
from .test_faults import within

SELECT = "SELECT ?c ?label WHERE { ?c a ar:Capability ; rdfs:label ?label } ORDER BY ?c"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = start_oxigraph(tmp_path_factory.mktemp("served-store"))
    loaded = airisk("--data", str(FIXTURE_DATA), "load", "--store", server.query_url)
    assert loaded.returncode == 0, loaded.stderr
    yield server
    server.kill()


@pytest.fixture(scope="module")
def audit_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remote-audit") / "connections.log"


@pytest.fixture(scope="module")
def served(store: OxigraphServer, audit_log: Path) -> Iterator[Endpoint]:
    srv = start_endpoint("--store", store.query_url, "--timeout", "10", audit_log=audit_log)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def kg() -> Any:
    from graph import KnowledgeGraph

    return KnowledgeGraph.load(data=FIXTURE_DATA)


def test_answers_match_the_embedded_store(served: Endpoint, kg: Any) -> None:
    r = httpx.get(served.sparql, params={"query": SELECT}, trust_env=False)
    assert r.status_code == 200
    parsed = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON)
    got = [{v.value: term_from_ox(sol[v.value]) for v in parsed.variables} for sol in parsed]  # type: ignore[union-attr]
    assert got == kg.select(SELECT).rows


def test_entity_page_matches_the_embedded_store(served: Endpoint, kg: Any) -> None:
    from graph.endpoint.entity import describe_query

    r = httpx.get(served.base + "/id/risk/mit/4.2", headers={"Accept": "application/n-triples"}, trust_env=False)
    assert r.status_code == 200
    got = {
        (term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object))
        for t in ox.parse(r.content, ox.RdfFormat.N_TRIPLES)
    }
    assert got == set(kg.store.construct(describe_query("https://w3id.org/airisk/id/risk/mit/4.2")))


def test_refusals_do_not_depend_on_the_store(served: Endpoint) -> None:
    r = httpx.get(served.sparql, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert r.status_code == 400
    assert httpx.post(served.sparql, data={"update": "DROP ALL"}).status_code == 403


def test_store_going_away_gives_502_and_the_endpoint_recovers(served: Endpoint, store: OxigraphServer) -> None:
    store.kill()
    r = within(lambda: httpx.get(served.sparql, params={"query": SELECT}, timeout=120, trust_env=False))
    assert r.status_code == 502
    assert "cannot connect to the SPARQL store at http://127.0.0.1:" in r.text
    # pages that need no query still work meanwhile
    assert httpx.get(served.sparql, headers={"Accept": "text/turtle"}, trust_env=False).status_code == 200
    store.start()
    r = within(lambda: httpx.get(served.sparql, params={"query": SELECT}, timeout=120, trust_env=False))
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 2


def test_workers_connect_only_to_the_store(served: Endpoint, store: OxigraphServer, audit_log: Path) -> None:
    assert httpx.get(served.sparql, params={"query": SELECT}, trust_env=False).status_code == 200
    lines = [line.split("\t") for line in audit_log.read_text().splitlines()]
    connects = [line for line in lines if line[1] == "socket.connect"]
    assert connects, "the workers' guard logged no connection to the store"
    assert {line[2] for line in connects} == {f"127.0.0.1:{store.port}"}
    assert all(line[3] == "allowed" for line in lines)


def test_a_remote_stores_answers_are_never_kept(served: Endpoint, store: OxigraphServer) -> None:
    query = "SELECT ?label WHERE { <https://example.org/late> rdfs:label ?label }"
    with httpx.Client(base_url=served.base, timeout=30, trust_env=False) as c:
        for _ in range(2):
            first = c.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
            assert first.status_code == 200 and first.headers["x-cache"] == "miss"
            assert first.json()["results"]["bindings"] == []
        # The store changes under the endpoint: the next answer shows it.
        update = (
            "INSERT DATA { GRAPH <https://w3id.org/airisk/id/graph/late> { <https://example.org/late> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "late" } }'
        )
        assert httpx.post(store.base + "/update", data={"update": update}, timeout=30).status_code < 300
        try:
            after = c.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
            assert after.headers["x-cache"] == "miss"
            assert after.json()["results"]["bindings"] == [{"label": {"type": "literal", "value": "late"}}]
        finally:
            drop = "DROP SILENT GRAPH <https://w3id.org/airisk/id/graph/late>"
            httpx.post(store.base + "/update", data={"update": drop}, timeout=30)
