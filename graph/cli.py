"""The ``airisk`` command line: one call into the library per command.

Exit codes: 0 ok; 1 invalid data, failed validation or query error; 2 usage error.
Errors go to stderr as one clear message, never a traceback for a user error.
"""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Optional

import typer

from .errors import AiriskError, DataError, NotFound
from .output import render

app = typer.Typer(
    name="airisk",
    help="AI Risk Graph: AI risks, the capabilities that enable them, the tests that assess them "
    "and the mitigations that address them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Fmt(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFmt(StrEnum):
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"
    xml = "xml"
    graphml = "graphml"
    csv = "csv"


class State:
    store_url: str | None = None
    data: Path | None = None
    quiet: bool = False


STATE = State()


def progress(message: str) -> None:
    """Show progress on stderr (only when it is a terminal, and not with --quiet)."""
    if not STATE.quiet and sys.stderr.isatty():
        typer.echo(f"… {message}", err=True)


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def open_graph() -> Any:
    """The KnowledgeGraph the commands work on (embedded store unless --store is given)."""
    from .session import open_graph as _open

    return _open(STATE.store_url, STATE.data, progress=progress)


@app.callback()
def main(
    store: Optional[str] = typer.Option(
        None, "--store", help="URL of a SPARQL 1.1 endpoint to use instead of the embedded store.", metavar="URL"
    ),
    data: Optional[Path] = typer.Option(
        None, "--data", help="Curated data folder (default: the one shipped with the package).", metavar="DIR"
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    STATE.store_url, STATE.data, STATE.quiet = store, data, quiet


def run(fn: Any) -> Any:
    """Run a command body, turning library errors into one clear message and exit code 1."""
    try:
        return fn()
    except DataError as exc:
        problems = exc.problems
        for p in problems[:50]:
            typer.echo(f"error: {p}", err=True)
        if len(problems) > 50:
            typer.echo(f"error: ... and {len(problems) - 50} more problems", err=True)
        raise typer.Exit(1) from None
    except NotFound as exc:
        fail(str(exc))
    except AiriskError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)


@app.command()
def validate(
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table or json"),
    shacl: bool = typer.Option(True, "--shacl/--no-shacl", help="Also check the SHACL shapes."),
) -> None:
    """Check the curated data: record shapes, references, completeness and the SHACL shapes."""
    from .validate import validate_data

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
) -> None:
    """Run a named query of the catalogue (`airisk query --list x`) or a SPARQL file."""
    from .catalogue import load_catalogue
    from .guard import check_read_only, query_form

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
            text = path.read_text(encoding="utf-8")
            if params:
                fail("--param applies to catalogue queries only", 2)
            check_read_only(text)
            form = query_form(text)
            if form == "ASK":
                typer.echo("true" if kg.ask(text) else "false")
                return
            if form in ("CONSTRUCT", "DESCRIBE"):
                for s_, p_, o_ in kg.store.construct(kg.with_prefixes(text)):
                    typer.echo(f"{s_.n3()} {p_.n3()} {o_.n3()} .")
                return
            result = kg.select(text)
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
    from .export import export_graph

    def body() -> None:
        kg = open_graph()
        progress(f"writing {fmt.value}")
        size = export_graph(kg, fmt.value, out)
        typer.echo(f"wrote {out} ({size} bytes, {fmt.value})")

    run(body)


def _register_command_modules() -> None:
    """Commands of the other areas live in their own modules and register on ``app``."""
    import importlib

    for name in ("cli_coverage", "cli_serve", "cli_imports"):
        try:
            importlib.import_module(f"graph.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"graph.{name}":
                raise


_register_command_modules()


GLOBAL_OPTIONS = {"--store": True, "--data": True, "--quiet": False, "-q": False}


def hoist_global_options(argv: list[str]) -> list[str]:
    """Accept the global options anywhere: ``airisk gaps --store URL`` = ``airisk --store URL gaps``.

    Options of the top-level callback must precede the command for Click; users write them after
    it too. Only the global options are moved; everything after ``--`` is left alone.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name] and "=" not in arg
            front.extend(argv[i : i + (2 if takes_value else 1)])
            i += 2 if takes_value else 1
            continue
        rest.append(arg)
        i += 1
    return front + rest


def entry() -> None:
    """Console-script entry point."""
    import sys

    app(args=hoist_global_options(sys.argv[1:]), prog_name="airisk")
