"""A remote store that goes away, never answers, was never loaded or is misconfigured: one clear
error, no hang, and recovery when the store is back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from endpoint.servers import FIXTURE_DATA, ROOT, OxigraphServer, free_port, start_oxigraph
from typer.testing import CliRunner

from graph.cli.main import app
from graph.core.errors import QueryError, StoreError
from graph.store.remote import RemoteStore

from .conftest import airisk

QUICK = "SELECT ?c WHERE { ?c a ar:Capability } ORDER BY ?c"
CAPABILITIES = ["https://w3id.org/airisk/id/capability/cbrn-uplift", "https://w3id.org/airisk/id/capability/persuasion"]
NO_HANG_S = 60  # far above every time limit below: reaching it means the call hung


def within(fn: Callable[[], Any], seconds: float = NO_HANG_S) -> Any:
    """Run ``fn`` in a thread; fail the test if it has not returned (or raised) by then."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"the call hung for more than {seconds} s"
    if "error" in out:
        raise out["error"]
    return out.get("value")


def load_fixture(server: OxigraphServer) -> None:
    result = airisk("--data", str(FIXTURE_DATA), "load", "--store", server.query_url)
    assert result.returncode == 0, result.stderr


def capabilities(kg: Any) -> list[str]:
    return [row["c"].value for row in kg.select(QUICK).rows]


@pytest.fixture
def loaded(oxigraph: OxigraphServer) -> OxigraphServer:
    load_fixture(oxigraph)
    return oxigraph


def test_store_that_goes_away_and_comes_back(loaded: OxigraphServer) -> None:
    from graph.importers.session import open_graph

    kg = open_graph(loaded.query_url, data=FIXTURE_DATA)
    assert capabilities(kg) == CAPABILITIES
    loaded.kill()
    with pytest.raises(StoreError, match=r"cannot connect to the SPARQL store at http://127\.0\.0\.1:\d+/query"):
        within(lambda: capabilities(kg))
    with pytest.raises(StoreError, match="is it running"):
        within(lambda: kg.stats())
    loaded.start()  # same port, same data directory
    assert within(lambda: capabilities(kg)) == CAPABILITIES
    assert kg.triple_count() > 0


def test_store_killed_while_a_query_runs(loaded: OxigraphServer) -> None:
    store = RemoteStore(loaded.query_url, timeout=30)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    killer = threading.Timer(1.0, loaded.kill)
    killer.start()
    # Either the answer breaks off, or (after one retry on a fresh connection) the connection is refused.
    with pytest.raises(StoreError, match=r"SPARQL store at \S+ broke off|cannot connect to the SPARQL store"):
        within(lambda: store.select(slow))
    killer.join()
    loaded.start()
    assert len(within(lambda: store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 3"))) == 3


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"
    sock.close()


def test_store_that_never_answers_times_out(silent_server: str) -> None:
    store = RemoteStore(silent_server, timeout=1)
    with pytest.raises(StoreError, match=r"did not answer the query within 1 s"):
        within(lambda: store.select("SELECT * WHERE { ?s ?p ?o }"))


def test_nothing_listening() -> None:
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=5)
    with pytest.raises(StoreError, match=r"\(connection refused\); is it running\?"):
        within(lambda: store.ask("ASK {}"))


def test_not_a_url() -> None:
    with pytest.raises(StoreError, match="must be an http"):
        RemoteStore("file:///etc/passwd")


def test_credentials_never_appear_in_messages() -> None:
    store = RemoteStore(f"http://reader:s3cret@127.0.0.1:{free_port()}/query", timeout=5)
    assert "s3cret" not in store.description
    with pytest.raises(StoreError) as info:
        within(lambda: store.ask("ASK {}"))
    assert "s3cret" not in str(info.value) and "reader" not in str(info.value)


def test_store_without_the_data(oxigraph: OxigraphServer) -> None:
    store = RemoteStore(oxigraph.query_url)
    with pytest.raises(StoreError, match=r"holds no AI Risk Graph data.*airisk load --store URL"):
        store.select("SELECT * WHERE { ?s ?p ?o }")


def test_store_without_the_union_default_graph(tmp_path: Path) -> None:
    server = start_oxigraph(tmp_path / "store", union=False)
    try:
        result = airisk("--data", str(FIXTURE_DATA), "load", "--store", server.query_url)
        assert result.returncode == 1
        assert "--union-default-graph" in result.stderr
        store = RemoteStore(server.query_url)
        with pytest.raises(StoreError, match="does not read its named graphs as the default graph"):
            store.select("SELECT * WHERE { ?s ?p ?o }")
    finally:
        server.kill()


def test_malformed_query_is_a_query_error_with_the_store_message(loaded: OxigraphServer) -> None:
    store = RemoteStore(loaded.query_url)
    with pytest.raises(QueryError, match=r"rejected the query: error at 1:\d+"):
        store.select("SELECT * WHERE { ?s ?p }")


def test_load_into_a_store_that_is_down() -> None:
    result = CliRunner().invoke(
        app, ["--data", str(FIXTURE_DATA), "load", "--store", f"http://127.0.0.1:{free_port()}/query"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot connect to the SPARQL store")


def test_load_into_a_read_only_store(tmp_path: Path) -> None:
    import pyoxigraph as ox

    created = ox.Store(str(tmp_path / "store"))  # an existing, empty data directory
    del created
    server = start_oxigraph(tmp_path / "store", read_only=True)
    try:
        result = airisk("--data", str(FIXTURE_DATA), "load", "--store", server.query_url)
        assert result.returncode == 1
        assert "error: the SPARQL store at" in result.stderr and "update" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        server.kill()


def test_load_without_a_store_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["--data", str(FIXTURE_DATA), "load"])
    assert result.exit_code == 2
    assert "needs --store URL" in result.stderr


def test_reload_replaces_graphs_and_drops_stale_ones(loaded: OxigraphServer) -> None:
    store = RemoteStore(loaded.query_url)
    stale = "https://w3id.org/airisk/id/graph/import/removed-since"
    store.replace_graph(stale, "<urn:a> <urn:b> <urn:c> .\n")
    foreign = "urn:someone-else:graph"
    store.replace_graph(foreign, "<urn:a> <urn:b> <urn:d> .\n")
    before = store.triple_count()
    result = airisk("--data", str(FIXTURE_DATA), "load", "--store", loaded.query_url)
    assert result.returncode == 0, result.stderr
    assert f"removed stale graph {stale}" in result.stdout
    graphs = store.graphs()
    assert stale not in graphs and foreign in graphs  # other people's graphs are left alone
    assert store.triple_count() == before - 1


def test_load_with_the_graph_store_protocol(oxigraph: OxigraphServer) -> None:
    from graph import KnowledgeGraph
    from graph.importers.session import open_graph

    result = airisk(
        "--data", str(FIXTURE_DATA), "load", "--store", oxigraph.query_url, "--gsp-url", oxigraph.base + "/store"
    )
    assert result.returncode == 0, result.stderr
    remote = open_graph(oxigraph.query_url, data=FIXTURE_DATA)
    assert remote.stats() == KnowledgeGraph.load(data=FIXTURE_DATA).stats()


def test_bad_rdf_is_refused_before_anything_is_sent(loaded: OxigraphServer) -> None:
    store = RemoteStore(loaded.query_url)
    before = store.triple_count()
    with pytest.raises(StoreError, match="cannot parse RDF"):
        store.replace_graph("https://w3id.org/airisk/id/graph/curated", "<urn:a> <urn:b> .\n")
    assert store.triple_count() == before


def test_load_includes_the_import_workspace(oxigraph: OxigraphServer, tmp_path: Path) -> None:
    """Imports saved in the workspace go to the store too, so both stores answer alike."""
    from graph.importers.common import ImportResult, SourceInfo
    from graph.importers.session import open_graph
    from graph.importers.workspace import save_import

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    nt = (
        b"<https://w3id.org/airisk/id/test-method/imported-bench> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/airisk/ontology#TestMethod> .\n"
        b"<https://w3id.org/airisk/id/test-method/imported-bench> "
        b'<http://www.w3.org/2000/01/rdf-schema#label> "Imported bench"@en .\n'
    )
    source = SourceInfo("Fixture import", "Fixture Press", "1", "CC-BY-4.0", "Fixture", None, "fixture.json")
    info = save_import(workspace, ImportResult("fixture", "fixture-import", nt, {"test_methods": 1}, source))
    env = {**os.environ, "AIRISK_WORKSPACE": str(workspace)}
    cmd = [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "load", "--store", oxigraph.query_url]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "in 3 graphs" in result.stdout
    remote = open_graph(oxigraph.query_url, data=FIXTURE_DATA)
    embedded = open_graph(None, data=FIXTURE_DATA, workspace=workspace)
    assert info.graph in remote.store.graphs()
    assert remote.store.graphs() == embedded.store.graphs()
    assert remote.stats() == embedded.stats()
