"""SPARQL 1.1 Protocol conformance of ``airisk serve``: every method, every content type, the errors.

Answers are parsed back with independent parsers (pyoxigraph's results and RDF parsers, the csv
module, rdflib's SPARQL client) and compared with the same query on the embedded store.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from graph.store.oxigraph import Term, term_from_ox

from .conftest import MAX_ROWS

SELECT = """SELECT ?c ?label ?description WHERE {
  ?c a ar:Capability ; rdfs:label ?label ; dcterms:description ?description }"""
ASK_TRUE = "ASK { cap:persuasion a ar:Capability }"
ASK_FALSE = "ASK { cap:no-such-thing a ar:Capability }"
CONSTRUCT = "CONSTRUCT { ?r skos:prefLabel ?l } WHERE { ?r skos:inScheme scheme:mit ; skos:prefLabel ?l }"

RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPHS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def rows_of(body: bytes, fmt: ox.QueryResultsFormat) -> Counter[tuple[tuple[str, Term], ...]]:
    """Parse SPARQL results and return the rows as a multiset."""
    parsed = ox.parse_query_results(body, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    out: Counter[tuple[tuple[str, Term], ...]] = Counter()
    for sol in parsed:
        out[tuple((n, term_from_ox(sol[n])) for n in names if sol[n] is not None)] += 1
    return out


def expected_rows(kg: Any, query: str) -> Counter[tuple[tuple[str, Term], ...]]:
    result = kg.select(query)
    return Counter(tuple((v, row[v]) for v in result.vars if v in row) for row in result.rows)


def triples_of(body: bytes, fmt: ox.RdfFormat) -> set[tuple[Term, Term, Term]]:
    return {(term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)) for t in ox.parse(body, fmt)}


# ---------------------------------------------------------------------- the three ways to send a query
def test_get_with_query_answers_json_by_default(client: httpx.Client, kg: Any) -> None:
    r = client.get("/sparql", params={"query": SELECT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert "Accept" in r.headers["vary"]
    assert rows_of(r.content, ox.QueryResultsFormat.JSON) == expected_rows(kg, SELECT)
    assert len(expected_rows(kg, SELECT)) == 2


def test_post_form_encoded(client: httpx.Client, kg: Any) -> None:
    r = client.post("/sparql", data={"query": SELECT})
    assert r.status_code == 200
    assert rows_of(r.content, ox.QueryResultsFormat.JSON) == expected_rows(kg, SELECT)


def test_post_sparql_query_body(client: httpx.Client, kg: Any) -> None:
    r = client.post("/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200
    assert rows_of(r.content, ox.QueryResultsFormat.JSON) == expected_rows(kg, SELECT)


# ---------------------------------------------------------------------- content types
@pytest.mark.parametrize("media", list(RESULTS))
def test_select_in_each_results_format(client: httpx.Client, kg: Any, media: str) -> None:
    r = client.post("/sparql", data={"query": SELECT}, headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    # The description with quotes, a tab, a newline, markup and non-ASCII survives exactly.
    assert rows_of(r.content, RESULTS[media]) == expected_rows(kg, SELECT)


def test_select_as_csv(client: httpx.Client, kg: Any) -> None:
    r = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert b"\r\n" in r.content
    table = list(csv.reader(io.StringIO(r.content.decode())))
    assert table[0] == ["c", "label", "description"]
    expected = sorted([[row[v].value for v in ("c", "label", "description")] for row in kg.select(SELECT).rows])
    assert sorted(table[1:]) == expected


def test_select_as_html_for_a_browser(client: httpx.Client) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]
    assert "<script>" not in r.text
    assert "&lt;script&gt;alert(" in r.text
    assert 'href="/id/capability/persuasion"' in r.text


@pytest.mark.parametrize("media", list(RESULTS))
@pytest.mark.parametrize(("query", "answer"), [(ASK_TRUE, True), (ASK_FALSE, False)])
def test_ask_in_each_results_format(client: httpx.Client, media: str, query: str, answer: bool) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    parsed = ox.parse_query_results(r.content, format=RESULTS[media])
    assert isinstance(parsed, ox.QueryBoolean)
    assert bool(parsed) is answer


def test_ask_as_csv(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": ASK_FALSE}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.text == "false"  # the CSV/TSV spec defines no boolean form; Oxigraph's bare value


@pytest.mark.parametrize("media", list(GRAPHS))
def test_construct_in_each_rdf_format(client: httpx.Client, kg: Any, media: str) -> None:
    r = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    expected = set(kg.store.construct(kg.with_prefixes(CONSTRUCT)))
    assert len(expected) == 7
    assert triples_of(r.content, GRAPHS[media]) == expected


def test_construct_defaults_to_turtle_and_describe_works(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert r.text.startswith("@prefix")
    d = client.get("/sparql", params={"query": "DESCRIBE cap:persuasion"}, headers={"Accept": "application/n-triples"})
    assert d.status_code == 200
    triples = triples_of(d.content, ox.RdfFormat.N_TRIPLES)
    assert (
        Term("uri", "https://w3id.org/airisk/id/capability/persuasion"),
        Term("uri", "http://www.w3.org/2000/01/rdf-schema#label"),
        Term("literal", "Persuasion", None, "en"),
    ) in triples


# ---------------------------------------------------------------------- negotiation
@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("application/sparql-results+xml;q=0.5, text/csv", None, "text/csv"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", None, "application/sparql-results+xml"),
        ("application/json", None, "application/sparql-results+json"),
        ("*/*", None, "application/sparql-results+json"),
        ("text/*", None, "text/csv"),
        ("", None, "application/sparql-results+json"),
        ("application/sparql-results+json", "tsv", "text/tab-separated-values"),
    ],
)
def test_accept_header_and_format_parameter(client: httpx.Client, accept: str, fmt: str | None, expected: str) -> None:
    params = {"query": ASK_TRUE, **({"format": fmt} if fmt else {})}
    r = client.get("/sparql", params=params, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
def test_no_acceptable_format_is_406(client: httpx.Client, query: str) -> None:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "offers" in r.text


# ---------------------------------------------------------------------- service description
def test_service_description(client: httpx.Client, server: Any, kg: Any) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = ox.Store()
    g.load(r.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"

    def objects(p: str) -> set[str]:
        return {str(q.object.value) for q in g.quads_for_pattern(None, ox.NamedNode(sd + p), None)}

    assert objects("endpoint") == {server.sparql}
    assert objects("supportedLanguage") == {sd + "SPARQL11Query"}
    assert sd + "BasicFederatedQuery" not in objects("feature")
    assert sd + "UnionDefaultGraph" in objects("feature")
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in objects("resultFormat")
    names = objects("name")
    assert names == set(kg.store.graphs())
    sizes = [
        int(q.object.value) for q in g.quads_for_pattern(None, ox.NamedNode("http://rdfs.org/ns/void#triples"), None)
    ]
    # the default graph (the union) plus one entry per named graph
    assert max(sizes) == kg.triple_count() == sum(sizes) - max(sizes)


def test_service_description_in_json_ld_and_a_form_for_browsers(client: httpx.Client) -> None:
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    assert isinstance(json.loads(r.content), list | dict)
    html = client.get("/sparql", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert '<form method="get" action="/sparql">' in html.text


# ---------------------------------------------------------------------- convenience
def test_queries_need_no_prefix_lines_but_may_declare_their_own(client: httpx.Client) -> None:
    own = "PREFIX cap: <urn:other:>\nASK { cap:persuasion ?p ?o }"
    r = client.get("/sparql", params={"query": own}, headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is False
    r = client.get("/sparql", params={"query": "ASK { cap:persuasion ?p ?o }"})
    assert r.json()["boolean"] is True


def test_non_ascii_query_text(client: httpx.Client) -> None:
    q = 'SELECT ?c WHERE { ?c dcterms:description ?d FILTER(CONTAINS(?d, "naïve ✓")) }'
    r = client.get("/sparql", params={"query": q})
    assert [b["c"]["value"] for b in r.json()["results"]["bindings"]] == [
        "https://w3id.org/airisk/id/capability/persuasion"
    ]


def test_rdflib_sparql_client_can_use_the_endpoint(server: Any) -> None:
    """A third-party SPARQL client (rdflib's SPARQLStore, over urllib) gets correct answers."""
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(server.sparql))
    prefixes = "PREFIX ar: <https://w3id.org/airisk/ontology#>\n"
    rows = list(g.query(prefixes + "SELECT ?c WHERE { ?c a ar:Capability } ORDER BY ?c"))
    assert [str(r[0]) for r in rows] == [
        "https://w3id.org/airisk/id/capability/cbrn-uplift",
        "https://w3id.org/airisk/id/capability/persuasion",
    ]
    assert g.query(prefixes + "ASK { ?c a ar:Capability }").askAnswer is True
    built = g.query(prefixes + "CONSTRUCT { ?c a ar:Capability } WHERE { ?c a ar:Capability }")
    assert len(list(built)) == 2


# ---------------------------------------------------------------------- errors
def test_malformed_query_is_400_with_the_parser_message_and_position(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s\nWHERE {\n  ?s ?p \n}"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert "SPARQL syntax error at line 3, column 3" in r.text  # in the text as sent (no lines added in front)


def test_text_that_is_no_query_at_all_is_400(client: httpx.Client) -> None:
    r = client.post("/sparql", data={"query": "hello world"})
    assert r.status_code == 400
    assert "SPARQL syntax error at line 1, column 1" in r.text


@pytest.mark.parametrize(
    ("request_kwargs", "status", "words"),
    [
        ({"params": {"query": "   "}}, 400, "empty"),
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "more than one"),
        ({"params": {"query": "ASK {}", "default-graph-uri": "http://example.org/g"}}, 400, "default-graph-uri"),
        ({"params": {"query": "ASK {}", "named-graph-uri": "http://example.org/g"}}, 400, "named-graph-uri"),
    ],
)
def test_bad_get_requests(client: httpx.Client, request_kwargs: dict[str, Any], status: int, words: str) -> None:
    r = client.get("/sparql", **request_kwargs)
    assert r.status_code == status
    assert words in r.text


def test_unsupported_post_content_type_is_415(client: httpx.Client) -> None:
    r = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.text


def test_query_both_in_body_and_parameter_is_400(client: httpx.Client) -> None:
    r = client.post(
        "/sparql", params={"query": "ASK {}"}, content=b"ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 400


def test_body_that_is_not_utf8_is_400(client: httpx.Client) -> None:
    r = client.post("/sparql", content=b"ASK { ?s ?p \xff }", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400
    assert "UTF-8" in r.text


def test_oversized_request_is_413(client: httpx.Client) -> None:
    big = "ASK {}" + " " * 1_100_000
    r = client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client: httpx.Client, method: str) -> None:
    r = client.request(method, "/sparql", content=b"x")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"


def test_answer_over_the_row_cap_is_refused_with_a_hint(client: httpx.Client, kg: Any) -> None:
    assert kg.triple_count() > MAX_ROWS
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422
    assert f"more than {MAX_ROWS} rows" in r.text and "LIMIT" in r.text
    ok = client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"})
    assert ok.status_code == 200
    assert len(ok.json()["results"]["bindings"]) == MAX_ROWS


def test_graph_answer_over_the_cap_is_refused(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.status_code == 422


def test_unknown_path_is_404(client: httpx.Client) -> None:
    assert client.get("/nothing-here").status_code == 404


def test_no_cross_origin_access_unless_asked(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": ASK_TRUE}, headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
