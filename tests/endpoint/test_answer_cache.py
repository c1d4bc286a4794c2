"""Answers kept for repeated queries on the embedded graph (``--answer-cache-mb``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from graph.endpoint.cache import ENTRY_OVERHEAD, AnswerCache
from graph.sandbox.worker import Outcome

from .servers import Endpoint, start_endpoint

JSON = {"Accept": "application/sparql-results+json"}
QUERY = "SELECT ?c ?label WHERE { ?c a ar:Capability ; rdfs:label ?label } ORDER BY ?c"


def ask(client: httpx.Client, query: str, headers: dict[str, str] | None = None) -> httpx.Response:
    r = client.get("/sparql", params={"query": query}, headers=headers or JSON)
    assert r.status_code == 200, r.text
    return r


def test_a_repeated_query_is_answered_from_the_cache(client: httpx.Client) -> None:
    query = QUERY + " # cache test"
    first, again = ask(client, query), ask(client, query)
    assert first.headers["x-cache"] == "miss" and again.headers["x-cache"] == "hit"
    assert again.content == first.content and again.headers["content-type"] == first.headers["content-type"]
    # Another format of the same query is another answer; so is another spelling.
    csv = ask(client, query, {"Accept": "text/csv"})
    assert csv.headers["x-cache"] == "miss" and csv.text.startswith("c,label")
    assert ask(client, query + " ").headers["x-cache"] == "miss"
    # A browser's HTML page is kept too.
    page = ask(client, query + " # page", {"Accept": "text/html"})
    assert ask(client, query + " # page", {"Accept": "text/html"}).content == page.content


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?t) WHERE {}",
        "SELECT (RAND() AS ?r) WHERE {}",
        "SELECT (STRUUID() AS ?u) WHERE {}",
        "SELECT ?u WHERE { BIND(UUID() AS ?u) }",
        "CONSTRUCT { ?b rdfs:label ?l } WHERE { ?c a ar:Capability ; rdfs:label ?l BIND(BNODE() AS ?b) }",
        "select (now() as ?t) where {}",
    ],
)
def test_answers_that_vary_are_never_kept(client: httpx.Client, query: str) -> None:
    for _ in range(2):
        assert ask(client, query, {"Accept": "*/*"}).headers["x-cache"] == "miss"


def test_refusals_and_errors_are_never_kept(client: httpx.Client) -> None:
    for _ in range(2):
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, headers=JSON)
        assert r.status_code == 400 and "x-cache" not in r.headers


@pytest.fixture(scope="module")
def uncached() -> Iterator[Endpoint]:
    srv = start_endpoint("--answer-cache-mb", "0", "--workers", "1")
    yield srv
    srv.stop()


def test_the_cache_can_be_turned_off(uncached: Endpoint) -> None:
    with httpx.Client(base_url=uncached.base, timeout=30, trust_env=False) as c:
        answers = [ask(c, QUERY) for _ in range(3)]
    assert {a.headers["x-cache"] for a in answers} == {"miss"}
    assert len({a.content for a in answers}) == 1


def kept(body: bytes, cacheable: bool = True) -> Outcome:
    return Outcome("ok", body=body, media_type="text/csv", cacheable=cacheable)


def test_the_cache_keeps_to_its_budget_least_recently_used_first_out() -> None:
    cost = 100 + len("q000") + ENTRY_OVERHEAD
    cache = AnswerCache(10 * cost)
    for i in range(10):
        cache.put(f"q{i:03d}", kept(b"x" * 100))
    assert len(cache) == 10 and cache.size == 10 * cost
    assert cache.get("q000") is not None  # touched: q001 is now the least recently used
    cache.put("q010", kept(b"x" * 100))
    assert cache.size <= cache.max_bytes and len(cache) == 10
    assert cache.get("q001") is None and cache.get("q000") is not None and cache.get("q010") is not None
    for i in range(11, 100):
        cache.put(f"q{i:03d}", kept(b"x" * 100))
        assert cache.size <= cache.max_bytes
    assert cache.get("q000") is None and cache.get("q099") is not None
    # Never kept: more than a quarter of the budget, not cacheable, not ok, an undrawn answer.
    cache.put("big", kept(b"z" * cache.max_bytes))
    cache.put("varies", kept(b"a", cacheable=False))
    cache.put("failed", Outcome("failed", "boom", cacheable=True))
    assert cache.get("big") is None and cache.get("varies") is None and cache.get("failed") is None
    assert AnswerCache(0).get("q") is None
    hit = cache.get("q099")
    assert hit is not None and hit.cached and hit.body == b"x" * 100
