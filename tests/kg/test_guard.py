"""The read-only guard: every refused form, and properties over generated queries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.core.errors import QueryRefused
from graph.store.guard import check_read_only, query_form

REFUSED = [
    "INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }",
    "DELETE DATA { <http://a/s> <http://a/p> <http://a/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <http://a/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://a/g>",
    "CREATE GRAPH <http://a/g>",
    "ADD <http://a/g> TO <http://a/h>",
    "MOVE DEFAULT TO <http://a/g>",
    "COPY <http://a/g> TO DEFAULT",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service ?x { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/remote.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/> SELECT * FROM ex:remote WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ; INSERT DATA { <http://a/s> <http://a/p> 1 }",
    "# just a comment",
]

ALLOWED = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    'SELECT * WHERE { ?s ?p "please DELETE and INSERT and LOAD me" }',
    "SELECT ?load ?service ?from WHERE { ?load <http://a/delete> ?service . BIND(?service AS ?from) }",
    "PREFIX insert: <http://a/> SELECT * WHERE { ?s insert:drop ?o }",
    "ASK { ?s a <http://a/Service> }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <https://w3id.org/airisk/id/risk/mit/4.2>",
    "SELECT * FROM <https://w3id.org/airisk/id/graph/curated> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } # DELETE in a comment",
    "SELECT * WHERE { ?s ?p <http://a/LOAD> }",
]


@pytest.mark.parametrize("query", REFUSED)
def test_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="^(refused: |SPARQL syntax error at line)"):
        check_read_only(query)


@pytest.mark.parametrize("query", ALLOWED)
def test_allowed(query: str) -> None:
    check_read_only(query)


def test_query_form() -> None:
    assert query_form("PREFIX a: <http://a/> ask { ?s ?p ?o }") == "ASK"
    assert query_form("# SELECT\nCONSTRUCT {} WHERE {}") == "CONSTRUCT"


WORDS = ["INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "SERVICE"]


@settings(max_examples=200, deadline=None)
@given(
    word=st.sampled_from(WORDS),
    case=st.sampled_from([str.upper, str.lower, str.title]),
    pad=st.sampled_from([" ", "\n", "\t", "  \n "]),
    where=st.integers(0, 2),
)
def test_any_update_keyword_in_code_position_is_refused(word: str, case, pad: str, where: int) -> None:  # type: ignore[no-untyped-def]
    kw = case(word)
    parts = [
        f"SELECT * WHERE {{ ?s ?p ?o }}{pad}{kw} <http://a/g>",
        f"{kw}{pad}DATA {{ <http://a/s> <http://a/p> <http://a/o> }}",
        f"SELECT * WHERE {{{pad}{kw}{pad}<http://a/x> {{ ?s ?p ?o }} }}",
    ]
    with pytest.raises(QueryRefused):
        check_read_only(parts[where])


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_characters='"\\\n\r'), max_size=40), word=st.sampled_from(WORDS))
def test_keywords_inside_literals_are_data(text: str, word: str) -> None:
    check_read_only(f'SELECT * WHERE {{ ?s ?p "{text} {word} {text}" }}')
