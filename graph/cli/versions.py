"""``airisk diff OLD NEW``: what changed between two taxonomy versions (thin: calls ``diff_schemes``)."""

from __future__ import annotations

import json

import typer

from graph.cli.base import Fmt, app, open_graph, run
from graph.cli.output import render


def _names(values: list[str]) -> str:
    return ", ".join(values)


@app.command("diff")
def diff(
    old: str = typer.Argument(..., help="Prefix of the older taxonomy version (e.g. iasr2025)."),
    new: str = typer.Argument(..., help="Prefix of the newer taxonomy version (e.g. iasr2026)."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
    what: str = typer.Option(
        "concepts", "--show", help="concepts, mappings, links or coverage (table and csv; json has everything)"
    ),
    no_coverage: bool = typer.Option(False, "--no-coverage", help="Skip the coverage comparison (faster)."),
) -> None:
    """List added, removed, renamed, moved, merged and split concepts, and what happens to links and coverage."""
    from graph.coverage.versions import diff_schemes

    def body() -> None:
        if what not in ("concepts", "mappings", "links", "coverage"):
            raise typer.BadParameter("use concepts, mappings, links or coverage", param_hint="--show")
        d = diff_schemes(open_graph(), old, new, coverage=not no_coverage)
        if fmt == Fmt.json:
            typer.echo(json.dumps(d.to_json(), indent=2, ensure_ascii=False))
            return
        if fmt == Fmt.table:
            typer.echo(f"{d.old} (version {d.old_version}) -> {d.new} (version {d.new_version})")
            typer.echo(d.basis_note)
            counts = ", ".join(f"{n} {k}" for k, n in d.counts().items() if n)
            typer.echo(f"changes: {counts or 'none'}")
            m, lk = d.fate_counts(d.mappings), d.fate_counts(d.links)
            typer.echo(f"mappings: {m['carried']} carried over, {m['not carried']} not carried over, {m['new']} new")
            typer.echo(f"links: {lk['carried']} carried over, {lk['not carried']} not carried over, {lk['new']} new")
            typer.echo("")
        if what == "concepts":
            rows = [
                [c.kind, _names(c.old), _names(c.old_labels), _names(c.new), _names(c.new_labels), c.basis, c.note]
                for c in d.changes
            ]
            cols = ["change", "old", "old label", "new", "new label", "basis", "note"]
        elif what == "coverage":
            rows = [[c.old, c.old_state, _names(c.new), _names(c.new_states)] for c in d.coverage]
            cols = ["old", "old coverage", "new", "new coverage"]
        else:
            items = d.mappings if what == "mappings" else d.links
            rows = [[f.status, f.old or "", f.relation, f.other, _names(f.new)] for f in items]
            cols = ["status", "old", "relation", "other end", "new"]
        typer.echo(render(cols, rows, fmt.value))

    run(body)
