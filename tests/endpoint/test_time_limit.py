"""A query past the time limit is stopped with a clear error while other clients keep getting answers."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import TIMEOUT_S
from .servers import Endpoint

# Four unconstrained patterns over ~800 triples: ~4e11 combinations, far past any time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "SELECT ?c WHERE { ?c a ar:Capability }"

pytestmark = pytest.mark.slow


def test_runaway_query_is_stopped_while_others_are_answered(client: httpx.Client, server: object) -> None:
    slow: dict[str, httpx.Response] = {}

    def run_slow() -> None:
        with httpx.Client(base_url=client.base_url, timeout=60, trust_env=False) as c:
            slow["r"] = c.get("/sparql", params={"query": SLOW})

    t = threading.Thread(target=run_slow)
    t.start()
    answered_meanwhile = 0
    while t.is_alive():
        r = client.get("/sparql", params={"query": QUICK})
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 2
        if t.is_alive():
            answered_meanwhile += 1
    t.join()
    assert answered_meanwhile >= 3  # other clients were served while the runaway query ran
    assert slow["r"].status_code == 503
    assert f"ran past this endpoint's time limit of {TIMEOUT_S} s and was stopped" in slow["r"].text

    # The stopped worker was replaced: the endpoint keeps answering, also a second runaway query.
    assert client.get("/sparql", params={"query": QUICK}).status_code == 200
    again = client.get("/sparql", params={"query": SLOW})
    assert again.status_code == 503
    assert client.get("/id/capability/persuasion", headers={"Accept": "text/turtle"}).status_code == 200


def test_a_cheap_query_does_not_wait_behind_runaway_queries(server: Endpoint) -> None:
    """Two runaway queries hold both general workers; a third client's cheap query is answered at
    once by the short lane, long before the runaway queries are stopped."""
    done: list[str] = []

    def get(name: str, query: str) -> httpx.Response:
        r = httpx.get(server.sparql, params={"query": query}, timeout=60, trust_env=False)
        done.append(name)
        return r

    with ThreadPoolExecutor(3) as ex:
        slow = [ex.submit(get, f"slow{i}", SLOW) for i in range(2)]
        time.sleep(0.5)  # let both runaway queries reach the workers first
        quick = ex.submit(get, "quick", QUICK)
        assert [f.result().status_code for f in slow] == [503, 503]
        assert quick.result().status_code == 200
    assert len(quick.result().json()["results"]["bindings"]) == 2
    assert done[0] == "quick"
