"""No user's query reaches the network, through any face: endpoint (GET and POST), app runner, CLI.

A loopback listener stands in for a remote host; every generated SERVICE / FROM spelling
(:mod:`.spellings`) is aimed at it. The listener must receive nothing, and each query must be
refused with a clear message. ``test_kernel_wall`` shows the kernel's wall holds on its own; these
tests show both walls together, where users reach them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from endpoint.servers import ROOT, Endpoint, start_endpoint

from graph.core.errors import QueryError
from graph.sandbox.pool import WorkerPool
from graph.sandbox.runner import run_guarded
from graph.sandbox.worker import Job, worker_spec

from .listener import Listener
from .spellings import all_spellings

FIXTURE_DATA = ROOT / "tests" / "fixtures" / "endpoint"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as ear:
        yield ear


@pytest.fixture(scope="module")
def server() -> Iterator[Endpoint]:
    srv = start_endpoint("--timeout", "5", "--workers", "2", data=FIXTURE_DATA)
    yield srv
    srv.stop()


def test_at_least_300_spellings_of_every_kind(listener: Listener) -> None:
    queries = all_spellings(listener.url)
    assert len(queries) >= 300
    for needle in ("\\u0053ERVICE", "ex:a\\#", "# a comment", "SERVICE SILENT", "FROM NAMED", "ASK", "DESCRIBE"):
        assert any(needle in q for q in queries), needle


def test_endpoint_get_and_post_never_reach_the_listener(server: Endpoint, listener: Listener) -> None:
    before = listener.connections
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=server.base, timeout=60, trust_env=False) as c:
        for q in all_spellings(listener.url):
            for r in (
                c.get("/sparql", params={"query": q}),
                c.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}),
            ):
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                assert r.status_code in (400, 403), (r.status_code, q, r.text)
                assert "Traceback" not in r.text
    assert listener.connections == before == 0, listener.received[:3]
    assert sum(statuses.values()) >= 600


def test_app_runner_never_reaches_the_listener(fixture_kg: Any, listener: Listener) -> None:
    for q in all_spellings(listener.url):
        with pytest.raises(QueryError):
            run_guarded(fixture_kg, q)
    assert listener.connections == 0


def test_cli_query_file_never_reaches_the_listener(tmp_path: Path, listener: Listener) -> None:
    queries = all_spellings(listener.url)
    picked = queries[:: max(1, len(queries) // 8)]
    for i, q in enumerate(picked):
        path = tmp_path / f"q{i}.rq"
        path.write_text(q, encoding="utf-8")
        out = subprocess.run(
            [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "query", str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert out.returncode == 1, (q, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr and out.stderr.startswith("error: "), out.stderr
    assert listener.connections == 0


def test_every_worker_runs_under_a_seccomp_filter(fixture_kg: Any, tmp_path: Path) -> None:
    pool = WorkerPool(worker_spec(fixture_kg.store, dict(fixture_kg.prefixes), str(tmp_path)), size=1, short_lane=1)
    pool.start()
    try:
        assert pool.status.network_blocked is True and "seccomp" in pool.status.detail
        for worker in list(pool._all):
            status = Path(f"/proc/{worker.process.pid}/status").read_text()
            assert "Seccomp:\t2" in status  # mode 2: a filter is installed
        assert pool.run(Job("ASK { ?s ?p ?o }", None, 10)).status == "ok"
    finally:
        pool.close()
