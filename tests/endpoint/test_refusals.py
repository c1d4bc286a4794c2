"""Every refused form of query: updates, LOAD, SERVICE, remote FROM / FROM NAMED.

Each is refused with a clear 4xx before anything runs: the graph does not change, and a decoy
server on loopback that every federated or remote-dataset query names never sees a connection.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

CURATED = "https://w3id.org/airisk/id/graph/curated"


class Decoy:
    """A TCP listener on loopback that counts connections (what SERVICE / LOAD / FROM would open)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def decoy() -> Iterator[Decoy]:
    d = Decoy()
    yield d
    d.close()


UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "insert data { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    f"WITH <{CURATED}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "LOAD <http://127.0.0.1:{port}/data.ttl>",
    "LOAD SILENT <http://127.0.0.1:{port}/data.ttl> INTO GRAPH <urn:g>",
    "CLEAR ALL",
    f"CLEAR GRAPH <{CURATED}>",
    "DROP ALL",
    f"DROP SILENT GRAPH <{CURATED}>",
    "CREATE GRAPH <urn:new>",
    f"ADD <{CURATED}> TO <urn:copy>",
    f"MOVE <{CURATED}> TO <urn:moved>",
    f"COPY <{CURATED}> TO <urn:copy>",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }",
]
FEDERATED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "PREFIX x: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "ASK { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "CONSTRUCT WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s a ar:Capability OPTIONAL { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?q ?r } } }",
    "SELECT * WHERE { # a comment\n  SERVICE\n  <http://127.0.0.1:{port}/sparql>\n  { ?s ?p ?o } }",
]
DATASETS = [
    "SELECT * FROM <http://127.0.0.1:{port}/g.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://127.0.0.1:{port}/g.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "DESCRIBE ?s FROM <http://127.0.0.1:{port}/g.ttl> WHERE { ?s ?p ?o }",
]
WAYS = ["get", "form", "direct"]


def send(client: httpx.Client, way: str, text: str) -> httpx.Response:
    if way == "get":
        return client.get("/sparql", params={"query": text})
    if way == "form":
        return client.post("/sparql", data={"query": text})
    return client.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"})


def triple_count(client: httpx.Client) -> int:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("text", UPDATES)
def test_updates_and_load_are_403(client: httpx.Client, decoy: Decoy, kg: Any, way: str, text: str) -> None:
    r = send(client, way, text.replace("{port}", str(decoy.port)))
    assert r.status_code == 403
    assert "read-only" in r.text
    assert decoy.connections == 0
    assert triple_count(client) == kg.triple_count()


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("text", FEDERATED)
def test_service_is_400_and_opens_no_connection(client: httpx.Client, decoy: Decoy, way: str, text: str) -> None:
    r = send(client, way, text.replace("{port}", str(decoy.port)))
    assert r.status_code == 400
    assert "SERVICE" in r.text and "not allowed" in r.text
    assert decoy.connections == 0


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("text", DATASETS)
def test_foreign_from_is_400(client: httpx.Client, decoy: Decoy, way: str, text: str) -> None:
    r = send(client, way, text.replace("{port}", str(decoy.port)))
    assert r.status_code == 400
    assert "outside this store" in r.text
    assert decoy.connections == 0


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "POST", "data": {"update": "DROP ALL"}},
        {"method": "POST", "content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"method": "GET", "params": {"update": "DROP ALL"}},
        {"method": "POST", "data": {"query": "ASK {}", "update": "DROP ALL"}},
    ],
)
def test_update_operation_of_the_protocol_is_403(client: httpx.Client, kg: Any, request_kwargs: dict[str, Any]) -> None:
    r = client.request(url="/sparql", **request_kwargs)
    assert r.status_code == 403
    assert "read-only" in r.text
    assert triple_count(client) == kg.triple_count()


def test_own_named_graph_in_from_is_allowed(client: httpx.Client, kg: Any) -> None:
    q = f"SELECT (COUNT(*) AS ?n) FROM <{CURATED}> WHERE {{ ?s ?p ?o }}"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 200
    expected = kg.store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CURATED}> {{ ?s ?p ?o }} }}")
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == expected.rows[0]["n"].py > 0


def test_keywords_inside_literals_and_iris_are_not_refused(client: httpx.Client) -> None:
    q = 'SELECT * WHERE { ?s ?p "please DELETE me; SERVICE <x> LOAD" . ?s ?p <urn:service:drop> }'
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 200
    assert r.json()["results"]["bindings"] == []
