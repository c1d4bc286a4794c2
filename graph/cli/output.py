"""Output for the terminal: tables fitted to its width, CSV (formula-safe) and JSON.

Table columns have a kind: an ``id`` or a ``num`` is never cut or wrapped; a ``text`` column
wraps at word boundaries. When the terminal is too narrow for every column at its smallest, the
columns with the highest ``drop`` rank go first and the table says which it left out; when even
the columns that are always kept do not fit, each row prints as a block of ``header: value``
lines. The width is the terminal's (``COLUMNS`` wins). Every cell is shown as text: rich markup
in the data prints as those characters, control characters as ``?``. CSV rounds numbers for
people (:func:`graph.core.labels.for_people`); JSON keeps full precision.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.core.labels import for_people
from graph.safeio.text import show_controls, write_csv

#: Width used when the output is not a terminal and ``COLUMNS`` is not set.
DEFAULT_WIDTH = 100
#: The most rows ``airisk gaps`` prints on a terminal unless ``--top`` says otherwise.
TERMINAL_TOP = 20
_TEXT_MIN = 10  # a wrapping column is never narrower than this (or its longest word, up to 24)
_TEXT_WORD_CAP = 24
_GAP = 3  # padding, separator, padding between two columns


@dataclass(frozen=True)
class Column:
    """A table column: its header, kind (``id``, ``num`` or ``text``) and drop rank (0: always kept)."""

    header: str
    kind: str = "text"
    drop: int = 0


def terminal_width() -> int:
    """The terminal's width in characters (``COLUMNS`` wins; 100 when not a terminal)."""
    return max(20, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def on_terminal() -> bool:
    """Whether standard output is an interactive terminal (file descriptor 1, whatever wraps it)."""
    try:
        return os.isatty(1)
    except OSError:
        return False


def plain(value: object) -> str:
    """A cell as one line of plain text (``None`` -> empty; control characters -> ``?``)."""
    if value is None:
        return ""
    text = show_controls(" ".join(str(value).split()))
    return "".join("?" if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _min_width(col: Column, cells: list[str]) -> int:
    if col.kind in ("id", "num"):
        return max([len(col.header), *(len(c) for c in cells)])
    longest = max([0, *(len(w) for c in cells for w in c.split())])
    head = max(len(w) for w in col.header.split()) if col.header.strip() else 1
    return max(head, min(max(_TEXT_MIN, longest), _TEXT_WORD_CAP))


def fit_columns(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """The indices of the columns that fit ``width`` at their smallest, in order; None when
    even the columns that are always kept (drop rank 0) do not fit."""
    cells = [[r[i] for r in rows] for i in range(len(columns))]
    mins = [_min_width(c, cells[i]) for i, c in enumerate(columns)]
    keep = list(range(len(columns)))

    def fits() -> bool:
        return sum(mins[k] for k in keep) + _GAP * (len(keep) - 1) <= width

    for i in sorted(keep, key=lambda i: (-columns[i].drop, -i)):
        if fits() or columns[i].drop == 0:
            break
        keep.remove(i)
    return keep if fits() else None


def _records(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Each row as a block of ``header: value`` lines (for terminals too narrow for a table)."""
    lines: list[str] = []
    for row in rows:
        first = True
        for col, cell in zip(columns, row, strict=True):
            if not cell:
                continue
            lead = "" if first else "  "
            lines.append(
                textwrap.fill(
                    f"{col.header}: {cell}",
                    width,
                    initial_indent=lead,
                    subsequent_indent="    ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
            first = False
        lines.append("")
    return lines


def table_text(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    width: int | None = None,
    total: int | None = None,
    more: str = "",
) -> str:
    """``rows`` as a table that fits ``width`` (default: the terminal), with a row count line.

    ``total`` is the number of rows before a ``--top`` cut (the footer says "N of total");
    ``more`` is a hint printed when rows or columns were left out.
    """
    width = width or terminal_width()
    text_rows = [[plain(v) for v in row] for row in rows]
    keep = fit_columns(columns, text_rows, width)
    if keep is None:
        lines = _records(columns, text_rows, width)
        keep = list(range(len(columns)))
    else:
        lines = _table(columns, text_rows, keep, width)
    shown = len(rows)
    count = (
        f"({shown} of {total} rows)"
        if total is not None and total != shown
        else f"({shown} row{'' if shown == 1 else 's'})"
    )
    dropped = [columns[i].header for i in range(len(columns)) if i not in keep]
    notes = [count]
    if dropped:
        notes.append(f"not shown at this width: {', '.join(dropped)}")
    if (dropped or (total is not None and total != shown)) and more:
        notes.append(more)
    lines.append(wrap("; ".join(notes), width))
    return "\n".join(lines)


def _widths(columns: Sequence[Column], text_rows: list[list[str]], keep: list[int], width: int) -> dict[int, int]:
    """Column widths: ids and numbers exactly as wide as their longest cell; the text columns
    share what is left fairly (a short column gets all it needs, long ones split the rest),
    never below their minimum."""
    mins = {i: _min_width(columns[i], [r[i] for r in text_rows]) for i in keep}
    natural = {i: max([len(columns[i].header), *(len(r[i]) for r in text_rows)]) for i in keep}
    text = [i for i in keep if columns[i].kind == "text"]
    widths = {i: mins[i] for i in keep}
    spare = width - sum(mins.values()) - _GAP * (len(keep) - 1)
    want = sorted((natural[i] - mins[i], i) for i in text if natural[i] > mins[i])
    # max-min fair shares: short columns get all they need, long ones split the rest
    for n, (need, i) in enumerate(want):
        share = max(0, spare // (len(want) - n))
        give = min(need, share)
        widths[i] += give
        spare -= give
    return widths


def _table(columns: Sequence[Column], text_rows: list[list[str]], keep: list[int], width: int) -> list[str]:
    widths = _widths(columns, text_rows, keep, width)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), expand=False)
    for i in keep:
        col = columns[i]
        table.add_column(
            Text(col.header),
            width=widths[i],
            no_wrap=col.kind != "text",
            overflow="fold",
            justify="right" if col.kind == "num" else "left",
        )
    for row in text_rows:
        table.add_row(*(Text(row[i]) for i in keep))
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        color_system=None,
        highlight=False,
        markup=False,
        emoji=False,
        force_terminal=False,
        legacy_windows=False,
    )
    console.print(table)
    return [ln.rstrip() for ln in buf.getvalue().rstrip().splitlines()]


def wrap(paragraph: str, width: int | None = None, indent: str = "") -> str:
    """A paragraph wrapped to the terminal's width, never breaking inside a word (ids stay whole);
    lines after the first start with ``indent``."""
    return textwrap.fill(
        plain(paragraph),
        width or terminal_width(),
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _kind(cells: list[Any]) -> str:
    values = [c for c in cells if c not in (None, "")]
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "num"
    texts = [plain(v) for v in values]
    if texts and all(_is_number(t) for t in texts):
        return "num"
    if texts and all(" " not in t and len(t) <= 48 for t in texts):
        return "id"
    return "text"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def render(
    columns: Sequence[str | Column],
    rows: Sequence[Sequence[Any]],
    fmt: str,
    total: int | None = None,
    more: str = "",
) -> str:
    """Render rows as ``table`` (fitted to the terminal), ``csv`` (formula-safe, rounded) or ``json``.

    Columns given as plain names get their kind from their cells (numbers; ids: no spaces;
    text). ``total`` and ``more`` are passed to :func:`table_text`.
    """
    names = [c.header if isinstance(c, Column) else c for c in columns]
    if fmt == "json":
        return json.dumps(
            [dict(zip(names, row, strict=False)) for row in rows], indent=2, ensure_ascii=False, default=str
        )
    if fmt == "csv":
        return write_csv([list(names), *([for_people(v) for v in row] for row in rows)]).removesuffix("\r\n")
    cols = [
        c if isinstance(c, Column) else Column(c, _kind([r[i] if i < len(r) else None for r in rows]))
        for i, c in enumerate(columns)
    ]
    return table_text(cols, [[for_people(v) for v in row] for row in rows], total=total, more=more)
