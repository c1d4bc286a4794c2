"""The columns of an inventory: the usual header names, in any case and order, and the header row.

People head the column of test methods ``test``, ``Test name``, ``Benchmark``, ``Eval`` or
``EVALUATION``, and the status column ``State``: every header is normalised (case, spaces,
hyphens, dots and brackets ignored) and looked up in :data:`COLUMN_ALIASES`. When several
columns could hold the test methods (``name`` and ``benchmark``, say), the most specific one
(:data:`TEST_COLUMN_PRIORITY`) is used and the others are kept as plain columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from graph.core.errors import DataError, Location, Problem

#: Header names (normalised) read as the column of test methods, most specific first.
TEST_COLUMN_PRIORITY = (
    "test_method",
    "testmethod",
    "test_methods",
    "test_method_name",
    "test",
    "tests",
    "test_name",
    "benchmark",
    "benchmarks",
    "benchmark_name",
    "eval",
    "evals",
    "eval_name",
    "evaluation",
    "evaluations",
    "evaluation_name",
    "method",
    "method_name",
    "name",
)

#: Header names (normalised) and the field each fills.
COLUMN_ALIASES: dict[str, str] = {
    **{name: "test_method" for name in TEST_COLUMN_PRIORITY},
    "status": "status",
    "state": "status",
    "progress": "status",
    "stage": "status",
    "date": "date",
    "when": "date",
    "run_date": "date",
    "date_run": "date",
    "year": "date",
    "notes": "notes",
    "note": "notes",
    "comment": "notes",
    "comments": "notes",
    "remarks": "notes",
    "risks": "risks",
    "risk": "risks",
    "target_risks": "risks",
    "risk_categories": "risks",
    "capabilities": "capabilities",
    "capability": "capabilities",
    "target_capabilities": "capabilities",
    "method_type": "method_type",
    "methodtype": "method_type",
    "type": "method_type",
    "custom": "custom",
    "in_house": "custom",
}


def normalise_column(name: str) -> str:
    """``"Test Method "`` -> ``"test_method"``; ``"Test-Name (internal)"`` -> ``"test_name_internal"``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def role_of(name: str) -> str | None:
    """The field a column header fills (``test_method``, ``status``, ...), or None."""
    return COLUMN_ALIASES.get(normalise_column(name))


def test_column(cells: Sequence[str]) -> int | None:
    """The index of the column of test methods in a header row (the most specific name wins)."""
    best: tuple[int, int] | None = None
    for i, c in enumerate(cells):
        norm = normalise_column(c)
        if norm in TEST_COLUMN_PRIORITY:
            rank = TEST_COLUMN_PRIORITY.index(norm)
            if best is None or rank < best[0]:
                best = (rank, i)
    return best[1] if best else None


def assign_roles(columns: Sequence[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Field -> column header, and the (column, field) pairs left over because another column
    already fills that field. The column of test methods is the most specific one."""
    roles: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    tests = test_column(columns)
    if tests is not None:
        roles["test_method"] = columns[tests]
    for i, col in enumerate(columns):
        role = role_of(col)
        if role is None or i == tests:
            continue
        if role in roles:
            rest.append((col, role))
        else:
            roles[role] = col
    return roles, rest


def header_names() -> str:
    """The accepted names of the test-method column, for messages."""
    return ", ".join(n for n in TEST_COLUMN_PRIORITY if n not in ("testmethod", "test_methods", "test_method_name"))


def find_header(rows: Sequence[tuple[int, list[str]]], file: str) -> tuple[int, list[str]]:
    """The position (in ``rows``) and cells of the header row: the first of the first 20 rows
    with a column of test methods; a :class:`DataError` naming the accepted headers otherwise."""
    for pos, (_, cells) in enumerate(rows[:20]):
        if test_column(cells) is not None:
            return pos, cells
    first = next((cells for _, cells in rows if any(c.strip() for c in cells)), [])
    import difflib

    shown = ", ".join(repr(c) for c in first[:6])
    close = difflib.get_close_matches("test_method", [normalise_column(c) for c in first], n=1, cutoff=0.5)
    hint = (
        f"rename the column {close[0]!r} to test_method"
        if close
        else "the smallest valid file is a CSV with one column headed test_method"
    )
    raise DataError(
        Problem(
            f"no column of test methods (first row: {shown or 'empty'}); a header such as {header_names()} "
            "(any case) names it",
            Location(file, 1),
            hint=hint,
            check="inventory",
        )
    )
