"""Fixtures: real SPARQL servers on loopback (Oxigraph, and Virtuoso), filled with ``airisk load --store URL``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from endpoint.servers import FIXTURE_DATA, ROOT, OxigraphServer, start_oxigraph

from .virtuoso import VIRTUOSO, start_virtuoso


@dataclass
class Pair:
    """The same data in the embedded store and in a remote server (Oxigraph or Virtuoso)."""

    name: str
    data: Path
    server: Any
    embedded: Any
    remote: Any


def airisk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real ``airisk`` command line in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "graph", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def shipped_data() -> Path | None:
    """The curated data of the repository, if it currently loads (curators are editing it)."""
    from graph import KnowledgeGraph
    from graph.core.errors import DataError
    from graph.core.resources import data_dir

    try:
        KnowledgeGraph.load(data=data_dir())
    except DataError:
        return None
    return data_dir()


def make_pair(
    name: str, data: Path, tmp_path_factory: pytest.TempPathFactory, engine: str = "oxigraph"
) -> Iterator[Pair]:
    from graph import KnowledgeGraph
    from graph.importers.session import open_graph

    folder = tmp_path_factory.mktemp(f"{engine}-{name}")
    server: Any = start_virtuoso(folder) if engine == "virtuoso" else start_oxigraph(folder)
    try:
        loaded = airisk("--data", str(data), "load", "--store", server.query_url)
        assert loaded.returncode == 0, loaded.stderr
        embedded = KnowledgeGraph.load(data=data)
        remote = open_graph(server.query_url, data=data)
        yield Pair(name, data, server, embedded, remote)
    finally:
        server.kill()


@pytest.fixture(scope="session")
def fixture_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The test fixture data, embedded and in an Oxigraph server."""
    yield from make_pair("fixture", FIXTURE_DATA, tmp_path_factory)


@pytest.fixture(scope="session")
def shipped_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The shipped curated data, embedded and in an Oxigraph server (skipped while it does not load)."""
    data = shipped_data()
    if data is None:
        pytest.skip("the shipped data in data/ does not load right now (curators at work); fixture data only")
    yield from make_pair("shipped", data, tmp_path_factory)


def need_virtuoso() -> None:
    if VIRTUOSO is None:
        pytest.skip("Virtuoso is not installed here (make virtuoso installs Debian's virtuoso-opensource)")


@pytest.fixture(scope="session")
def virtuoso_fixture_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The test fixture data, embedded and in a Virtuoso server."""
    need_virtuoso()
    yield from make_pair("fixture", FIXTURE_DATA, tmp_path_factory, "virtuoso")


@pytest.fixture(scope="session")
def virtuoso_shipped_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The shipped curated data, embedded and in a Virtuoso server."""
    need_virtuoso()
    data = shipped_data()
    if data is None:
        pytest.skip("the shipped data in data/ does not load right now (curators at work); fixture data only")
    yield from make_pair("shipped", data, tmp_path_factory, "virtuoso")


@pytest.fixture(params=["fixture", "shipped", "virtuoso_fixture", "virtuoso_shipped"])
def pair(request: pytest.FixtureRequest) -> Pair:
    """Each of the two data sets in turn, on each of the two engines."""
    value: Pair = request.getfixturevalue(f"{request.param}_pair")
    return value


@pytest.fixture(params=["fixture", "virtuoso_fixture"])
def small_pair(request: pytest.FixtureRequest) -> Pair:
    """The fixture data on each engine (for the slower command-line comparisons)."""
    value: Pair = request.getfixturevalue(f"{request.param}_pair")
    return value


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """An empty Oxigraph server of its own (for the fault tests)."""
    server = start_oxigraph(tmp_path / "store")
    yield server
    server.kill()
