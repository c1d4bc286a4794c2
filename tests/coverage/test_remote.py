"""The coverage analysis runs unchanged on a remote SPARQL store (a real `oxigraph serve` on loopback)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.coverage.plan import plan
from graph.coverage.report import compute_coverage
from graph.index.data import gather
from graph.inventory.match import inventory_from_tests
from graph.store.kg import KnowledgeGraph

from .conftest import BASIC

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def sparql_url(tmp_path: Path) -> Iterator[str]:
    if not Path(OXIGRAPH).exists():
        pytest.skip("the oxigraph server (pip package 'oxigraph') is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "store"), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError as exc:
                if time.monotonic() > deadline or proc.poll() is not None:
                    why = proc.stderr.read() if proc.stderr else ""
                    raise RuntimeError(f"oxigraph did not start: {why!r}") from exc
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_same_answers_on_a_remote_store(sparql_url: str, cov_kg: KnowledgeGraph) -> None:
    from graph.importers.remote_load import load_remote
    from graph.store.remote import RemoteStore

    load_remote(sparql_url, data=BASIC, with_imports=False)
    remote = KnowledgeGraph.load(data=BASIC, store=RemoteStore(sparql_url), write=False)
    local_data, remote_data = gather(cov_kg, lazy=False), gather(remote, lazy=False)
    assert remote_data.risks == local_data.risks
    assert remote_data.link_sources == local_data.link_sources
    expected = compute_coverage(local_data).to_json()
    assert compute_coverage(remote_data).to_json() == expected
    lazy = compute_coverage(gather(remote))  # evidence looked up claim by claim (VALUES queries)
    assert [r.to_dict() for r in lazy.top_gaps(3)] == expected["risks"][:3]
    assert lazy.to_json() == expected
    inv = inventory_from_tests(remote_data, ["bio-mcq", "cyber-ctf"], "x")
    assert plan(remote_data, inv, 2).to_json() == plan(local_data, inv, 2).to_json()
