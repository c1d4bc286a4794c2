"""What every ``airisk`` command shares: the Typer app, the global options, progress and errors.

Exit codes: 0 ok; 1 invalid data, failed validation or query error; 2 usage error.
Errors go to stderr as one clear message, never a traceback for a user error.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any, Optional

import typer

from graph.core.errors import AiriskError, DataError, NotFound

app = typer.Typer(
    name="airisk",
    help="AI Risk Graph: AI risks, the capabilities that enable them, the tests that assess them "
    "and the mitigations that address them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with rich costs more than a whole command's start
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
    from graph.importers.session import open_graph as _open

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
