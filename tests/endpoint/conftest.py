"""Fixtures: one running ``airisk serve`` over the endpoint fixture data (per test process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .servers import FIXTURE_DATA, Endpoint, start_endpoint

#: Limits of the test server: short enough for the time-limit test, far above what fixture queries need.
TIMEOUT_S = 2
MAX_ROWS = 300


@pytest.fixture(scope="session")
def endpoint_audit_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("endpoint-audit") / "connections.log"


@pytest.fixture(scope="session")
def server(endpoint_audit_log: Path) -> Iterator[Endpoint]:
    srv = start_endpoint(
        "--timeout", str(TIMEOUT_S), "--max-rows", str(MAX_ROWS), "--workers", "2", audit_log=endpoint_audit_log
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Endpoint) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=30, trust_env=False) as c:
        yield c


@pytest.fixture(scope="session")
def kg():  # type: ignore[no-untyped-def]
    """The same fixture data in an embedded store, in this process: the expected answers."""
    from graph import KnowledgeGraph

    return KnowledgeGraph.load(data=FIXTURE_DATA)
