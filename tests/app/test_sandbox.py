"""graph.sandbox.runner: read-only guard, row cap, and a time limit that stops a runaway query."""

from __future__ import annotations

import threading
import time

import pytest

from graph.core.errors import QueryError, QueryRefused, QueryTimeout
from graph.sandbox.runner import run_guarded

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_select_with_prefixes_declared_for_the_user(app_kg) -> None:  # type: ignore[no-untyped-def]
    r = run_guarded(app_kg, "SELECT ?r ?l WHERE { ?r a ar:RiskCategory ; rdfs:label ?l } ORDER BY ?r")
    assert r.form == "SELECT" and r.vars == ["r", "l"] and len(r.rows) == 9 and not r.truncated
    assert r.rows[0]["r"].value == "https://w3id.org/airisk/id/risk/mit/1"
    assert r.records()[0]["l"] == "Discrimination"


def test_row_cap_truncates_and_says_so(app_kg) -> None:  # type: ignore[no-untyped-def]
    r = run_guarded(app_kg, "SELECT ?s WHERE { ?s ?p ?o }", max_rows=7)
    assert len(r.rows) == 7 and r.truncated


def test_ask_construct_describe(app_kg) -> None:  # type: ignore[no-untyped-def]
    assert run_guarded(app_kg, "ASK { ?s a ar:TestMethod }").boolean is True
    c = run_guarded(app_kg, "CONSTRUCT { ?s a ar:Capability } WHERE { ?s a ar:Capability }")
    assert c.vars == ["subject", "predicate", "object"] and len(c.rows) == 2


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/x.ttl>", "LOAD"),
        ("DROP ALL", "DROP"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_writes_loads_and_remote_reads_are_refused(app_kg, query: str, words: str) -> None:  # type: ignore[no-untyped-def]
    before = app_kg.triple_count()
    with pytest.raises(QueryRefused, match=words):
        run_guarded(app_kg, query)
    assert app_kg.triple_count() == before


def test_syntax_error_points_at_the_users_line(app_kg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError, match="line 2, column"):
        run_guarded(app_kg, "SELECT * WHERE {\n  ?s ?p }")


def test_runaway_query_is_stopped_and_others_keep_working(app_kg) -> None:  # type: ignore[no-untyped-def]
    answers: list[int] = []

    def neighbour() -> None:
        time.sleep(0.3)
        answers.append(len(run_guarded(app_kg, "SELECT ?s WHERE { ?s a ar:RiskCategory }", timeout_s=20).rows))

    t = threading.Thread(target=neighbour)
    t.start()
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 1.5 s"):
        run_guarded(app_kg, HEAVY, timeout_s=1.5)
    stopped_after = time.monotonic() - start
    t.join(30)
    assert answers == [9]  # another visitor's query ran while the bad one was going
    assert stopped_after < 15
    assert len(run_guarded(app_kg, "SELECT ?s WHERE { ?s a ar:TestMethod }").rows) == 4  # a fresh worker


def test_snapshot_follows_changes_to_the_store(app_kg) -> None:  # type: ignore[no-untyped-def]
    g = "https://w3id.org/airisk/id/graph/import/sandbox-test"
    q = "SELECT ?s WHERE { ?s a ar:Capability }"
    n = len(run_guarded(app_kg, q).rows)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    app_kg.store.replace_graph(g, f"<urn:x> <{rdf_type}> <https://w3id.org/airisk/ontology#Capability> .\n")
    try:
        assert len(run_guarded(app_kg, q).rows) == n + 1
    finally:
        app_kg.store.drop_graph(g)
    assert len(run_guarded(app_kg, q).rows) == n
