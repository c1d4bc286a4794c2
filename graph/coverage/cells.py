"""Cell-by-cell comparison of two inventories' coverage matrices (for the Compare page's heat map).

:func:`compare_matrix` lines up :meth:`CoverageReport.matrix` of inventory A and of inventory B
(risk x method type) and names each cell ``both``, ``A only``, ``B only``, ``neither`` or
``not testable``: a cell counts as covered when it is tested directly or only indirectly.
"""

from __future__ import annotations

import pandas as pd

from graph.coverage.compare import Comparison
from graph.coverage.matrix import CELL_DIRECT, CELL_INDIRECT, CELL_NONE, CELL_NOT_TESTABLE

COVERED = (CELL_DIRECT, CELL_INDIRECT)
CELL_CATEGORIES = ("A only", "both", "B only", "neither", "not testable")


def cell_category(state_a: str, state_b: str) -> str:
    """The category of one cell from its state in A and in B."""
    if state_a == CELL_NOT_TESTABLE or state_b == CELL_NOT_TESTABLE:
        return "not testable"
    in_a, in_b = state_a in COVERED, state_b in COVERED
    if in_a and in_b:
        return "both"
    if in_a:
        return "A only"
    if in_b:
        return "B only"
    return "neither"


def compare_matrix(comparison: Comparison, level: int | None = None) -> pd.DataFrame:
    """Risk (index: CURIE) x method type (columns: ids): the category of every cell.

    Parameters
    ----------
    comparison
        What :func:`graph.coverage.compare` returned.
    level
        Keep risks down to this depth (1 = top concepts, rows include everything under them);
        None keeps every risk.
    """
    a = comparison.report_a.matrix(level=level)
    b = comparison.report_b.matrix(level=level)
    # a cluster's row may be led by a different member in A and in B: line B up by members
    b_row = {m: r.id for r in comparison.report_b.risks for m in (r.id, *r.members)}
    a_members = {r.id: (r.id, *r.members) for r in comparison.report_a.risks}
    b = b.rename(index={b_row.get(m, m): rid for rid in a.index for m in a_members.get(rid, (rid,)) if m in b_row})
    columns = list(dict.fromkeys([*a.columns, *b.columns]))
    a = a.reindex(columns=columns, fill_value=CELL_NONE)
    b = b.reindex(index=a.index, columns=columns, fill_value=CELL_NONE)
    cells = [
        [cell_category(str(x), str(y)) for x, y in zip(ra, rb, strict=True)]
        for ra, rb in zip(a.values, b.values, strict=True)
    ]
    out = pd.DataFrame(cells, index=a.index, columns=columns)
    out.index.name = "risk"
    return out


def cell_counts(matrix: pd.DataFrame) -> dict[str, int]:
    """How many cells fall in each category."""
    values = pd.Series(matrix.to_numpy().ravel())
    return {c: int((values == c).sum()) for c in CELL_CATEGORIES}
