"""Practice options shared by ``airisk gaps``, ``plan`` and ``what-if``, and the A/B filters of ``compare``.

Thin: the options are read here; the practice (the methods published reports ran) is computed by
:mod:`graph.coverage.practice` and handed to the analysis as its inventory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer

from graph.cli.base import fail, progress

PRACTICE_OPT = typer.Option(
    False, "--practice", help="Count the methods that published evaluation reports ran (not the whole catalogue)."
)
SINCE_OPT = typer.Option(None, "--since", help="Practice: reports published from this date (YYYY[-MM[-DD]]).")
UNTIL_OPT = typer.Option(None, "--until", help="Practice: reports published up to this date (inclusive).")
TESTER_OPT = typer.Option(
    [],
    "--tester",
    help="Practice: tester kind: developer, government-institute, third-party, joint or independent (repeatable).",
)
ORG_OPT = typer.Option([], "--org", help="Practice: reports with this tester organisation (id; repeatable).")
MODEL_OPT = typer.Option([], "--model", help="Practice: reports that tested this model (id; repeatable).")
WEIGHTS_OPT = typer.Option(
    None, "--open-weights/--closed-weights", help="Practice: reports that tested an open-weight (or a closed) model."
)
PRACTICE_A_OPT = typer.Option(
    None,
    "--practice-a",
    help="A is practice, filtered by KEY=VALUE,... (since, until, tester, org, model, open-weights, closed-weights).",
    metavar="FILTER",
)
PRACTICE_B_OPT = typer.Option(None, "--practice-b", help="B is practice, filtered like --practice-a.", metavar="FILTER")


def practice_inventory(
    data: Any,
    practice: bool,
    since: Optional[str],
    until: Optional[str],
    tester: list[str],
    org: list[str],
    model: list[str],
    open_weights: Optional[bool],
    inventory_given: bool,
) -> Any:
    """The practice the options ask for, as an inventory; None when no practice option is given."""
    from graph.coverage.practice import PracticeFilter

    if not (practice or since or until or tester or org or model or open_weights is not None):
        return None
    if inventory_given:
        fail("give --inventory or the practice options (--practice, --since, ...), not both", 2)
    pf = PracticeFilter(since, until, tuple(tester), tuple(org), tuple(model), open_weights)
    return _inventory_of(data, pf)


def practice_spec(data: Any, spec: str) -> Any:
    """The practice of a ``KEY=VALUE,...`` filter (``airisk compare --practice-a``), as an inventory."""
    from graph.core.errors import AiriskError
    from graph.coverage.practice import parse_filter

    try:
        pf = parse_filter(spec)
    except AiriskError as exc:
        fail(str(exc), 2)
    return _inventory_of(data, pf)


def compare_sides(
    data: Any,
    files: tuple[Optional[Path], Optional[Path]],
    specs: tuple[Optional[str], Optional[str]],
    read: Callable[[Path], Any],
) -> tuple[Any, Any]:
    """The two sides of ``airisk compare``: each a practice filter if given, else the next inventory file."""
    left = [f for f in files if f is not None]
    sides = []
    for spec in specs:
        if spec is not None:
            sides.append(practice_spec(data, spec))
        elif left:
            sides.append(read(left.pop(0)))
        else:
            fail("compare needs two sides: inventory files A and B, or --practice-a / --practice-b", 2)
    if left:
        fail(f"too many inventories: {', '.join(map(str, left))} (each side is a file or a practice filter)", 2)
    return sides[0], sides[1]


def _inventory_of(data: Any, pf: Any) -> Any:
    from graph.core.errors import AiriskError
    from graph.coverage.practice import practice

    try:
        p = practice(data, pf)
    except AiriskError as exc:
        fail(str(exc), 2)
    progress(f"{p.name}: {len(p.reports)} reports, {len(p.method_reports)} catalogue methods")
    if not p.reports:
        typer.echo(f"warning: no published report matches {p.name}; nothing counts as tested", err=True)
    return p.to_inventory(data)
