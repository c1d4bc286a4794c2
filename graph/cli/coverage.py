"""``airisk gaps``, ``airisk plan``, ``airisk compare``, ``airisk what-if``, ``airisk inventory-check``.

Thin: each command calls :mod:`graph.coverage` and renders what it returns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

from graph.cli.base import Fmt, app, fail, open_graph, progress, run
from graph.cli.output import TERMINAL_TOP, Column, on_terminal, render, wrap
from graph.cli.practice import (
    MODEL_OPT,
    ORG_OPT,
    PRACTICE_A_OPT,
    PRACTICE_B_OPT,
    PRACTICE_OPT,
    SINCE_OPT,
    TESTER_OPT,
    UNTIL_OPT,
    WEIGHTS_OPT,
    compare_sides,
    practice_inventory,
)
from graph.core.labels import plural


def _data() -> Any:
    from graph.index.data import gather

    kg = open_graph()
    progress("gathering coverage evidence")
    return gather(kg)


def _inventory(
    path: Path, data: Any, skip: bool, sheet: Optional[str], encoding: Optional[str], accept: bool = False
) -> Any:
    from graph.inventory.match import load_inventory

    progress(f"reading inventory {path}")
    inv, report = load_inventory(path, data, sheet=sheet, encoding=encoding, strict=not skip, accept_suggestions=accept)
    for issue in report.issues:
        if issue.severity == "info" and issue.accepted:
            typer.echo(f"note: {path.name}: {issue}", err=True)
    for issue in report.issues:
        if issue.severity == "error":
            typer.echo(f"warning: {path.name}: {issue} (row skipped)", err=True)
        elif issue.severity == "warning":
            typer.echo(f"warning: {path.name}: {issue}", err=True)
    return inv


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _write(out: Path, data: bytes) -> None:
    from graph.inventory.export import atomic_write

    atomic_write(out, data)
    typer.echo(f"wrote {out} ({len(data)} bytes)", err=True)


def _baseline(inventory: Optional[Path], inv: Any, data: Any, empty: str) -> str:
    """The sentence that says which set of test methods a command starts from."""
    if inv is not None:
        n = len({e.key for e in inv.entries})
        if inventory is None:  # a baseline built in memory: published practice
            return f"Baseline: {inv.name} ({plural(n, 'test method')})."
        return f"Baseline: inventory {inv.name!r} from {inventory} ({plural(n, 'test method')})."
    return empty.format(n=plural(len(data.tests), "test method"))


def _evidence_short(r: Any) -> str:
    marks = {"direct": "", "capability": " (cap)", "mapping": " (map)"}
    seen: dict[str, str] = {}
    for e in r.evidence:
        seen.setdefault(e.test_id, marks[e.path])
    return ", ".join(f"{t}{m}" for t, m in seen.items())


INVENTORY_OPT = typer.Option(None, "--inventory", "-i", help="Inventory file (.csv, .tsv or .xlsx).", metavar="FILE")
TAXONOMY_OPT = typer.Option(None, "--taxonomy", "-t", help="Only the risks of this taxonomy (prefix, e.g. mit).")
LENS_OPT = typer.Option(
    None,
    "--lens",
    "-l",
    help="Lens: which risks count (frontier, all, every, or a taxonomy prefix); matched risks of a union "
    "count once. Default: the configured default lens ($AIRISK_LENS), or --taxonomy.",
)


def _lens(lens: Optional[str], taxonomy: Optional[str]) -> Optional[str]:
    """The lens to pass on: ``--lens``, else ``--taxonomy`` alone, else the default lens."""
    if lens is not None:
        return lens
    return None if taxonomy is not None else "default"


def _lens_line(doc: dict[str, Any] | None) -> str:
    """``Lens frontier: Frontier safety frameworks (Anthropic RSP 2.2; ...)``."""
    if not doc:
        return ""
    versions = "; ".join(f"{t['title']} {t['version']}".strip() for t in doc["taxonomies"])
    dedup = f", {doc['n_concepts']} concepts counted as {doc['n_counted']}" if doc["deduplicated"] else ""
    return f"Lens {doc['id']}: {doc['label']}{dedup}. Taxonomies: {versions}."


def _explain(report: Any, risk_id: str) -> None:
    """Print everything about one risk's coverage: status, score, reason, evidence, what would raise it."""
    from graph.core.errors import NotFound

    try:
        why = report.why(risk_id)
    except KeyError:
        raise NotFound(f"{risk_id!r} is not a risk of lens {report.lens.id!r} (try --lens every)") from None
    r = next(x for x in report.risks if x.id == risk_id or risk_id in x.members)
    typer.echo(f"{r.id}  {r.label}")
    if r.members:
        typer.echo(f"cluster (counted once): {', '.join((r.id, *r.members))}")
    sev = r.severity if r.severity_rated else "unrated"
    typer.echo(f"status: {r.status}; score {r.strength:.2f}; severity {sev}; gap {r.gap_score:.2f}")
    typer.echo(f"why: {why.reason}")
    if not r.not_testable and r.status != "assessed: strong":
        typer.echo("would raise it most: " + why.best)
    ev = r.evidence
    if ev:
        typer.echo("evidence:")
        for e in ev:
            typer.echo(f"  - {e.describe()}")


STATUS_OPT = typer.Option([], "--status", help="Count only inventory entries with this status (repeatable).")
SKIP_OPT = typer.Option(False, "--skip-unmatched", help="Skip inventory rows with errors instead of failing.")
ACCEPT_OPT = typer.Option(
    False,
    "--accept-suggestions",
    help="Read a name that matches no test method as its closest catalogue test method when that one is a "
    "near-certain match (a typo); each acceptance is reported.",
)
SHEET_OPT = typer.Option(None, "--sheet", help="XLSX sheet to read (default: the first with a test_method column).")
ENC_OPT = typer.Option(None, "--encoding", help="Encoding of a CSV inventory (default UTF-8), e.g. cp1252.")


@app.command()
def gaps(
    inventory: Optional[Path] = INVENTORY_OPT,
    taxonomy: Optional[str] = TAXONOMY_OPT,
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
    top: Optional[int] = typer.Option(
        None,
        "--top",
        "-n",
        help=f"Show only the N largest gaps (0: all). Default: {TERMINAL_TOP} on a terminal, all otherwise.",
    ),
    status: list[str] = STATUS_OPT,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write the report (.xlsx, .csv or .json)."),
    skip_unmatched: bool = SKIP_OPT,
    sheet: Optional[str] = SHEET_OPT,
    encoding: Optional[str] = ENC_OPT,
    accept_suggestions: bool = ACCEPT_OPT,
    practice: bool = PRACTICE_OPT,
    since: Optional[str] = SINCE_OPT,
    until: Optional[str] = UNTIL_OPT,
    tester: list[str] = TESTER_OPT,
    org: list[str] = ORG_OPT,
    model: list[str] = MODEL_OPT,
    open_weights: Optional[bool] = WEIGHTS_OPT,
    lens: Optional[str] = LENS_OPT,
    explain: Optional[str] = typer.Option(None, "--explain", help="Explain one risk (CURIE): why, evidence, fixes."),
) -> None:
    """Coverage of every risk of a lens, ranked by gap score, each gap with its reason.

    What counts as tested: the whole catalogue, an inventory, or published practice (``--practice``).
    """
    from graph.coverage.practice import PRACTICE_SOURCE
    from graph.coverage.report import compute_coverage

    def body() -> None:
        data = _data()
        inv = practice_inventory(data, practice, since, until, tester, org, model, open_weights, inventory is not None)
        if inventory:
            inv = _inventory(inventory, data, skip_unmatched, sheet, encoding, accept_suggestions)
        progress("computing coverage")
        report = compute_coverage(data, inv, taxonomy, status or None, _lens(lens, taxonomy))
        if explain:
            _explain(report, explain)
            return
        ranked = [r for r in report.risks if not r.not_testable]
        untestable = [r for r in report.risks if r.not_testable]
        limit = TERMINAL_TOP if top is None and fmt == Fmt.table and on_terminal() else top
        risks = ranked[:limit] if limit else report.risks
        report.prefetch_evidence(risks)
        if out is not None:
            suffix = out.suffix.lower()
            if suffix == ".xlsx":
                from graph.coverage.export import report_to_xlsx_bytes

                _write(out, report_to_xlsx_bytes(report))
            elif suffix == ".csv":
                frame = report.to_frame()
                _write(out, render(list(frame.columns), frame.values.tolist(), "csv").encode("utf-8-sig"))
            elif suffix == ".json":
                _write(out, json.dumps(report.to_json(), indent=2, ensure_ascii=False).encode())
            else:
                fail(f"--out {out}: write .xlsx, .csv or .json", 2)
        if fmt == Fmt.json:
            doc = report.to_json()
            doc["risks"] = [r.to_dict() for r in risks]
            typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
            return
        if fmt == Fmt.csv:
            frame = report.to_frame().head(len(risks))
            typer.echo(render(list(frame.columns), frame.values.tolist(), "csv"))
            return
        s = report.summary()
        who = f"inventory {report.inventory!r}" if report.inventory else "the whole catalogue"
        if inv is not None and inv.source == PRACTICE_SOURCE:  # published practice, not a file
            who = f"published {report.inventory}"
        lens_doc = report.lens.to_dict() if report.lens else None
        typer.echo(
            wrap(
                _baseline(
                    inventory,
                    inv,
                    data,
                    "Baseline: the whole catalogue ({n}: what the field can test); "
                    "give --inventory FILE for what you run.",
                )
            )
        )
        typer.echo(
            wrap(
                f"Coverage of lens {report.lens.id if report.lens else 'every'} by {who} "
                f"({plural(s.n_test_methods, 'test method')}): {s.n_assessed} of {s.n_applicable} testable risks "
                f"assessed ({_pct(s.share_assessed)}): {s.n_strong} strong, {s.n_weak} weak, {s.n_not_assessed} not "
                f"assessed; {s.n_not_testable} not testable by model evaluation (not ranked). Severity-weighted "
                f"coverage {_pct(s.weighted_coverage)}; total gap {s.total_gap:.1f}; {s.n_unrated} unrated "
                f"(weight 2); {plural(s.n_mitigation_gaps, 'mitigation gap')}. "
                f"Taxonomy versions: {report.version_note()}."
            )
        )
        typer.echo(wrap(_lens_line(lens_doc)))
        risks = ranked[:limit] if limit else ranked
        cols = [
            Column("rank", "num"),
            Column("id", "id"),
            Column("risk", "text"),
            Column("severity", "id", 2),
            Column("status", "text"),
            Column("score", "num", 3),
            Column("methods", "num", 4),
            Column("types", "num", 5),
            Column("gap", "num"),
            Column("reason", "text", 6),
            Column("mitigation", "text", 7),
            Column("evidence", "text", 8),
        ]
        rows = [
            [r.rank, r.id, r.label, r.severity if r.severity_rated else "unrated", r.status, f"{r.strength:.2f}",
             r.n_methods, len(r.method_types), f"{r.gap_score:.2f}", r.why.reason,
             r.mitigation_gap_kind or "mitigated", _evidence_short(r)]
            for r in risks
        ]  # fmt: skip
        if any(r.documented_entries for r in risks):
            # imported risk statements (e.g. MIT AI Risk Repository entries) classified under each risk
            cols.insert(3, Column("entries", "num", 1))
            for row, r in zip(rows, risks, strict=True):
                row.insert(3, r.documented_entries)
        typer.echo(
            render(
                cols,
                rows,
                "table",
                total=len(ranked) if limit else None,
                more="--top 0 shows every risk; --format csv or json gives every column",
            )
        )
        if untestable and not limit:
            typer.echo(f"Not testable by model evaluation ({len(untestable)}, not ranked):")
            typer.echo(
                render(
                    [Column("id", "id"), Column("risk", "text"), Column("why", "text")],
                    [[r.id, r.label, r.not_applicable_reason] for r in untestable],
                    "table",
                )
            )

    run(body)


@app.command()
def plan(
    budget: float = typer.Option(..., "--budget", "-k", help="Number of test methods to add (or total cost)."),
    inventory: Optional[Path] = INVENTORY_OPT,
    cost: Optional[Path] = typer.Option(
        None, "--cost", help="CSV/XLSX with columns test_method, cost.", metavar="FILE"
    ),
    taxonomy: Optional[str] = TAXONOMY_OPT,
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
    exact: Optional[bool] = typer.Option(None, "--exact/--greedy", help="Force the exact search or the greedy one."),
    status: list[str] = STATUS_OPT,
    skip_unmatched: bool = SKIP_OPT,
    sheet: Optional[str] = SHEET_OPT,
    encoding: Optional[str] = ENC_OPT,
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
    """Recommend the catalogue test methods that most reduce the severity-weighted gap of a lens."""
    from graph.coverage.plan import plan as make_plan
    from graph.inventory.saved import load_costs

    def body() -> None:
        if cost is None and (budget < 1 or budget != int(budget)):
            fail("--budget must be a whole number of test methods (or give --cost)", 2)
        data = _data()
        inv = practice_inventory(data, practice, since, until, tester, org, model, open_weights, inventory is not None)
        if inventory:
            inv = _inventory(inventory, data, skip_unmatched, sheet, encoding, accept_suggestions)
        costs = load_costs(cost, data) if cost else None
        progress("planning")
        p = make_plan(data, inv, budget, costs, taxonomy, exact, status or None, lens=_lens(lens, taxonomy))
        if fmt == Fmt.json:
            typer.echo(json.dumps(p.to_json(), indent=2, ensure_ascii=False))
            return
        frame = p.to_frame()
        if fmt == Fmt.csv:
            typer.echo(render(list(frame.columns), frame.values.tolist(), "csv"))
            return
        typer.echo(
            wrap(
                _baseline(
                    inventory,
                    inv,
                    data,
                    "Baseline: an empty inventory (nothing run yet), so every pick counts from zero; "
                    "give --inventory FILE to start from what you run.",
                )
            )
        )
        typer.echo(wrap(_lens_line(p.lens)))
        typer.echo(wrap(f"Algorithm: {p.algorithm}. Guarantee: {p.guarantee}."))
        for note in p.notes:
            typer.echo(wrap(f"Note: {note}."))
        typer.echo(
            wrap(
                f"Total gap {p.gap_before:.2f} -> {p.gap_after:.2f} (reduced by {p.total_gain:.2f}) with "
                f"{plural(len(p.steps), 'test method')} (cost {p.cost_total:g} of budget {p.budget:g}); "
                f"{plural(p.candidates, 'candidate')}."
            )
        )
        cols = [
            Column("step", "num"),
            Column("test method", "id"),
            Column("name", "text"),
            Column("type", "text", 3),
            Column("cost", "num", 4),
            Column("gain", "num"),
            Column("cumulative", "num", 2),
            Column("newly assessed", "num"),
            Column("newly strong", "num", 1),
            Column("effect", "text", 5),
        ]
        rows = [
            [n, s.test_id, s.label, s.method_type, f"{s.cost:g}", f"{s.gain:.2f}", f"{s.cumulative_gain:.2f}",
             len(s.newly_assessed), len(s.newly_strong), s.effect]
            for n, s in enumerate(p.steps, 1)
        ]  # fmt: skip
        typer.echo(render(cols, rows, "table"))
        risk_label = {r.curie: r.label for r in data.risks.values()}
        for n, s in enumerate(p.steps, 1):
            for what, ids in (("newly assesses", s.newly_assessed), ("newly makes strong", s.newly_strong)):
                if ids:
                    named = "; ".join(f"{i} ({risk_label[i]})" if risk_label.get(i) else i for i in ids)
                    typer.echo(wrap(f"{n}. {s.test_id} {what} {plural(len(ids), 'risk')}: {named}", indent="   "))
        if p.unclosable:
            typer.echo(wrap(f"Severe gaps no catalogue method can close ({len(p.unclosable)}):"))
            gaps_rows = [[g.id, g.label, g.severity, g.status_with_catalogue, g.reason] for g in p.unclosable]
            gap_cols = [
                Column("id", "id"),
                Column("risk", "text"),
                Column("severity", "id", 1),
                Column("with the whole catalogue", "text", 2),
                Column("why", "text"),
            ]
            typer.echo(render(gap_cols, gaps_rows, "table"))

    run(body)


@app.command()
def compare(
    file_a: Optional[Path] = typer.Argument(None, help="Inventory A (.csv, .tsv or .xlsx); or give --practice-a."),
    file_b: Optional[Path] = typer.Argument(None, help="Inventory B; or give --practice-b."),
    taxonomy: Optional[str] = TAXONOMY_OPT,
    fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table, csv or json"),
    status: list[str] = STATUS_OPT,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write the comparison (.xlsx, .csv, .json)."),
    skip_unmatched: bool = SKIP_OPT,
    accept_suggestions: bool = ACCEPT_OPT,
    practice_a: Optional[str] = PRACTICE_A_OPT,
    practice_b: Optional[str] = PRACTICE_B_OPT,
    lens: Optional[str] = LENS_OPT,
) -> None:
    """Per risk: covered by both inventories, by A only, by B only, or by neither; and the union's coverage.

    Either side may be published practice: ``--practice-a org=uk-aisi --practice-b org=us-aisi`` or
    ``--practice-a since=2024,until=2024 --practice-b since=2025,until=2025``.
    """
    from graph.coverage.compare import compare as make_compare
    from graph.coverage.export import comparison_to_xlsx_bytes

    def body() -> None:
        data = _data()
        a, b = compare_sides(
            data,
            (file_a, file_b),
            (practice_a, practice_b),
            lambda f: _inventory(f, data, skip_unmatched, None, None, accept_suggestions),
        )
        c = make_compare(data, a, b, taxonomy, status or None, _lens(lens, taxonomy))
        frame = c.to_frame()
        if out is not None:
            suffix = out.suffix.lower()
            if suffix == ".xlsx":
                _write(out, comparison_to_xlsx_bytes(c))
            elif suffix == ".csv":
                _write(out, render(list(frame.columns), frame.values.tolist(), "csv").encode("utf-8-sig"))
            elif suffix == ".json":
                _write(out, json.dumps(c.to_json(), indent=2, ensure_ascii=False).encode())
            else:
                fail(f"--out {out}: write .xlsx, .csv or .json", 2)
        if fmt == Fmt.json:
            typer.echo(json.dumps(c.to_json(), indent=2, ensure_ascii=False))
            return
        if fmt == Fmt.csv:
            typer.echo(render(list(frame.columns), frame.values.tolist(), "csv"))
            return
        typer.echo(wrap(_lens_line(c.union.lens.to_dict() if c.union.lens else None)))
        counts = ", ".join(f"{k}: {v}" for k, v in c.counts.items())
        typer.echo(wrap(f"A = {c.name_a}, B = {c.name_b}. Risks covered by {counts}."))
        for name, s in c.summary.items():
            typer.echo(
                wrap(
                    f"  {name}: {s['n_assessed']} of {s['n_applicable']} assessed ({_pct(s['share_assessed'])}), "
                    f"severity-weighted coverage {_pct(s['weighted_coverage'])}, total gap {s['total_gap']:.1f}",
                    indent="    ",
                )
            )
        rows = [[r.id, r.label, r.severity, r.status_a, r.status_b, r.category] for r in c.rows]
        cols = [
            Column("id", "id"),
            Column("risk", "text"),
            Column("severity", "id", 1),
            Column("A", "text"),
            Column("B", "text"),
            Column("covered by", "text"),
        ]
        typer.echo(render(cols, rows, "table"))

    run(body)
