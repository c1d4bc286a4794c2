"""Text that leaves the project safely: spreadsheet cells, CSV files, visible control characters.

- :func:`safe_cell` is the one cell-escaping function: a text cell that a spreadsheet would read
  as a formula (it begins with ``= + - @``, a tab or a carriage return) gets a leading ``'``;
- :func:`write_csv` is the one CSV writer every CSV export uses (the CLI, the app's downloads,
  inventories, graph exports, the endpoint's CSV results): RFC 4180 with CRLF line ends, so a cell
  holding a line break of any kind (a bare CR included) is always quoted and cannot start a row;
- :func:`show_controls` makes bidirectional and other invisible control characters visible
  (``<U+202E>``), for HTML pages, the app and the terminal, so a name cannot hide or reorder text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Bidirectional embeddings, overrides, isolates and marks; zero-width and other invisible format
# characters; C0 and C1 controls other than tab, line feed and carriage return.
_CONTROLS = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def safe_cell(value: object) -> str:
    """Text for a spreadsheet cell that cannot be read as a formula (a ``'`` before a formula start).

    Numbers stay as they are (a negative number is data, not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(rows: Iterable[Sequence[object]], cell: Callable[[object], str] = safe_cell) -> str:
    """``rows`` as CSV text: every value through ``cell`` (default :func:`safe_cell`), CRLF line
    ends, and every cell with a comma, a quote or a line break (CR or LF) quoted."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue()


def plain_cell(value: object) -> str:
    """A cell's text exactly as it is (``None`` as empty): for formats whose values must round-trip."""
    return "" if value is None else str(value)


def show_controls(text: str) -> str:
    """``text`` with bidirectional and other invisible control characters written as ``<U+XXXX>``."""
    return _CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
