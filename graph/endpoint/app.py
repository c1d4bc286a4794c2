"""The read-only SPARQL endpoint (``airisk serve``): SPARQL 1.1 Protocol, entity pages, offline.

Routes:

- ``/sparql``: the SPARQL 1.1 Protocol (GET ``?query=``, POST form-encoded, POST
  ``application/sparql-query``), answers by content negotiation (:mod:`graph.sandbox.formats`);
  without a query, the service description (or a query form for a browser);
- ``/id/...``: every entity IRI ``https://w3id.org/airisk/id/...`` dereferences to Turtle,
  N-Triples, JSON-LD or an HTML page; ``/ontology`` likewise for the ontology;
- ``/``: a home page with the example queries of the catalogue.

Protections: the read-only guard refuses updates, ``LOAD``, ``SERVICE`` and foreign ``FROM``
before anything runs; each query runs in a worker process with a time limit and a row cap
(:mod:`graph.sandbox.pool`), so a runaway query is stopped while other clients keep being
answered; the server binds to loopback unless told otherwise and its processes refuse outbound
connections (:mod:`graph.sandbox.netguard`).

Status codes: 400 malformed query or request; 403 update; 404 unknown entity; 405 method; 406
no acceptable format; 413 request too large; 415 unsupported content type; 422 answer over the row
cap; 500 query failed; 502 the remote store failed; 503 time limit passed or all workers busy.
"""

from __future__ import annotations

import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph.core.errors import AiriskError, QueryError
from graph.endpoint.cache import AnswerCache
from graph.endpoint.description import SD, VOID_NS, graph_sizes
from graph.endpoint.description import service_description as describe_service
from graph.endpoint.entity import describe_query, entity_view, iri_for_path, ontology_query
from graph.endpoint.pages import entity_page, error_page, home_page, query_form_page, results_page, triples_page
from graph.sandbox import formats as fmt
from graph.sandbox.pool import WorkerPool
from graph.sandbox.worker import DEFAULT_MAX_BYTES, DEFAULT_MEMORY_MB, Job, Outcome, worker_spec
from graph.store.guard import NestingRefused, check_nesting

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

STATUS = {
    "ok": 200,
    "syntax": 400,
    "refused-update": 403,
    "refused-federation": 400,
    "refused-dataset": 400,
    "refused-nesting": 400,
    "unsupported": 400,
    "not-acceptable": 406,
    "memory": 503,
    "failed": 500,
    "too-large": 422,
    "store": 502,
    "timeout": 503,
    "busy": 503,
    "crashed": 500,
}
DESCRIBE_MAX_ROWS = 200_000
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'"


@dataclass
class EndpointConfig:
    """Limits of the endpoint (``airisk serve`` options)."""

    timeout: float = 30.0
    max_rows: int = 100_000
    workers: int = 2
    max_waiting: int = 32
    max_query_bytes: int = 1_000_000
    cors: bool = False
    memory_mb: int | None = DEFAULT_MEMORY_MB
    max_answer_bytes: int = DEFAULT_MAX_BYTES
    base_url: str | None = None  # what the service description names (default: the address served)
    max_url_bytes: int = 64 * 1024  # a GET request's target; longer gets 414 (POST the query instead)
    answer_cache_mb: int = 64  # answers kept for repeated queries on the embedded graph (0: none)


class Endpoint:
    """The endpoint's state: the graph, its worker pool, the service description's numbers."""

    def __init__(self, kg: KnowledgeGraph, config: EndpointConfig | None = None):
        self.kg = kg
        self.config = config or EndpointConfig()
        self.prefixes = dict(kg.prefixes)
        self._tmpdir: str | None = None
        self.pool: WorkerPool | None = None
        self.graph_sizes: dict[str, int] = {}
        self.examples: list[tuple[str, str, str, str]] = []
        self.limiter = anyio.CapacityLimiter(self.config.max_waiting + self.config.workers + 4)
        self.answers = AnswerCache(self.config.answer_cache_mb * 1024 * 1024)

    def start(self) -> None:
        """Count the graphs, copy an embedded graph for the workers, start the workers."""
        from graph.store.oxigraph import OxigraphStore

        store = self.kg.store
        self.graph_sizes = graph_sizes(store)
        self.examples = self._examples()
        if isinstance(store, OxigraphStore):
            self._tmpdir = tempfile.mkdtemp(prefix="airisk-endpoint-")
        spec = worker_spec(store, self.prefixes, self._tmpdir or "", self.config.memory_mb)
        self.pool = WorkerPool(spec, self.config.workers, self.config.timeout, self.config.max_waiting)
        try:
            self.pool.start()
        except AiriskError:
            self.close()
            raise
        for warning in self.pool.status.warnings:
            print(warning, file=sys.stderr, flush=True)

    @property
    def isolation(self) -> str:
        """How the query workers are kept off the network (a sentence for the service description)."""
        status = self.pool.status if self.pool is not None else None
        if status is None:
            return "query workers are not running"
        if status.network_blocked is None:
            return "queries run on a remote store; this endpoint's processes refuse outbound connections in Python"
        if status.network_blocked:
            return f"query workers cannot open network sockets (kernel-enforced: {status.detail})"
        return status.warnings[0] if status.warnings else status.detail

    def _examples(self) -> list[tuple[str, str, str, str]]:
        out = []
        for name, q in self.kg.catalogue().items():
            try:
                text = q.render({}, self.prefixes)
            except QueryError:
                continue
            body = "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()
            out.append((name, q.title, q.description, body))
        return out

    def close(self) -> None:
        """Stop the workers and remove the on-disk copy."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    async def run(
        self,
        query: str,
        media_type: str | None,
        max_rows: int | None = None,
        accept: tuple[str | None, str | None] | None = None,
    ) -> Outcome:
        """Run a query on the worker pool (guarded there) without blocking the event loop.

        With ``accept`` (the Accept header and ``format`` parameter), the worker picks the media
        type for the query's form.
        """
        if self.pool is None:
            return Outcome("crashed", "the endpoint is not running")
        cap = max_rows or self.config.max_rows
        key = (query, media_type, cap, accept)
        kept = self.answers.get(key)
        if kept is not None:
            return kept
        job = Job(query, media_type, cap, accept=accept, max_bytes=self.config.max_answer_bytes)
        outcome = await anyio.to_thread.run_sync(self.pool.run, job, limiter=self.limiter)
        # Workers write the machine formats; HTML pages are drawn here, from the answer itself.
        html = outcome.media_type == fmt.HTML or media_type == fmt.HTML
        if html and outcome.status == "ok" and outcome.answer is not None:
            answer = outcome.answer
            page = (
                triples_page(answer.triples, self.prefixes) if answer.is_graph else results_page(answer, self.prefixes)
            )
            outcome = Outcome(
                "ok", body=page.encode(), media_type=fmt.HTML, rows=outcome.rows, cacheable=outcome.cacheable
            )
        self.answers.put(key, outcome)
        return outcome


# ---------------------------------------------------------------------- responses
def _wants_html(request: Request) -> bool:
    return fmt.negotiate(request.headers.get("accept"), "graph") == fmt.HTML


def error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error: plain text for programs, a page for browsers."""
    extra = {"Vary": "Accept", **(headers or {})}
    if _wants_html(request):
        extra["Content-Security-Policy"] = HTML_CSP
        return Response(error_page(status, message), status, extra, media_type="text/html")
    return Response(message + "\n", status, extra, media_type="text/plain")


def ok(body: bytes | str, media_type: str, headers: dict[str, str] | None = None) -> Response:
    extra = {"Vary": "Accept", "X-Content-Type-Options": "nosniff", **(headers or {})}
    if media_type == fmt.HTML:
        extra["Content-Security-Policy"] = HTML_CSP
    response = Response(body, 200, extra)
    response.headers["content-type"] = fmt.CONTENT_TYPES.get(media_type, media_type)
    return response


def outcome_response(request: Request, outcome: Outcome) -> Response:
    if outcome.status == "ok":
        return ok(outcome.body, outcome.media_type, {"X-Cache": "hit" if outcome.cached else "miss"})
    headers = {"Retry-After": "2"} if outcome.status == "busy" else None
    return error(request, STATUS.get(outcome.status, 500), outcome.message, headers)


# ---------------------------------------------------------------------- /sparql
class _BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


async def _read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BadRequest(413, f"the request is larger than this endpoint's limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadRequest(400, f"the request body is not UTF-8 (byte {exc.start})") from None


async def _protocol_params(request: Request, limit: int, url_limit: int) -> tuple[list[tuple[str, str]], str | None]:
    """The protocol parameters of a request, and the query text of a direct POST."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        if len(str(request.url.query)) > url_limit:
            raise _BadRequest(
                414,
                f"the request URL is longer than this endpoint's limit of {url_limit:,} bytes; "
                "send a long query by POST (application/sparql-query or a form) instead",
            )
        return params, None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        raise _BadRequest(403, "refused: this endpoint is read-only; SPARQL Update is not accepted")
    body = await _read_body(request, limit)
    if ctype == "application/x-www-form-urlencoded":
        return params + parse_qsl(_decode(body), keep_blank_values=True), None
    if ctype == "application/sparql-query":
        return params, _decode(body)
    raise _BadRequest(
        415,
        f"unsupported content type {ctype or '(none)'!r}: POST a query as application/sparql-query "
        "or as the form field query= (application/x-www-form-urlencoded)",
    )


def _query_from(params: list[tuple[str, str]], direct: str | None) -> str | None:
    names = [k for k, _ in params]
    if "update" in names:
        raise _BadRequest(403, "refused: this endpoint is read-only; SPARQL Update is not accepted")
    if "default-graph-uri" in names or "named-graph-uri" in names:
        raise _BadRequest(
            400,
            "default-graph-uri and named-graph-uri are not supported: the default graph is the union of this "
            "graph's named graphs; name one of them with GRAPH (or FROM) in the query",
        )
    queries = [v for k, v in params if k == "query"]
    if direct is not None:
        if queries:
            raise _BadRequest(400, "give the query either in the body or as query=, not both")
        return direct
    if len(queries) > 1:
        raise _BadRequest(400, "more than one query= parameter")
    return queries[0] if queries else None


async def sparql(request: Request) -> Response:
    endpoint: Endpoint = request.app.state.endpoint
    try:
        params, direct = await _protocol_params(request, endpoint.config.max_query_bytes, endpoint.config.max_url_bytes)
        query = _query_from(params, direct)
    except _BadRequest as exc:
        return error(request, exc.status, str(exc))
    chosen_format = next((v for k, v in params if k in ("format", "output")), None)
    if query is None:
        return service_description(request, endpoint, chosen_format)
    if not query.strip():
        return error(request, 400, "the query is empty")
    try:
        check_nesting(query)  # before any parser sees the text
    except NestingRefused as exc:
        return error(request, 400, str(exc))
    # The worker checks the query (the guard, on the parsed algebra), picks the format and runs it.
    outcome = await endpoint.run(query, None, accept=(request.headers.get("accept"), chosen_format))
    if outcome.status == "not-acceptable":
        kind = "graph" if outcome.form in ("CONSTRUCT", "DESCRIBE") else "results"
        offered = ", ".join(t for t in (fmt.RESULT_TYPES if kind == "results" else fmt.GRAPH_TYPES))
        outcome.message = f"{outcome.message}; this endpoint offers {offered}"
    return outcome_response(request, outcome)


def service_description(request: Request, endpoint: Endpoint, chosen_format: str | None) -> Response:
    media = fmt.negotiate(request.headers.get("accept"), "graph", chosen_format)
    if media is None:
        return error(request, 406, "no acceptable format for the service description (Turtle, N-Triples, JSON-LD)")
    if media == fmt.HTML:
        return ok(query_form_page(), fmt.HTML)
    # The configured base URL, never the request's Host header (a client must not choose what we say).
    url = (endpoint.config.base_url or "http://127.0.0.1").rstrip("/") + "/sparql"
    triples = describe_service(url, endpoint.graph_sizes, endpoint.isolation)
    return ok(fmt.serialize_triples(triples, media, {"sd": SD, "void": VOID_NS}), media)


# ---------------------------------------------------------------------- entity pages
async def _describe(request: Request, query: str, iri: str, title: str | None = None) -> Response:
    endpoint: Endpoint = request.app.state.endpoint
    chosen = request.query_params.get("format")
    media = fmt.negotiate(request.headers.get("accept"), "graph", chosen)
    if media is None:
        return error(request, 406, "no acceptable format; entity pages come as HTML, Turtle, N-Triples or JSON-LD")
    # Entity descriptions and the ontology are this endpoint's own queries: not held to the cap for clients.
    outcome = await endpoint.run(query, None, max(endpoint.config.max_rows, DESCRIBE_MAX_ROWS))
    if outcome.status != "ok" or outcome.answer is None:
        return outcome_response(request, outcome)
    triples = outcome.answer.triples
    if not triples:
        return error(request, 404, f"nothing is known about <{iri}> in this graph")
    path = request.url.path
    links = ", ".join(
        f'<{path}?format={name}>; rel="alternate"; type="{mt}"'
        for name, mt in (("ttl", fmt.TURTLE), ("jsonld", fmt.JSONLD), ("nt", fmt.NTRIPLES), ("html", fmt.HTML))
    )
    headers = {"Link": links}
    if media == fmt.HTML:
        if title:
            return ok(triples_page(triples, endpoint.prefixes, title), media, headers)
        return ok(entity_page(entity_view(iri, triples), endpoint.prefixes), media, headers)
    return ok(fmt.serialize_triples(triples, media, endpoint.prefixes), media, headers)


async def entity(request: Request) -> Response:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("ascii", "replace").split("?", 1)[0]
    iri = iri_for_path(path)
    try:
        query = describe_query(iri)
    except ValueError as exc:
        return error(request, 400, str(exc))
    return await _describe(request, query, iri)


async def ontology(request: Request) -> Response:
    from graph.endpoint.entity import ONTOLOGY_IRI

    return await _describe(request, ontology_query(), ONTOLOGY_IRI, title="Ontology")


async def home(request: Request) -> Response:
    endpoint: Endpoint = request.app.state.endpoint
    total = sum(endpoint.graph_sizes.values())
    body = home_page(endpoint.examples, total, sorted(endpoint.graph_sizes), endpoint.kg.store.description)
    return ok(body, fmt.HTML)


async def not_found(request: Request, exc: Exception) -> Response:
    return error(request, 404, f"no such page: {request.url.path}")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return error(request, 405, f"method {request.method} is not allowed here; use GET or POST", {"Allow": "GET, POST"})


def _middleware(config: EndpointConfig) -> list[Middleware]:
    if not config.cors:
        return []
    # Browser tools on other origins (a hosted YASGUI, notebooks in the browser) may read answers.
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type"],
            max_age=3600,
        )
    ]


def create_app(endpoint: Endpoint) -> Starlette:
    """The ASGI application over a started :class:`Endpoint`."""
    app = Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/sparql", sparql, methods=["GET", "POST"]),
            Route("/ontology", ontology, methods=["GET"]),
            Route("/id/{rest:path}", entity, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: method_not_allowed},
        middleware=_middleware(endpoint.config),
    )
    app.state.endpoint = endpoint
    return app


# ---------------------------------------------------------------------- running it
def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0 picks a free one)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise AiriskError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


class _Stopped(Exception):
    pass


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped()


def serve(kg: KnowledgeGraph, host: str = "127.0.0.1", port: int = 8000, config: EndpointConfig | None = None) -> None:
    """Serve the endpoint until interrupted (what ``airisk serve`` runs)."""
    import uvicorn

    from graph.sandbox.netguard import install

    endpoint = Endpoint(kg, config)
    sock = bind_socket(host, port)
    # SIGTERM (and Ctrl-C) end this function normally, so that the workers and the on-disk copy
    # are removed; uvicorn shuts down gracefully on either signal and then raises it again.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        bound = sock.getsockname()
        shown = f"[{bound[0]}]" if ":" in str(bound[0]) else str(bound[0])
        if endpoint.config.base_url is None:
            endpoint.config.base_url = f"http://{shown}:{bound[1]}"
        endpoint.start()
        store_host = getattr(kg.store, "host", "")
        install((store_host,) if store_host else ())
        app = create_app(endpoint)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=5,
                # h11, not httptools: only h11 lets an over-long request head reach the app (414
                # with advice below); the event loop is uvloop where it is installed.
                http="h11",
                loop="auto",
                # Let request heads up to a percent-encoded full-size query reach the app, so an
                # over-long GET gets a 414 that says what to do, not a reset connection.
                h11_max_incomplete_event_size=3 * endpoint.config.max_query_bytes + 65536,
            )
        )
        print(f"serving {kg.store.description} at http://{shown}:{bound[1]}/sparql", flush=True)
        server.run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        endpoint.close()
        sock.close()
        print("stopped", flush=True)
