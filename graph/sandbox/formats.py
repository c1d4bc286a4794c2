"""Media types of the SPARQL endpoint: content negotiation and serialisers.

- :func:`negotiate` picks a media type from an ``Accept`` header (q-values, wildcards, aliases);
- :func:`serialize_answer` writes a query answer (:class:`Answer`) as SPARQL JSON / XML / CSV /
  TSV results or as Turtle / N-Triples / JSON-LD / RDF/XML;

The result serialisers are written here (not delegated to the engine) so that the embedded and the
remote store produce byte-identical answers from the same :class:`~graph.store.oxigraph.Term` values.
One exception, for speed: a SELECT answer in JSON from the embedded store is written by the engine
itself (:meth:`graph.sandbox.worker.EmbeddedRunner.json_results`); :func:`results_json` writes the
same bytes, which ``tests/endpoint/test_native_answers.py`` holds for every catalogue query and for
awkward terms (control characters, language tags, datatypes, unbound values).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.safeio.text import plain_cell, write_csv
from graph.store.oxigraph import XSD, Row, Term

JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
HTML = "text/html"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"

#: Server preference order for each kind of answer (the first is the default for ``*/*``).
RESULT_TYPES = (JSON_RESULTS, XML_RESULTS, CSV, TSV, HTML)
GRAPH_TYPES = (TURTLE, NTRIPLES, JSONLD, RDFXML, HTML)

#: Other names clients send for the same formats.
ALIASES = {
    "results": {"application/json": JSON_RESULTS, "application/xml": XML_RESULTS, "text/xml": XML_RESULTS},
    "graph": {
        "application/json": JSONLD,
        "application/x-turtle": TURTLE,
        "text/plain": NTRIPLES,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
    },
}

#: ``?format=`` short names (for browsers and curl users).
FORMAT_NAMES = {
    "json": JSON_RESULTS,
    "xml": XML_RESULTS,
    "csv": CSV,
    "tsv": TSV,
    "html": HTML,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "jsonld": JSONLD,
    "rdf": RDFXML,
    "rdfxml": RDFXML,
}

#: What ``?format=json`` / ``xml`` mean for a graph answer.
GRAPH_FORMAT_NAMES = {"json": JSONLD, "xml": RDFXML}

CONTENT_TYPES = {
    JSON_RESULTS: JSON_RESULTS + "; charset=utf-8",
    XML_RESULTS: XML_RESULTS + "; charset=utf-8",
    CSV: CSV + "; charset=utf-8",
    TSV: TSV + "; charset=utf-8",
    HTML: HTML + "; charset=utf-8",
    TURTLE: TURTLE + "; charset=utf-8",
    NTRIPLES: NTRIPLES + "; charset=utf-8",
    JSONLD: JSONLD,
    RDFXML: RDFXML + "; charset=utf-8",
}

_RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    JSONLD: ox.RdfFormat.JSON_LD,
    RDFXML: ox.RdfFormat.RDF_XML,
}


@dataclass
class Answer:
    """A query answer: ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE."""

    form: str
    vars: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool = False
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False  # cut at the row cap (only when the job asked for truncation)

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def size(self) -> int:
        return len(self.triples) if self.is_graph else len(self.rows)


# ---------------------------------------------------------------------- content negotiation
def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """The media ranges of an Accept header as (type, q, position), in the client's order."""
    out: list[tuple[str, float, int]] = []
    for pos, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media, q, pos))
    return out


def negotiate(accept: str | None, kind: str, fmt: str | None = None) -> str | None:
    """The media type to answer with, or None when the client accepts none of ours.

    ``kind`` is ``results`` (SELECT/ASK) or ``graph`` (CONSTRUCT/DESCRIBE and entity pages); an
    absent or empty Accept header means the default (the first of :data:`RESULT_TYPES` /
    :data:`GRAPH_TYPES`). ``fmt`` (a ``?format=`` short name or media type) overrides Accept.
    """
    offered = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    if fmt:
        name = fmt.lower()
        chosen = GRAPH_FORMAT_NAMES.get(name) if kind == "graph" else None
        chosen = chosen or FORMAT_NAMES.get(name) or ALIASES[kind].get(name, name)
        if chosen in offered:
            return chosen
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    for server_pos, media in enumerate(offered):
        # The most specific range that matches this type gives its quality (RFC 9110, 12.5.1).
        match: tuple[int, float, int] | None = None
        for rng, q, client_pos in ranges:
            rng = ALIASES[kind].get(rng, rng)
            if rng == media:
                specificity = 3
            elif rng.endswith("/*") and rng != "*/*" and media.startswith(rng[:-1]):
                specificity = 2
            elif rng == "*/*":
                specificity = 1
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q, client_pos)
        if match is None or match[1] <= 0:
            continue
        specificity, q, client_pos = match
        # Wildcards never pick HTML: browsers name text/html explicitly when they want it.
        if media == HTML and specificity < 3:
            continue
        # Highest q wins; then the client's order of ranges; then ours.
        key = (q, -client_pos, -server_pos)
        if best is None or key > best:
            best, choice = key, media
    return choice


# ---------------------------------------------------------------------- SPARQL results
def _json_term(t: Term) -> dict[str, str]:
    out = {"type": t.kind, "value": t.value}
    if t.lang:
        out["xml:lang"] = t.lang
    elif t.datatype:
        out["datatype"] = t.datatype
    return out


def results_json(answer: Answer) -> bytes:
    """SPARQL 1.1 Query Results JSON."""
    if answer.form == "ASK":
        doc: dict[str, object] = {"head": {}, "boolean": answer.boolean}
    else:
        doc = {
            "head": {"vars": answer.vars},
            "results": {"bindings": [{k: _json_term(v) for k, v in row.items()} for row in answer.rows]},
        }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped: drop them.
    cleaned = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)
    return escape(cleaned)


def results_xml(answer: Answer) -> bytes:
    """SPARQL Query Results XML Format."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if answer.form == "ASK":
        out.append(f"<head/>\n<boolean>{'true' if answer.boolean else 'false'}</boolean>\n</sparql>\n")
        return "".join(out).encode()
    out.append("<head>")
    out.extend(f"<variable name={quoteattr(v)}/>" for v in answer.vars)
    out.append("</head>\n<results>\n")
    for row in answer.rows:
        out.append("<result>")
        for name in answer.vars:
            if name not in row:
                continue
            t = row[name]
            out.append(f"<binding name={quoteattr(name)}>")
            if t.kind == "uri":
                out.append(f"<uri>{_xml_text(t.value)}</uri>")
            elif t.kind == "bnode":
                out.append(f"<bnode>{_xml_text(t.value)}</bnode>")
            elif t.lang:
                out.append(f"<literal xml:lang={quoteattr(t.lang)}>{_xml_text(t.value)}</literal>")
            elif t.datatype:
                out.append(f"<literal datatype={quoteattr(t.datatype)}>{_xml_text(t.value)}</literal>")
            else:
                out.append(f"<literal>{_xml_text(t.value)}</literal>")
            out.append("</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def results_csv(answer: Answer) -> bytes:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends (values exactly as in the graph,
    as the standard requires: programs read them; line breaks inside a value are always quoted)."""
    if answer.form == "ASK":  # not defined by the CSV/TSV spec: a bare true/false, as Oxigraph writes it
        return b"true" if answer.boolean else b"false"
    rows: list[list[str]] = [list(answer.vars)]
    for row in answer.rows:
        cells = []
        for name in answer.vars:
            t = row.get(name)
            cells.append("" if t is None else (f"_:{t.value}" if t.kind == "bnode" else t.value))
        rows.append(cells)
    return write_csv(rows, cell=plain_cell).encode()


def tsv_term(t: Term) -> str:
    """A term in SPARQL/Turtle syntax for TSV results (tabs and line breaks escaped)."""
    if t.kind == "uri":
        return f"<{t.value}>"
    if t.kind == "bnode":
        return f"_:{t.value}"
    escaped = (
        t.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    if t.lang:
        return f'"{escaped}"@{t.lang}'
    if t.datatype and t.datatype != XSD + "string":
        return f'"{escaped}"^^<{t.datatype}>'
    return f'"{escaped}"'


def results_tsv(answer: Answer) -> bytes:
    """SPARQL 1.1 Query Results TSV."""
    if answer.form == "ASK":  # as for CSV
        return b"true" if answer.boolean else b"false"
    lines = ["\t".join(f"?{v}" for v in answer.vars)]
    for row in answer.rows:
        lines.append("\t".join(tsv_term(row[v]) if v in row else "" for v in answer.vars))
    return ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------------- RDF
def to_ox(t: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A :class:`Term` as a pyoxigraph term."""
    if t.kind == "uri":
        return ox.NamedNode(t.value)
    if t.kind == "bnode":
        return ox.BlankNode(t.value)
    if t.lang:
        return ox.Literal(t.value, language=t.lang)
    if t.datatype:
        return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype))
    return ox.Literal(t.value)


def serialize_triples(triples: list[tuple[Term, Term, Term]], media_type: str, prefixes: dict[str, str]) -> bytes:
    """Triples in Turtle, N-Triples, JSON-LD or RDF/XML."""
    fmt = _RDF_FORMATS[media_type]
    oxt = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]  # type: ignore[arg-type]
    used = used_prefixes(triples, prefixes) if media_type in (TURTLE, RDFXML) else None
    out = ox.serialize(oxt, format=fmt, prefixes=used)
    return out if isinstance(out, bytes) else b""


def used_prefixes(triples: list[tuple[Term, Term, Term]], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI (or datatype) of ``triples`` starts with."""
    iris = {t.value for triple in triples for t in triple if t.kind == "uri"}
    iris |= {t.datatype for triple in triples for t in triple if t.datatype}
    # Every published namespace ends with "/" or "#": look each IRI's namespace up directly.
    hit = {i[: max(i.rfind("/"), i.rfind("#")) + 1] for i in iris}
    return {p: ns for p, ns in sorted(prefixes.items()) if ns in hit}


def serialize_answer(answer: Answer, media_type: str, prefixes: dict[str, str]) -> bytes:
    """The answer in ``media_type`` (one that :func:`negotiate` returned for its kind)."""
    if answer.is_graph:
        return serialize_triples(answer.triples, media_type, prefixes)
    if media_type == JSON_RESULTS:
        return results_json(answer)
    if media_type == XML_RESULTS:
        return results_xml(answer)
    if media_type == CSV:
        return results_csv(answer)
    if media_type == TSV:
        return results_tsv(answer)
    raise ValueError(f"no serialiser for {media_type}")
