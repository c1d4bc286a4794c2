"""`airisk --store URL import|imports|remove`: imports into a real Oxigraph server's named graphs."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.importers.workspace import list_imports

from .conftest import CURATED, FIXTURES, ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("graph.store.remote") is None, reason="graph.store.remote is not built yet"
)
GRAPH = "https://w3id.org/airisk/id/graph/import/atlas"


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[object]:
    from endpoint.servers import OXIGRAPH, start_oxigraph

    if OXIGRAPH is None:
        pytest.skip("the oxigraph server (PyPI 'oxigraph') is not installed")
    srv = start_oxigraph(tmp_path / "store")
    yield srv
    srv.kill()


def airisk(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIRISK_WORKSPACE": str(ws)}
    return subprocess.run(
        [sys.executable, "-m", "graph", "--data", str(CURATED), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=180,
    )


def graph_size(url: str) -> int:
    resp = httpx.post(
        url,
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    resp.raise_for_status()
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_import_into_a_remote_store(server: object, tmp_path: Path) -> None:
    url = server.query_url  # type: ignore[attr-defined]
    ws = tmp_path / "ws"
    assert airisk(ws, "load", "--store", url).returncode == 0
    done = airisk(ws, "--store", url, "import", "atlas", str(FIXTURES / "atlas-small.yaml"))
    assert done.returncode == 0, done.stderr
    (info,) = list_imports(ws)  # recorded locally too, so that `airisk load --store` keeps it
    assert graph_size(url) == info.triples == 129
    listing = airisk(ws, "--store", url, "imports", "-f", "csv")
    assert listing.stdout.splitlines()[1].startswith("atlas,129,9.9.0,Apache-2.0,MITRE ATLAS 9.9.0")
    # a bad file changes neither the remote graph nor the workspace
    bad = tmp_path / "bad.yaml"
    bad.write_text("matrices: [unclosed\n")
    failed = airisk(ws, "--store", url, "import", "atlas", str(bad))
    assert failed.returncode == 1 and "bad.yaml:2" in failed.stderr
    assert graph_size(url) == 129 and list_imports(ws) == [info]
    # a reload of the store keeps the import (it comes from the workspace)
    assert airisk(ws, "load", "--store", url).returncode == 0
    assert graph_size(url) == 129
    gone = airisk(ws, "--store", url, "remove", "atlas")
    assert gone.returncode == 0, gone.stderr
    assert graph_size(url) == 0 and list_imports(ws) == []
