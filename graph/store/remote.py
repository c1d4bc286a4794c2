"""A remote SPARQL 1.1 store: the graph kept in an existing SPARQL database instead of in process.

:class:`RemoteStore` implements the :class:`~graph.store.oxigraph.Store` protocol over HTTP, so every
analysis, the CLI, the endpoint and the app run unchanged on any SPARQL 1.1 endpoint
(Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso, Amazon Neptune, ...):

- queries go to ``url`` with the SPARQL 1.1 Protocol (URL-encoded POST); SELECT and ASK answers
  are read as SPARQL JSON results, CONSTRUCT / DESCRIBE answers as N-Triples, and turned into the
  same :class:`~graph.store.oxigraph.Term` values as the embedded store's, so answers compare equal;
- writes (``airisk load --store URL``) use SPARQL 1.1 Update at ``update_url`` (one request per
  graph: ``DROP SILENT GRAPH`` then ``INSERT DATA``), or the SPARQL 1.1 Graph Store Protocol
  (``PUT ?graph=``) when ``gsp_url`` is given;
- the store must answer queries over the union of its named graphs as the default graph (Oxigraph:
  ``oxigraph serve --union-default-graph``); the first query checks this and says how to fix it.

Every failure is one :class:`~graph.core.errors.StoreError` (or :class:`~graph.core.errors.QueryError` when
the store rejects the query) raised within the time limit: a store that is down, refuses
connections or stops answering never hangs the caller, and the next call tries again.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from graph.core.errors import QueryError, StoreError
from graph.core.namespaces import ID
from graph.store.oxigraph import XSD, Row, SelectResult, Term, term_from_ox

RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_CURATED = ID + "graph/curated"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
USER_AGENT = "airisk-graph (SPARQL client)"

UNION_HINT = (
    "queries here read the union of all named graphs as the default graph; configure the store that way "
    "(Oxigraph: `oxigraph serve --union-default-graph`; Fuseki: `tdb2:unionDefaultGraph true`; "
    "see the README, 'SPARQL endpoint and remote stores')"
)


def redact(url: str) -> str:
    """The URL without any user name or password, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def default_update_url(url: str) -> str:
    """Guess the SPARQL Update URL from the query URL.

    ``.../query`` becomes ``.../update`` (Oxigraph, Fuseki); any other URL is used for both
    (Virtuoso, Neptune, Blazegraph, QLever answer queries and updates at ``/sparql``).
    """
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/query"):
        return urlunsplit((parts.scheme, parts.netloc, path[: -len("query")] + "update", parts.query, ""))
    return url


def _term_from_json(value: dict[str, Any]) -> Term:
    """A SPARQL JSON results binding to a :class:`Term` (normalised like the embedded store)."""
    kind = value.get("type")
    text = value.get("value")
    if not isinstance(text, str):
        raise StoreError("the SPARQL store sent a binding without a value")
    if kind == "uri":
        return Term("uri", text)
    if kind == "bnode":
        return Term("bnode", text)
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        if lang:
            return Term("literal", text, None, str(lang))
        datatype = value.get("datatype")
        if datatype in (None, XSD + "string", RDF_LANG_STRING):
            return Term("literal", text)
        return Term("literal", text, str(datatype))
    raise StoreError(f"the SPARQL store sent a term of unsupported type {kind!r}")


class RemoteStore:
    """A SPARQL 1.1 endpoint used as the store (see the module documentation).

    Parameters
    ----------
    url
        The SPARQL query endpoint, e.g. ``http://127.0.0.1:7878/query`` (Oxigraph) or
        ``http://host:3030/airisk/query`` (Fuseki). A user name and password in the URL
        (``https://user:pass@host/sparql``) are sent as HTTP Basic authentication.
    timeout
        Seconds to wait for the store to connect and to answer a query (each read of the answer).
    update_url
        The SPARQL Update endpoint; by default derived from ``url`` (:func:`default_update_url`).
    gsp_url
        A Graph Store Protocol endpoint (e.g. ``http://127.0.0.1:7878/store``); when given, graphs
        are replaced with ``PUT`` instead of SPARQL Update.
    check_dataset
        Check on the first query that the store holds this graph and reads the union of its named
        graphs as the default graph (turn off for a store that does not hold the graph yet).
    """

    def __init__(
        self,
        url: str,
        timeout: float = 30.0,
        update_url: str | None = None,
        gsp_url: str | None = None,
        check_dataset: bool = True,
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"--store must be an http(s) URL of a SPARQL endpoint, got {redact(url)!r}")
        if timeout <= 0:
            raise StoreError("the store timeout must be a positive number of seconds")
        self.url = url
        self.update_url = update_url or default_update_url(url)
        self.gsp_url = gsp_url
        self.timeout = timeout
        self.description = f"remote SPARQL store at {redact(url)}"
        self._checked = not check_dataset
        #: The named graphs this client has written (replaced) so far.
        self.written: set[str] = set()
        self._check_lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
            trust_env=False,
        )

    @property
    def host(self) -> str:
        """The host name of the store (the one outbound destination the endpoint may reach)."""
        return urlsplit(self.url).hostname or ""

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    # ------------------------------------------------------------------ HTTP
    def _send(self, method: str, url: str, what: str, timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        """Send one request; turn every transport failure into one clear StoreError."""
        where = redact(url)
        limit = timeout or self.timeout
        extra: dict[str, Any] = {}
        if timeout:
            extra["timeout"] = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        for attempt in (1, 2):
            try:
                return self._client.request(method, url, **kwargs, **extra)
            except httpx.ConnectError as exc:
                raise StoreError(
                    f"cannot connect to the SPARQL store at {where} ({_reason(exc)}); is it running?"
                ) from None
            except httpx.TimeoutException:
                raise StoreError(f"the SPARQL store at {where} did not answer {what} within {limit:g} s") from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                # A kept-alive connection the server closed (it restarted): try once on a new one.
                if attempt == 1 and method in ("GET", "POST") and what == "the query":
                    continue
                raise StoreError(f"the SPARQL store at {where} broke off {what}: {_reason(exc)}") from None
            except httpx.HTTPError as exc:
                raise StoreError(f"the SPARQL store at {where} could not be used: {_reason(exc)}") from None
        raise StoreError(f"the SPARQL store at {where} could not be used")  # pragma: no cover

    def _check_status(self, resp: httpx.Response, what: str) -> None:
        if resp.status_code < 300:
            return
        where = redact(str(resp.request.url))
        detail = " ".join(resp.text.split())[:600]
        code = resp.status_code
        if code == 400:
            raise QueryError(f"the SPARQL store at {where} rejected {what}: {detail}")
        if code in (401, 403):
            raise StoreError(
                f"the SPARQL store at {where} refused {what} (HTTP {code}); check the user name and password "
                f"in the URL, and that this account may {'write' if 'update' in what else 'read'}"
            )
        if code == 404:
            raise StoreError(f"no SPARQL endpoint at {where} (HTTP 404); check the URL")
        raise StoreError(f"the SPARQL store at {where} failed on {what} (HTTP {code}): {detail}")

    def _query(self, query: str, accept: str) -> httpx.Response:
        self._ensure_dataset()
        return self._raw_query(query, accept)

    def _raw_query(self, query: str, accept: str) -> httpx.Response:
        resp = self._send("POST", self.url, "the query", data={"query": query}, headers={"Accept": accept})
        self._check_status(resp, "the query")
        return resp

    def _json(self, resp: httpx.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            kind = resp.headers.get("content-type", "?")
            raise StoreError(
                f"the SPARQL store at {redact(self.url)} did not answer with SPARQL JSON results (got {kind})"
            ) from None
        if not isinstance(data, dict):
            raise StoreError(f"the SPARQL store at {redact(self.url)} sent malformed SPARQL JSON results")
        return data

    # ------------------------------------------------------------------ the dataset check
    def _ensure_dataset(self) -> None:
        if self._checked:
            return
        with self._check_lock:
            if self._checked:
                return
            self.check_dataset()
            self._checked = True

    def check_dataset(self) -> None:
        """Raise :class:`StoreError` unless the store holds the curated graph and reads the union
        of its named graphs as the default graph."""
        probe = self._json(
            self._raw_query(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_CURATED}> {{ ?s ?p ?o . FILTER(isIRI(?o)) }} }} LIMIT 1",
                RESULTS_JSON,
            )
        )
        bindings = probe.get("results", {}).get("bindings", [])
        if not bindings:
            raise StoreError(
                f"the SPARQL store at {redact(self.url)} holds no AI Risk Graph data "
                f"(no graph <{GRAPH_CURATED}>); load it with `airisk load --store URL`"
            )
        row = bindings[0]
        triple = " ".join(_term_from_json(row[v]).n3() for v in ("s", "p", "o"))
        seen = self._json(self._raw_query(f"ASK {{ {triple} }}", RESULTS_JSON))
        if seen.get("boolean") is not True:
            raise StoreError(
                f"the SPARQL store at {redact(self.url)} does not read its named graphs as the default graph: "
                + UNION_HINT
            )

    # ------------------------------------------------------------------ Store protocol
    def select(self, query: str) -> SelectResult:
        """Run a SELECT query; the answer as :class:`SelectResult`."""
        data = self._json(self._query(query, RESULTS_JSON))
        if "results" not in data:
            raise QueryError("not a SELECT query")
        names = [str(v) for v in data.get("head", {}).get("vars", [])]
        rows: list[Row] = []
        for binding in data["results"].get("bindings", []):
            rows.append({name: _term_from_json(value) for name, value in binding.items()})
        return SelectResult(names, rows)

    def ask(self, query: str) -> bool:
        """Run an ASK query."""
        data = self._json(self._query(query, RESULTS_JSON))
        if "boolean" not in data:
            raise QueryError("not an ASK query")
        return bool(data["boolean"])

    def construct(self, query: str) -> list[tuple[Term, Term, Term]]:
        """Run a CONSTRUCT or DESCRIBE query; the triples as :class:`Term` tuples."""
        resp = self._query(query, f"{N_TRIPLES}, text/turtle;q=0.9")
        kind = resp.headers.get("content-type", N_TRIPLES).split(";")[0].strip().lower()
        if kind in ("application/sparql-results+json", "application/json"):
            raise QueryError("not a CONSTRUCT or DESCRIBE query")
        fmt = ox.RdfFormat.from_media_type(kind) or ox.RdfFormat.N_TRIPLES
        try:
            triples = list(ox.parse(resp.content, format=fmt))
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL store at {redact(self.url)} sent RDF that does not parse: {exc}") from None
        out: list[tuple[Term, Term, Term]] = []
        for t in triples:
            out.append((term_from_ox(t.subject), term_from_ox(t.predicate), term_from_ox(t.object)))
        return out

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        """Replace a named graph by the N-Triples text, in one request (checked before sending)."""
        try:
            triples = list(ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise StoreError(f"cannot parse RDF: {exc}") from None
        if self.gsp_url:
            body = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
            resp = self._send(
                "PUT",
                self.gsp_url,
                "the graph upload",
                timeout=max(self.timeout, 300.0),
                params={"graph": graph_iri},
                content=body.encode(),
                headers={"Content-Type": N_TRIPLES},
            )
            self._check_status(resp, "the graph upload (update)")
        else:
            self._update(replace_update(graph_iri, [f"{t.subject} {t.predicate} {t.object} .\n" for t in triples]))
        self.written.add(graph_iri)

    def drop_graph(self, graph_iri: str) -> None:
        """Remove a named graph (no error when it does not exist)."""
        if self.gsp_url:
            resp = self._send("DELETE", self.gsp_url, "the graph removal", params={"graph": graph_iri})
            if resp.status_code != 404:
                self._check_status(resp, "the graph removal (update)")
            return
        self._update(f"DROP SILENT GRAPH {ox.NamedNode(graph_iri)}")

    def _update(self, update: str) -> None:
        resp = self._send(
            "POST",
            self.update_url,
            "the update",
            timeout=max(self.timeout, 300.0),
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        self._check_status(resp, "the update")

    def graphs(self) -> list[str]:
        """The named graphs of the store, sorted."""
        data = self._json(self._raw_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", RESULTS_JSON))
        out = {_term_from_json(b["g"]) for b in data.get("results", {}).get("bindings", []) if "g" in b}
        return sorted(t.value for t in out if t.kind == "uri")

    def triple_count(self) -> int:
        """The number of triples in all named graphs (quads, as the embedded store counts them)."""
        data = self._json(self._raw_query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", RESULTS_JSON))
        bindings = data.get("results", {}).get("bindings", [])
        try:
            return int(bindings[0]["n"]["value"])
        except (IndexError, KeyError, ValueError):
            raise StoreError(f"the SPARQL store at {redact(self.url)} sent no triple count") from None


#: Triples per ``INSERT DATA`` operation: Virtuoso's SPARQL compiler runs out of memory on one
#: operation of a whole graph (tens of thousands of triples); several operations in one request work
#: on every engine and keep the replacement one request.
INSERT_BATCH = 2000


def replace_update(graph_iri: str, lines: list[str]) -> str:
    """The SPARQL Update that replaces a named graph by ``lines`` (N-Triples): one request, in batches.

    Triples with blank nodes go into one ``INSERT DATA`` together, since a blank node label names
    different nodes in different operations of a request.
    """
    graph = ox.NamedNode(graph_iri)
    parts = [f"DROP SILENT GRAPH {graph}"]
    with_bnodes = [line for line in lines if "_:" in line]
    plain = [line for line in lines if "_:" not in line] if with_bnodes else lines
    batches = [plain[i : i + INSERT_BATCH] for i in range(0, len(plain), INSERT_BATCH)]
    if with_bnodes:
        batches.append(with_bnodes)
    for batch in batches:
        parts.append(f"INSERT DATA {{ GRAPH {graph} {{\n{''.join(batch)}}} }}")
    return " ;\n".join(parts)


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused"
    return text or type(exc).__name__
