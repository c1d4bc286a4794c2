"""The ``airisk`` command line: one call into the library per command.

The core commands (validate, stats, query, export) live here; the coverage, import and serve
commands live in their own modules and register on the shared app (:mod:`graph.cli.base`).

Exit codes: 0 ok; 1 invalid data, failed validation or query error; 2 usage error.
Errors go to stderr as one clear message, never a traceback for a user error.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import typer

from graph.cli import coverage as _coverage_commands  # noqa: F401  (registers its commands)
from graph.cli import imports as _import_commands  # noqa: F401
from graph.cli import serve as _serve_commands  # noqa: F401
from graph.cli import versions as _version_commands  # noqa: F401
from graph.cli.base import STATE, ExportFmt, Fmt, app, fail, hoist_global_options, open_graph, progress, run
from graph.cli.output import render


@app.command()
def validate(
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table or json"),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Also check the SHACL shapes."),
) -> None:
    """Check the curated data: record shapes, references, completeness and the SHACL shapes."""
    from graph.validation.validate import validate_data

    def body() -> None:
        t = time.perf_counter()
        progress("validating")
        report = validate_data(STATE.data, shacl=shacl)
        if fmt == Fmt.json:
            typer.echo(
                json.dumps(
                    {
                        "ok": report.ok,
                        "triples": report.triples,
                        "problems": [
                            {
                                "severity": p.severity,
                                "message": p.message,
                                "file": p.location.file,
                                "line": p.location.line,
                                "column": p.location.column,
                                "record": p.location.record,
                                "field": p.location.field,
                                "hint": p.hint,
                                "check": p.check,
                            }
                            for p in report.problems
                        ],
                    },
                    indent=2,
                )
            )
        else:
            for p in report.problems:
                typer.echo(f"{p.severity}: {p}", err=p.severity == "error")
            verdict = "valid" if report.ok else "INVALID"
            typer.echo(
                f"{verdict}: {len(report.errors)} errors, {len(report.warnings)} warnings, "
                f"{report.triples} triples ({time.perf_counter() - t:.1f} s)"
            )
        if not report.ok:
            raise typer.Exit(1)

    run(body)


@app.command()
def stats(fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table or json")) -> None:
    """Counts per class and per relation, and the number of triples."""

    def body() -> None:
        kg = open_graph()
        s = kg.stats()
        if fmt == Fmt.json:
            typer.echo(json.dumps(s, indent=2))
            return
        typer.echo(f"triples: {s['triples']}")
        typer.echo(render(["class", "count"], list(s["classes"].items()), "table"))
        typer.echo(render(["relation", "count"], list(s["relations"].items()), "table"))
        typer.echo(render(["taxonomy", "concepts"], list(s["taxonomies"].items()), "table"))

    run(body)


@app.command()
def query(
    name_or_file: str = typer.Argument(..., help="A catalogue query name, or a .rq file."),
    param: list[str] = typer.Option([], "--param", "-p", help="key=value (repeatable)."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f"),
    list_: bool = typer.Option(False, "--list", help="List the catalogue instead."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds a query file may run.", min=0.1),
    max_rows: int = typer.Option(100_000, "--max-rows", help="Most rows a query file's answer shows.", min=1),
) -> None:
    """Run a named query of the catalogue (`airisk query --list x`) or a SPARQL file.

    A query file is a user's query: it runs in a confined worker process (no network, limited
    memory and time), after the read-only guard, like a query sent to the endpoint.
    """
    from graph.queries.catalogue import load_catalogue
    from graph.sandbox.runner import run_guarded, sandbox_status

    def body() -> None:
        if list_:
            cat = load_catalogue()
            listing = [[q.name, q.title, " ".join(f"{p.name}={p.default}" for p in q.params)] for q in cat.values()]
            typer.echo(render(["name", "title", "parameters (defaults)"], listing, fmt.value))
            return
        params: dict[str, str] = {}
        for item in param:
            if "=" not in item:
                fail(f"--param {item!r} must be key=value", 2)
            k, v = item.split("=", 1)
            params[k.strip()] = v.strip()
        path = Path(name_or_file)
        kg = open_graph()
        if path.suffix == ".rq" or path.is_file():
            if not path.is_file():
                fail(f"no such query file: {path}")
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                fail(f"cannot read the query file {path}: {exc}")
            if params:
                fail("--param applies to catalogue queries only", 2)
            for warning in sandbox_status(kg, workers=1).warnings:
                typer.echo(warning, err=True)
            answer = run_guarded(kg, text, timeout_s=timeout, max_rows=max_rows, workers=1)
            if answer.truncated:
                typer.echo(f"warning: the answer was cut at {max_rows:,} rows (--max-rows)", err=True)
            if answer.form == "ASK":
                typer.echo("true" if answer.boolean else "false")
                return
            if answer.form in ("CONSTRUCT", "DESCRIBE"):
                for row in answer.rows:
                    typer.echo(f"{row['subject'].n3()} {row['predicate'].n3()} {row['object'].n3()} .")
                return
            from graph.store.oxigraph import SelectResult

            result = SelectResult(answer.vars, answer.rows)
        else:
            result = kg.query(name_or_file, params)
        rows: list[list[Any]] = [[(r[v].value if v in r else None) for v in result.vars] for r in result.rows]
        if fmt == Fmt.json:
            rows = [[(r[v].py if v in r else None) for v in result.vars] for r in result.rows]
        typer.echo(render(result.vars, rows, fmt.value))

    run(body)


@app.command()
def export(
    fmt: ExportFmt = typer.Option(..., "--format", "-f", help="ttl, nt, jsonld, xml, graphml or csv"),
    out: Path = typer.Option(..., "--out", "-o", help="File to write."),
) -> None:
    """Export the whole graph."""
    from graph.store.export import export_graph

    def body() -> None:
        kg = open_graph()
        progress(f"writing {fmt.value}")
        size = export_graph(kg, fmt.value, out)
        typer.echo(f"wrote {out} ({size} bytes, {fmt.value})")

    run(body)


def entry() -> None:
    """Console-script entry point."""

    app(args=hoist_global_options(sys.argv[1:]), prog_name="airisk")
