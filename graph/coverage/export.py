"""Spreadsheet exports of coverage reports and comparisons (no cell starts a formula)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from graph.coverage.compare import Comparison
from graph.coverage.report import CoverageReport
from graph.coverage.types import RUBRIC
from graph.inventory.tables import write_xlsx


def _frame_rows(frame: pd.DataFrame, index: bool = False) -> list[list[Any]]:
    cols = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    rows: list[list[Any]] = [cols]
    for idx, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        row = ([idx] if index else []) + [_plain(v) for v in values]
        rows.append(row)
    return rows


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _about(title: str, extra: list[list[Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = [["AI Risk Graph", title], ["generated", dt.datetime.now().isoformat(timespec="seconds")]]
    rows += extra
    rows.append([])
    rows.append(["rubric", ""])
    for key, value in RUBRIC.items():
        rows.append([key, ", ".join(value) if isinstance(value, list) else value])
    return rows


def report_to_xlsx_bytes(report: CoverageReport) -> bytes:
    """Sheets: gaps (one row per risk), evidence, matrix (risk x method type), about (summary, rubric)."""
    summary = report.summary().to_dict()
    summary.pop("by_taxonomy")
    about = _about(
        "coverage report",
        [
            ["inventory", report.inventory or "whole catalogue"],
            ["taxonomy", report.taxonomy or "all"],
            ["lens used", report.lens.describe() if report.lens else "every concept"],
            ["taxonomy versions", report.version_note()],
        ]
        + [[k, v] for k, v in summary.items()],
    )
    return write_xlsx(
        [
            ("gaps", _frame_rows(report.to_frame())),
            ("evidence", _frame_rows(report.evidence_frame())),
            ("matrix", _frame_rows(report.matrix(), index=True)),
            ("about", about),
        ]
    )


def comparison_to_xlsx_bytes(comparison: Comparison) -> bytes:
    """Sheets: compare (one row per risk), summary (counts and both reports' numbers), about."""
    counts = [["category", "risks"]] + [[k, v] for k, v in comparison.counts.items()]
    names = list(comparison.summary)
    keys = list(next(iter(comparison.summary.values())).keys()) if comparison.summary else []
    table = [["", *names]] + [[k, *[comparison.summary[n][k] for n in names]] for k in keys]
    about = _about("inventory comparison", [["A", comparison.name_a], ["B", comparison.name_b]])
    return write_xlsx(
        [
            ("compare", _frame_rows(comparison.to_frame())),
            ("summary", counts + [[]] + table),
            ("about", about),
        ]
    )
