"""``airisk import``, ``airisk imports`` and ``airisk remove``: the import workspace on the command line.

Thin: each command calls :mod:`graph.importers` or :mod:`graph.importers.workspace` and prints what they return.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any, Optional

import typer

from graph.cli.base import STATE, Fmt, app, fail, progress, run
from graph.cli.output import render


class Kind(StrEnum):
    atlas = "atlas"
    mit = "mit"
    inspect_evals = "inspect-evals"
    sssom = "sssom"
    ai_atlas_nexus = "ai-atlas-nexus"


def _workspace() -> Path:
    from graph.core.resources import default_workspace

    return default_workspace()


def _open() -> Any:
    from graph.cli.base import open_graph

    return open_graph()


@app.command("import")
def import_(
    kind: Kind = typer.Argument(..., help="atlas, mit, inspect-evals, sssom or ai-atlas-nexus"),
    file: str = typer.Argument(
        ...,
        help="The file to import (an inspect_evals checkout, package folder, wheel or 'installed' for "
        "inspect-evals; the release folder for ai-atlas-nexus).",
    ),
    name: Optional[str] = typer.Option(
        None, "--name", "-n", help="Import name (default: the kind); importing under an existing name replaces it."
    ),
    source_version: Optional[str] = typer.Option(
        None, "--source-version", help="Version of the imported dataset, when the file does not state it."
    ),
    strict: bool = typer.Option(False, "--strict", help="Refuse the import when any row or cell could not be read."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table or json"),
) -> None:
    """Import a public dataset into its own named graph (kept in the import workspace)."""
    from graph.importers import run_import

    def body() -> None:
        kg = _open()
        report = run_import(
            kind.value,
            Path(file),
            kg,
            name,
            _workspace(),
            source_version=source_version,
            strict=strict,
            progress=progress,
        )
        r = report.result
        if fmt == Fmt.json:
            typer.echo(
                json.dumps(
                    {
                        "name": r.name,
                        "kind": r.kind,
                        "graph": r.graph,
                        "triples": r.triples,
                        "counts": r.counts,
                        "entities": r.entities,
                        "source": r.source.as_dict(),
                        "warnings": [str(p) for p in r.warnings],
                        "target": report.target,
                        "seconds": round(report.seconds, 3),
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        for p in r.warnings[:20]:
            typer.echo(f"warning: {p}", err=True)
        if len(r.warnings) > 20:
            typer.echo(f"warning: ... and {len(r.warnings) - 20} more (airisk imports {r.name} lists them)", err=True)
        src = r.source
        typer.echo(
            f"imported {src.title} as '{r.name}': {r.triples} triples in <{r.graph}> "
            f"({report.seconds:.1f} s, {len(r.warnings)} warnings)"
        )
        typer.echo(f"licence: {src.licence} ({src.licence_basis}); version: {src.version}")
        typer.echo(render(["what", "count"], list(r.counts.items()), "table"))

    run(body)


@app.command("imports")
def imports(
    name: Optional[str] = typer.Argument(None, help="Show one import in detail (source, licence, counts, warnings)."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
) -> None:
    """List the imports with their counts (or show one in detail)."""
    from dataclasses import asdict

    def body() -> None:
        if STATE.store_url:
            from graph.importers import store_imports

            remote = store_imports(_open())
            if name:
                remote = [i for i in remote if i.name == name]
                if not remote:
                    fail(f"no import called {name!r} in the store")
            rows = [[i.name, i.triples, i.version, i.licence, i.title] for i in remote]
            typer.echo(render(["name", "triples", "version", "licence", "title"], rows, fmt.value))
            return
        from graph.importers.workspace import get_import, list_imports

        ws = _workspace()
        if name:
            info = get_import(ws, name)
            if fmt == Fmt.json:
                typer.echo(json.dumps(asdict(info), indent=2, ensure_ascii=False))
                return
            src = info.source
            typer.echo(f"{info.name} ({info.kind}): {src.get('title')}")
            typer.echo(f"  graph:       <{info.graph}>")
            typer.echo(f"  file:        {src.get('file')} (sha256 {str(src.get('file_sha256'))[:16]}…)")
            typer.echo(f"  version:     {src.get('version')}")
            typer.echo(f"  licence:     {src.get('licence')} ({src.get('licence_basis')})")
            typer.echo(f"  attribution: {src.get('attribution')}")
            typer.echo(f"  imported at: {info.imported_at}")
            typer.echo(f"  triples:     {info.triples}")
            typer.echo(render(["what", "count"], list(info.counts.items()), "table"))
            typer.echo(
                render(["class", "entities"], [[f"ar:{k}", v] for k, v in sorted(info.entities.items())], "table")
            )
            for w in info.warnings:
                typer.echo(f"warning: {w}")
            if info.warning_count > len(info.warnings):
                typer.echo(f"warning: ... and {info.warning_count - len(info.warnings)} more")
            return
        items = list_imports(ws)
        if fmt == Fmt.json:
            typer.echo(json.dumps([asdict(i) for i in items], indent=2, ensure_ascii=False))
            return
        if not items:
            typer.echo(f"no imports in {ws}")
            return
        rows = [
            [
                i.name,
                i.kind,
                i.source.get("version"),
                i.source.get("licence"),
                i.triples,
                ", ".join(f"{k} {v}" for k, v in i.counts.items() if v)[:200],
                i.imported_at,
            ]
            for i in items
        ]
        typer.echo(render(["name", "kind", "version", "licence", "triples", "counts", "imported at"], rows, fmt.value))

    run(body)


@app.command("remove")
def remove(name: str = typer.Argument(..., help="The import to remove.")) -> None:
    """Remove one import (its named graph) from the workspace, or from the --store."""

    def body() -> None:
        from graph.importers.workspace import list_imports, remove_import

        ws = _workspace()
        if STATE.store_url:
            from graph.importers import remove_store_import

            item = remove_store_import(_open(), name)
            typer.echo(f"removed import '{item.name}' ({item.triples} triples) from the store")
            if any(i.name == name for i in list_imports(ws)):
                remove_import(ws, name)
                typer.echo(f"removed import '{name}' from the workspace {ws}")
            return
        info = remove_import(ws, name)
        typer.echo(f"removed import '{info.name}' ({info.triples} triples)")

    run(body)
