"""``airisk what-if`` (coverage after adding test methods) and ``airisk inventory-check`` (how every
row of an inventory matched, with every problem found)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from graph.cli.base import Fmt, app, run
from graph.cli.coverage import (
    ACCEPT_OPT,
    ENC_OPT,
    INVENTORY_OPT,
    LENS_OPT,
    SHEET_OPT,
    SKIP_OPT,
    TAXONOMY_OPT,
    _baseline,
    _data,
    _inventory,
    _lens,
    _lens_line,
)
from graph.cli.output import Column, render, wrap
from graph.cli.practice import (
    MODEL_OPT,
    ORG_OPT,
    PRACTICE_OPT,
    SINCE_OPT,
    TESTER_OPT,
    UNTIL_OPT,
    WEIGHTS_OPT,
    practice_inventory,
)
from graph.core.labels import plural


@app.command("what-if")
def what_if_cmd(
    add: list[str] = typer.Option(..., "--add", "-a", help="Test method to add (id, name or alias; repeatable)."),
    inventory: Optional[Path] = INVENTORY_OPT,
    taxonomy: Optional[str] = TAXONOMY_OPT,
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
    skip_unmatched: bool = SKIP_OPT,
    accept_suggestions: bool = ACCEPT_OPT,
    practice: bool = PRACTICE_OPT,
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    tester: list[str] = TESTER_OPT,
    org: list[str] = ORG_OPT,
    model: list[str] = MODEL_OPT,
    open_weights: Optional[bool] = WEIGHTS_OPT,
    lens: Optional[str] = LENS_OPT,
) -> None:
    """Show how coverage of a lens changes when test methods are added to an inventory, to practice, or to nothing."""
    from graph.coverage.plan import what_if

    def body() -> None:
        data = _data()
        inv = practice_inventory(data, practice, since, until, tester, org, model, open_weights, inventory is not None)
        if inventory:
            inv = _inventory(inventory, data, skip_unmatched, None, None, accept_suggestions)
        w = what_if(data, inv, add, taxonomy, lens=_lens(lens, taxonomy))
        frame = w.to_frame()
        if fmt == Fmt.json:
            doc = {
                "lens": w.after.lens.to_dict() if w.after.lens else None,
                "added": w.added,
                "gain": w.gain,
                "gap_before": w.before.gap_total,
                "gap_after": w.after.gap_total,
                "changes": frame.to_dict(orient="records"),
            }
            typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
            return
        if fmt == Fmt.csv:
            typer.echo(render(list(frame.columns), frame.values.tolist(), "csv"))
            return
        typer.echo(wrap(_lens_line(w.after.lens.to_dict() if w.after.lens else None)))
        typer.echo(
            wrap(
                _baseline(inventory, inv, data, "Baseline: an empty inventory (nothing run yet).")
                + f" Adding {', '.join(w.added)}: total gap {w.before.gap_total:.2f} -> {w.after.gap_total:.2f} "
                f"(reduced by {w.gain:.2f}); {plural(len(w.changes), 'risk')} change."
            )
        )
        rows = [
            [
                c.id,
                c.label,
                c.status_before,
                c.status_after,
                f"{c.strength_before:.2f}",
                f"{c.strength_after:.2f}",
                f"{c.gap_before - c.gap_after:.2f}",
            ]
            for c in w.changes
        ]
        cols = [
            Column("id", "id"),
            Column("risk", "text"),
            Column("before", "text"),
            Column("after", "text"),
            Column("score before", "num", 2),
            Column("score after", "num", 1),
            Column("gap reduced", "num"),
        ]
        typer.echo(render(cols, rows, "table"))

    run(body)


@app.command("inventory-check")
def inventory_check(
    file: Path = typer.Argument(..., help="Inventory file (.csv, .tsv or .xlsx)."),
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
    sheet: Optional[str] = SHEET_OPT,
    encoding: Optional[str] = ENC_OPT,
    accept_suggestions: bool = ACCEPT_OPT,
) -> None:
    """Read an inventory and show how each row matched the catalogue, with every problem found."""
    from graph.inventory.match import load_inventory

    def body() -> None:
        data = _data()
        inv, report = load_inventory(
            file, data, sheet=sheet, encoding=encoding, strict=False, accept_suggestions=accept_suggestions
        )
        rows = [
            [
                e.row,
                e.test_method,
                e.test_id or ("custom" if e.custom else ""),
                e.matched_by,
                e.status or "",
                e.date or "",
                "; ".join(e.risks + e.capabilities),
            ]
            for e in inv.entries
        ]
        cols = ["row", "test_method", "matched", "by", "status", "date", "targets"]
        if fmt == Fmt.json:
            issues = [
                {
                    "severity": i.severity,
                    "row": i.row,
                    "column": i.column,
                    "value": i.value,
                    "message": i.message,
                    "candidates": list(i.candidates),
                }
                for i in report.issues
            ]
            typer.echo(
                json.dumps({"entries": [dict(zip(cols, r, strict=True)) for r in rows], "issues": issues}, indent=2)
            )
        else:
            shown = [
                Column("row", "num"),
                Column("test method", "text"),
                Column("matched", "id"),
                Column("by", "id", 2),
                Column("status", "id"),
                Column("date", "id", 1),
                Column("targets", "text", 3),
            ]
            typer.echo(render(shown if fmt == Fmt.table else cols, rows, fmt.value))
            for line in report.lines():
                typer.echo(line, err=True)
        if not report.ok:
            raise typer.Exit(1)

    run(body)
