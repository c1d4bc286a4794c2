"""The endpoint's plain HTML pages: home, query form, results, entity pages, errors.

Every value is HTML-escaped; pages carry no scripts and load no external assets (the one style
sheet is inline), so they work offline and cannot run anything from the data.
"""

from __future__ import annotations

from html import escape as html_escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from graph.core.namespaces import curie
from graph.endpoint.entity import EntityView, local_path
from graph.safeio.text import show_controls
from graph.store.oxigraph import Term

if TYPE_CHECKING:
    from graph.sandbox.formats import Answer


def escape(text: str, quote: bool = True) -> str:
    """HTML-escape ``text``, with bidirectional and invisible control characters shown as ``<U+XXXX>``."""
    return html_escape(show_controls(text), quote)


STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;font-size:.92rem} td,th{border:1px solid #ccd;padding:.3rem .5rem;
text-align:left;vertical-align:top} th{background:#eef1f6} code,pre{font-family:ui-monospace,monospace;font-size:.88rem}
pre{background:#f5f6f8;padding:.6rem;overflow:auto;white-space:pre-wrap} textarea{width:100%;font-family:ui-monospace,
monospace} .muted{color:#667} nav a{margin-right:1rem} .iri{word-break:break-all}
"""


def page(title: str, body: str) -> str:
    """A complete HTML page (``title`` is escaped; ``body`` must already be safe HTML)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · AI Risk Graph</title><style>{STYLE}</style></head><body>"
        '<nav><a href="/">AI Risk Graph</a><a href="/sparql">SPARQL</a><a href="/ontology">Ontology</a></nav>'
        f"<h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def term_html(t: Term, prefixes: dict[str, str], label: str | None = None) -> str:
    """A term as HTML: IRIs of this graph link to their page, other IRIs to themselves."""
    if t.kind == "uri":
        short = curie(t.value, prefixes)
        text = escape(label) + f' <span class="muted">{escape(short)}</span>' if label else escape(short)
        href = local_path(t.value) or (t.value if t.value.startswith(("http://", "https://")) else None)
        if href is None:
            return f'<span class="iri">{text}</span>'
        rel = "" if href.startswith("/") else ' rel="noopener noreferrer nofollow"'
        return f'<a class="iri" href="{escape(href, quote=True)}"{rel}>{text}</a>'
    if t.kind == "bnode":
        return f"<code>_:{escape(t.value)}</code>"
    suffix = ""
    if t.lang:
        suffix = f' <span class="muted">@{escape(t.lang)}</span>'
    elif t.datatype:
        suffix = f' <span class="muted">{escape(curie(t.datatype, prefixes))}</span>'
    return escape(t.value) + suffix


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def results_page(answer: Answer, prefixes: dict[str, str]) -> str:
    """A SELECT or ASK answer as an HTML table."""
    if answer.form == "ASK":
        return page("Query answer", f"<p>ASK: <strong>{'true' if answer.boolean else 'false'}</strong></p>")
    rows = [[term_html(row[v], prefixes) if v in row else "" for v in answer.vars] for row in answer.rows]
    body = f'<p class="muted">{len(rows)} rows</p>' + _table(answer.vars, rows)
    return page("Query answer", body)


def triples_page(triples: list[tuple[Term, Term, Term]], prefixes: dict[str, str], title: str = "Triples") -> str:
    """Triples (a CONSTRUCT answer, the ontology) as an HTML table."""
    rows = [[term_html(s, prefixes), term_html(p, prefixes), term_html(o, prefixes)] for s, p, o in sorted(triples)]
    return page(title, f'<p class="muted">{len(rows)} triples</p>' + _table(["subject", "predicate", "object"], rows))


def entity_page(view: EntityView, prefixes: dict[str, str]) -> str:
    """The page of one entity: what it is, what it says, what points to it, and the evidence."""
    title = view.label or curie(view.iri, prefixes)
    alt = escape(local_path(view.iri) or "", quote=True)
    body = [f'<p class="iri muted">{escape(view.iri)}</p>']
    if view.types:
        body.append("<p>" + ", ".join(term_html(t, prefixes) for t in view.types) + "</p>")
    if view.description:
        body.append(f"<p>{escape(view.description)}</p>")
    body.append(
        f'<p class="muted">Also as <a href="{alt}?format=ttl">Turtle</a>, '
        f'<a href="{alt}?format=jsonld">JSON-LD</a>, <a href="{alt}?format=nt">N-Triples</a>.</p>'
    )
    if view.outgoing:
        rows = [[term_html(s.prop, prefixes), term_html(s.other, prefixes, s.label)] for s in view.outgoing]
        body.append("<h2>Statements</h2>" + _table(["property", "value"], rows))
    if view.evidence:
        rows = []
        for ev in view.evidence:
            sources = "<br>".join(term_html(src, prefixes, label) for src, label in ev.sources)
            rows.append(
                [
                    term_html(ev.prop, prefixes),
                    term_html(ev.target, prefixes, ev.target_label),
                    escape(ev.rationale or ""),
                    sources,
                    escape(ev.confidence or ""),
                ]
            )
        body.append("<h2>Evidence</h2>" + _table(["claim", "about", "rationale", "sources", "confidence"], rows))
    if view.incoming:
        rows = [[term_html(s.other, prefixes, s.label), term_html(s.prop, prefixes)] for s in view.incoming]
        body.append("<h2>Referred to by</h2>" + _table(["entity", "property"], rows))
    return page(title, "".join(body))


def query_form_page(default_query: str = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20") -> str:
    """A plain query form (GET /sparql)."""
    body = (
        "<p>SPARQL 1.1 endpoint (read-only). Common prefixes (ar:, skos:, mit:, cap:, test: ...) need no "
        "PREFIX lines. Machines: send <code>Accept</code> for JSON, XML, CSV, TSV, Turtle, N-Triples or JSON-LD; "
        'the service description is at <a href="/sparql?format=ttl">/sparql</a> without a query.</p>'
        '<form method="get" action="/sparql"><textarea name="query" rows="14">'
        f"{escape(default_query)}</textarea>"
        '<p><label>Answer as <select name="format"><option value="html">table</option><option value="json">JSON'
        '</option><option value="csv">CSV</option><option value="tsv">TSV</option><option value="xml">XML</option>'
        '<option value="ttl">Turtle (CONSTRUCT)</option></select></label> <button type="submit">Run</button></p>'
        "</form>"
    )
    return page("SPARQL query", body)


def home_page(examples: list[tuple[str, str, str, str]], triples: int, graphs: list[str], store: str) -> str:
    """The home page: what this is, the store, and the example queries (name, title, description, text)."""
    items = []
    for name, title, description, text in examples:
        run = "/sparql?" + urlencode({"query": text, "format": "html"})
        items.append(
            f'<li><a href="{escape(run, quote=True)}">{escape(title)}</a> <code class="muted">{escape(name)}'
            f'</code><br><span class="muted">{escape(description)}</span></li>'
        )
    body = (
        f"<p>A read-only SPARQL endpoint over {triples} triples in {len(graphs)} named graphs ({escape(store)}). "
        'Query at <a href="/sparql">/sparql</a>; every entity IRI under <code>https://w3id.org/airisk/id/</code> '
        "has a page here under <code>/id/</code>.</p>"
        "<h2>Example queries</h2><ul>" + "".join(items) + "</ul>"
    )
    return page("AI Risk Graph", body)


def error_page(status: int, message: str) -> str:
    """An error as a page."""
    return page(f"Error {status}", f"<p>{escape(message)}</p>")
