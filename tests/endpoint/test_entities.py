"""Entity IRIs dereference: Turtle / JSON-LD / N-Triples by Accept, a plain HTML page for a browser."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from graph.store.oxigraph import Term, term_from_ox

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RISK = "https://w3id.org/airisk/id/risk/mit/4.2"
FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def triples(body: bytes, fmt: ox.RdfFormat) -> set[tuple[Term, Term, Term]]:
    return {(term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)) for t in ox.parse(body, fmt)}


@pytest.mark.parametrize("media", list(FORMATS))
def test_entity_iri_in_each_rdf_format(client: httpx.Client, kg: Any, media: str) -> None:
    r = client.get("/id/risk/mit/4.2", headers={"Accept": media})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]
    got = triples(r.content, FORMATS[media])
    me = Term("uri", RISK)
    # Everything the graph says about the entity is there ...
    own = kg.store.construct(f"CONSTRUCT {{ <{RISK}> ?p ?o }} WHERE {{ <{RISK}> ?p ?o }}")
    assert set(own) <= got
    # ... and what points to it (test methods that assess it), with the neighbours' labels.
    wmdp = Term("uri", "https://w3id.org/airisk/id/test-method/wmdp")
    assert (wmdp, Term("uri", "https://w3id.org/airisk/ontology#assessesRisk"), me) in got
    assert (wmdp, Term("uri", "http://www.w3.org/2000/01/rdf-schema#label"), Term("literal", "WMDP", None, "en")) in got


def test_the_same_description_in_every_format(client: httpx.Client) -> None:
    answers = [triples(client.get("/id/risk/mit/4.2", headers={"Accept": m}).content, f) for m, f in FORMATS.items()]
    assert answers[0] == answers[1] == answers[2]


def test_format_parameter_and_link_headers(client: httpx.Client) -> None:
    r = client.get("/id/capability/cbrn-uplift", params={"format": "jsonld"}, headers={"Accept": BROWSER})
    assert r.headers["content-type"].startswith("application/ld+json")
    links = r.headers["link"]
    assert '</id/capability/cbrn-uplift?format=ttl>; rel="alternate"; type="text/turtle"' in links
    assert 'type="application/ld+json"' in links


def test_browser_gets_an_html_page_with_links_and_evidence(client: httpx.Client) -> None:
    r = client.get("/id/risk/mit/4.2", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<title>Weapons and cyberattacks · AI Risk Graph</title>" in html
    # links to related entities, served by this endpoint
    assert 'href="/id/test-method/wmdp"' in html
    assert 'href="/id/risk/mit/4"' in html
    assert 'href="/id/risk/nist600/2.1"' in html
    # no scripts, no external assets
    assert "<script" not in html
    assert not re.search(r"""<(link|img|iframe)[^>]+(src|href)=["']https?://""", html)
    assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_evidence_shows_rationale_and_sources(client: httpx.Client) -> None:
    html = client.get("/id/test-method/wmdp", headers={"Accept": "text/html"}).text
    assert "<h2>Evidence</h2>" in html
    assert "Measures CBRN knowledge." in html
    assert 'href="/id/source/src-b"' in html and "Fixture source B" in html


def test_html_page_escapes_the_data(client: httpx.Client) -> None:
    html = client.get("/id/capability/persuasion", headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    assert "<script>alert" not in html


def test_curl_default_is_turtle(client: httpx.Client) -> None:
    r = client.get("/id/org/uk-aisi", headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert "UK institute" in r.text


def test_unknown_entity_is_404(client: httpx.Client) -> None:
    for accept in ("text/turtle", "text/html"):
        r = client.get("/id/risk/mit/99.99", headers={"Accept": accept})
        assert r.status_code == 404
        assert "nothing is known about" in r.text


def test_unacceptable_format_is_406(client: httpx.Client) -> None:
    assert client.get("/id/risk/mit/4.2", headers={"Accept": "image/png"}).status_code == 406


def test_ontology_dereferences(client: httpx.Client) -> None:
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    got = triples(r.content, ox.RdfFormat.TURTLE)
    owl_class = Term("uri", "http://www.w3.org/2002/07/owl#Class")
    capability = Term("uri", "https://w3id.org/airisk/ontology#Capability")
    assert (capability, Term("uri", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), owl_class) in got
    assert "Capability" in client.get("/ontology", headers={"Accept": "text/html"}).text


def test_home_page_lists_the_catalogue_with_runnable_links(client: httpx.Client, kg: Any) -> None:
    html = client.get("/", headers={"Accept": BROWSER}).text
    catalogue = kg.catalogue()
    assert catalogue, "the query catalogue is empty"
    for query in catalogue.values():
        assert query.title.replace("&", "&amp;").replace("'", "&#x27;") in html
    link = re.search(r'href="(/sparql\?[^"]+)"', html)
    assert link is not None
    run = client.get(link.group(1).replace("&amp;", "&"), headers={"Accept": BROWSER})
    assert run.status_code == 200 and "<table>" in run.text
