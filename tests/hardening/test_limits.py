"""No query can exhaust the machine or crash a face: memory, nesting, answer size, URL length,
unsupported functions; and what the endpoint says about itself comes from its configuration."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from endpoint.servers import ROOT, Endpoint, start_endpoint

from graph.sandbox.formats import JSON_RESULTS
from graph.sandbox.pool import WorkerPool
from graph.sandbox.worker import Job, worker_spec

FIXTURE_DATA = ROOT / "tests" / "fixtures" / "endpoint"
#: A cross product sorted in memory: grows without bound until the worker's memory limit stops it.
BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1"
NESTED = "SELECT * WHERE " + "{ " * 10_000 + "?s ?p ?o" + " }" * 10_000
BASE = "https://kg.example.org/airisk"


@pytest.fixture(scope="module")
def server() -> Iterator[Endpoint]:
    srv = start_endpoint(
        "--timeout", "20", "--workers", "1", "--memory-mb", "512", "--base-url", BASE, data=FIXTURE_DATA
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server: Endpoint) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60, trust_env=False) as c:
        yield c


def test_memory_bomb_is_stopped_with_503_and_the_worker_replaced(client: httpx.Client) -> None:
    start = time.perf_counter()
    r = client.get("/sparql", params={"query": BOMB})
    assert r.status_code == 503, r.text
    assert "more memory than this endpoint allows a query (512 MB)" in r.text
    assert time.perf_counter() - start < 15  # stopped by the memory limit, not by the time limit
    ok = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON_RESULTS})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_deep_nesting_is_refused_before_parsing(client: httpx.Client, method: str) -> None:
    for _ in range(3):
        if method == "get":  # (a GET URL of 10,000 levels would be over-long: 1,000 levels)
            r = client.get("/sparql", params={"query": "ASK " + "{ " * 1000 + "?s ?p ?o" + " }" * 1000})
        else:
            r = client.post("/sparql", content=NESTED.encode(), headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 400 and "nests brackets more than 64 levels deep" in r.text
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_deep_nesting_in_a_cli_query_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "n.rq"
    path.write_text(NESTED)
    out = subprocess.run(
        [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "query", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("error: refused: the query nests brackets more than 64 levels deep (at line 1")


def _raw_get(server: Endpoint, target: str) -> bytes:
    host, port = server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("size", [70_000, 200_000, 2_000_000])
def test_over_long_get_is_414_with_advice(server: Endpoint, size: int) -> None:
    target = "/sparql?query=" + quote("ASK { ?s ?p ?o } #" + "x" * size)
    data = _raw_get(server, target)
    assert data.startswith(b"HTTP/1.1 414 "), data[:200]
    assert b"send a long query by POST" in data


def test_unsupported_function_is_400(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT (<http://example.org/fn>(1) AS ?x) WHERE {}"})
    assert r.status_code == 400 and "is not supported" in r.text


def test_service_description_names_the_configured_url_not_the_host_header(client: httpx.Client) -> None:
    r = client.get("/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert f"<{BASE}/sparql>" in r.text
    assert "kernel-enforced" in r.text  # how the workers are kept off the network


def test_answer_size_limit_in_bytes(fixture_kg: Any, tmp_path: Path) -> None:
    pool = WorkerPool(worker_spec(fixture_kg.store, dict(fixture_kg.prefixes), str(tmp_path)), size=1, short_lane=0)
    pool.start()
    try:
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        small = pool.run(Job(query, JSON_RESULTS, 10_000, max_bytes=2_000))
        assert small.status == "too-large" and "larger than 2,000 bytes" in small.message
        assert pool.run(Job(query, JSON_RESULTS, 10_000)).status == "ok"
    finally:
        pool.close()
