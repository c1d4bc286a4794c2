"""Compare two inventories: per risk covered by both, by A only, by B only, by neither."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from graph.coverage.report import CoverageReport, compute_coverage
from graph.coverage.rules import STATUS_NOT_TESTABLE
from graph.coverage.types import RiskCoverage
from graph.index.data import CoverageData
from graph.inventory.model import Inventory

CATEGORIES = ("both", "A only", "B only", "neither", "not testable")


@dataclass
class CompareRow:
    """One risk in a comparison."""

    id: str
    label: str
    taxonomy: str
    severity: int | None
    weight: float
    status_a: str
    status_b: str
    status_union: str
    strength_a: float
    strength_b: float
    strength_union: float
    category: str
    only_a_tests: tuple[str, ...] = ()  # test methods that give evidence in A and not in B
    only_b_tests: tuple[str, ...] = ()


@dataclass
class Comparison:
    """Two inventories side by side, and their union."""

    name_a: str
    name_b: str
    rows: list[CompareRow]
    counts: dict[str, int]
    report_a: CoverageReport
    report_b: CoverageReport
    union: CoverageReport
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for r in self.rows:
            d = asdict(r)
            d["only_a_tests"], d["only_b_tests"] = "; ".join(r.only_a_tests), "; ".join(r.only_b_tests)
            rows.append(d)
        return pd.DataFrame(rows, columns=list(CompareRow.__dataclass_fields__))

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.name_a,
            "b": self.name_b,
            "counts": self.counts,
            "summary": self.summary,
            "risks": [
                {**asdict(r), "only_a_tests": list(r.only_a_tests), "only_b_tests": list(r.only_b_tests)}
                for r in self.rows
            ],
        }


def compare(
    data: CoverageData,
    a: Inventory,
    b: Inventory,
    taxonomy: str | None = None,
    statuses: Iterable[str] | None = None,
    lens: str | None = None,
) -> Comparison:
    """Compare the coverage of inventories ``a`` and ``b`` ("covered" = assessed, weak or strong).

    Returns
    -------
    Comparison
        Rows in the order of the union's gap ranking; ``counts`` per category; the union's report.
    """
    statuses = list(statuses) if statuses is not None else None
    ra = compute_coverage(data, a, taxonomy, statuses, lens)
    rb = compute_coverage(data, b, taxonomy, statuses, lens)
    name_b = b.name if b.name != a.name else f"{b.name} (B)"
    b_named = b if name_b == b.name else Inventory(name_b, b.entries, b.columns, b.preamble, b.source, b.sheet)
    ru = compute_coverage(data, a.union(b_named, f"{a.name} + {name_b}"), taxonomy, statuses, lens)
    by_a, by_b = _by_member(ra.risks), _by_member(rb.risks)
    rows: list[CompareRow] = []
    counts = dict.fromkeys(CATEGORIES, 0)
    for u in ru.risks:
        x, y = by_a[u.id], by_b[u.id]
        if u.status == STATUS_NOT_TESTABLE:
            cat = "not testable"
        elif x.assessed and y.assessed:
            cat = "both"
        elif x.assessed:
            cat = "A only"
        elif y.assessed:
            cat = "B only"
        else:
            cat = "neither"
        counts[cat] += 1
        tests_a = {e.test_id for e in x.evidence}
        tests_b = {e.test_id for e in y.evidence}
        rows.append(
            CompareRow(
                u.id,
                u.label,
                u.taxonomy,
                u.severity,
                u.weight,
                x.status,
                y.status,
                u.status,
                x.strength,
                y.strength,
                u.strength,
                cat,
                tuple(sorted(tests_a - tests_b)),
                tuple(sorted(tests_b - tests_a)),
            )
        )
    summary = {
        a.name: ra.summary().to_dict(),
        name_b: rb.summary().to_dict(),
        "union": ru.summary().to_dict(),
    }
    for s in summary.values():
        s.pop("by_taxonomy", None)
    return Comparison(a.name, name_b, rows, counts, ra, rb, ru, summary)


def _by_member(rows: list[RiskCoverage]) -> dict[str, RiskCoverage]:
    """Every risk CURIE (a cluster's row under each of its members) -> its row."""
    out: dict[str, RiskCoverage] = {}
    for r in rows:
        for key in (r.id, *r.members):
            out[key] = r
    return out


__all__ = ["CATEGORIES", "CompareRow", "Comparison", "compare"]
