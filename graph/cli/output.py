"""Render tables for the terminal: aligned text, CSV or JSON."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from typing import Any

from graph.safeio.text import show_controls, write_csv


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    """Render rows as ``table`` (aligned columns), ``csv`` (formula-safe) or ``json``."""
    if fmt == "json":
        return json.dumps(
            [dict(zip(columns, row, strict=False)) for row in rows], indent=2, ensure_ascii=False, default=str
        )
    if fmt == "csv":
        return write_csv([list(columns), *rows]).removesuffix("\r\n")
    width = shutil.get_terminal_size((160, 20)).columns
    text_rows = [["" if v is None else show_controls(str(v).replace("\n", " ")) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in text_rows:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    # keep every column readable: cap the widest ones so the table fits the terminal
    cap = max(12, (width - 2 * len(columns)) // max(1, len(columns)))
    widths = [min(w, max(cap, 12)) if sum(widths) + 2 * len(widths) > width else w for w in widths]

    def fit(v: str, w: int) -> str:
        return v if len(v) <= w else v[: max(1, w - 1)] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in text_rows:
        lines.append("  ".join(fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
