"""``airisk serve`` (the read-only SPARQL endpoint) and ``airisk load --store URL`` (fill a remote store).

Registered on the Typer app of :mod:`graph.cli.base`; :mod:`graph.cli.main` imports this module.
"""

from __future__ import annotations

import ipaddress
from typing import Optional

import typer

from graph.cli.base import STATE, app, fail, progress, run

STORE_HELP = "URL of a SPARQL 1.1 query endpoint to use instead of the embedded store (same as the global --store)."


def _store_url(local: str | None) -> str | None:
    return local or STATE.store_url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless told otherwise)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on (0 picks a free one).", min=0, max=65535),
    store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP, metavar="URL"),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run before it is stopped.", min=0.1),
    max_rows: int = typer.Option(100_000, "--max-rows", help="Most rows (or triples) one answer may have.", min=1),
    workers: int = typer.Option(2, "--workers", help="Queries that run at the same time.", min=1, max=64),
    max_waiting: int = typer.Option(32, "--max-waiting", help="Queries that may wait for a worker.", min=0),
    cors: bool = typer.Option(False, "--cors", help="Let web pages of any origin query it (e.g. a hosted YASGUI)."),
    memory_mb: int = typer.Option(
        1536, "--memory-mb", help="Memory (address space, MB) each query worker may use; 0: no limit.", min=0
    ),
    base_url: Optional[str] = typer.Option(
        None, "--base-url", help="Public URL of this endpoint, named in the service description.", metavar="URL"
    ),
    answer_cache_mb: int = typer.Option(
        64,
        "--answer-cache-mb",
        help="Memory (MB) for answers kept for repeated queries on the embedded graph; 0: answer every query anew.",
        min=0,
    ),
) -> None:
    """Serve a read-only SPARQL 1.1 endpoint at /sparql, and a page for every entity IRI under /id/."""
    from graph.endpoint.app import EndpointConfig
    from graph.endpoint.app import serve as run_server
    from graph.importers.session import open_graph

    def body() -> None:
        url = _store_url(store)
        if not _loopback(host):
            typer.echo(f"warning: listening on {host}: other machines can reach this endpoint", err=True)
        kg = open_graph(url, STATE.data, progress=progress)
        config = EndpointConfig(
            timeout=timeout,
            max_rows=max_rows,
            workers=workers,
            max_waiting=max_waiting,
            cors=cors,
            memory_mb=memory_mb or None,
            base_url=base_url,
            answer_cache_mb=answer_cache_mb,
        )
        progress("starting the query workers")
        run_server(kg, host, port, config)

    run(body)


@app.command()
def load(
    store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP, metavar="URL"),
    update_url: Optional[str] = typer.Option(
        None,
        "--update-url",
        help="SPARQL Update endpoint (default: the store URL, with /query -> /update).",
        metavar="URL",
    ),
    gsp_url: Optional[str] = typer.Option(
        None,
        "--gsp-url",
        help="Load with the Graph Store Protocol (PUT) at this URL instead of SPARQL Update.",
        metavar="URL",
    ),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for the store.", min=0.1),
    imports: bool = typer.Option(True, "--imports/--no-imports", help="Also load the import workspace's graphs."),
) -> None:
    """Put the ontology and the curated data (and imports) into a remote SPARQL store."""

    def body() -> None:
        url = _store_url(store)
        if not url:
            fail("airisk load needs --store URL (the embedded store lives only as long as one command)", 2)
            return
        from graph.importers.remote_load import load_remote

        report = load_remote(
            url,
            data=STATE.data,
            update_url=update_url,
            gsp_url=gsp_url,
            timeout=timeout,
            with_imports=imports,
            workspace=None,
            progress=progress,
        )
        typer.echo(
            f"loaded {report.triples} triples in {len(report.graphs)} graphs into {report.store} "
            f"({report.seconds:.1f} s)"
        )
        for name in report.dropped:
            typer.echo(f"removed stale graph {name}")

    run(body)
