"""Read and write the tables of inventories: CSV (any delimiter, checked encoding) and XLSX.

Cells are written so that no spreadsheet reads them as a formula (:func:`escape_cell` puts a
``'`` before a leading ``= + - @``, tab or CR, as :func:`graph.safeio.text.safe_cell` does, and also
before a value that already starts with quotes followed by one of those, so that
:func:`unescape_cell` restores every value exactly: exports round-trip without loss).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from graph.core.errors import DataError, Location, Problem
from graph.safeio.reading import Cursor, reading
from graph.safeio.text import safe_cell
from graph.safeio.text import write_csv as csv_text

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_HEADER_SCAN = 20


def escape_cell(value: object) -> str:
    """Text for a cell that no spreadsheet reads as a formula, and that :func:`unescape_cell` restores."""
    text = "" if value is None else str(value)
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return "'" + text
    return safe_cell(text)


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell`."""
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


@dataclass
class Table:
    """The rows of one sheet or CSV file as text, with their 1-based row numbers."""

    name: str  # the file name as shown in messages (with the sheet for XLSX)
    rows: list[tuple[int, list[str]]]
    encoding: str | None = None
    sheet: str | None = None
    warnings: list[tuple[int | None, str | None, str]] = field(default_factory=list)  # (row, column, message)
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula text


def read_table(
    data: bytes, filename: str, sheet: str | None = None, encoding: str | None = None, header: str = "test_method"
) -> Table:
    """Read ``data`` (the bytes of ``filename``) into a :class:`Table`.

    ``.xlsx``/``.xlsm`` files are read with openpyxl (the first sheet with a ``header`` column,
    or ``sheet``); anything else as delimited text (comma, semicolon or tab, sniffed). Every
    failure is a :class:`DataError` naming the file and, where known, the row and column.
    """
    cursor = Cursor()
    with reading(filename, "the table", cursor, data):
        return _read(data, filename, sheet, encoding, header, cursor)


def _read(data: bytes, filename: str, sheet: str | None, encoding: str | None, header: str, cursor: Cursor) -> Table:
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, filename, sheet, header, cursor)
    if lower.endswith(".xls"):
        raise DataError(
            Problem(
                "old Excel .xls files cannot be read", Location(filename), hint="save the file as .xlsx or as CSV UTF-8"
            )
        )
    if sheet:
        raise DataError(Problem("a sheet applies to .xlsx files only", Location(filename)))
    return _read_csv(data, filename, encoding, cursor)


def _decode(data: bytes, filename: str, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise DataError(Problem(f"unknown encoding {encoding!r}", Location(filename))) from None
        except UnicodeDecodeError as exc:
            raise DataError(_bad_bytes(data, filename, exc, encoding)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(_bad_bytes(data, filename, exc, "UTF-16 (as its byte-order mark says)")) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        raise DataError(_bad_bytes(data, filename, exc, "UTF-8")) from None


def _bad_bytes(data: bytes, filename: str, exc: UnicodeDecodeError, encoding: str) -> Problem:
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    byte = data[exc.start : exc.start + 1].hex()
    return Problem(
        f"the file is not {encoding}: byte 0x{byte} cannot be decoded",
        Location(filename, line, column),
        hint="save it as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8), or give its encoding, e.g. --encoding cp1252",
        check="encoding",
    )


def _read_csv(data: bytes, filename: str, encoding: str | None, cursor: Cursor) -> Table:
    text, used = _decode(data, filename, encoding)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DataError(Problem("the file contains NUL characters: it is not a text table", Location(filename, line)))
    if not text.strip():
        raise DataError(Problem("the file is empty", Location(filename)))
    if filename.lower().endswith(".tsv"):
        delimiter = "\t"
    else:
        sample_lines = [ln for ln in text.splitlines()[:MAX_HEADER_SCAN] if ln.strip()]
        counts = {d: sum(ln.count(d) for ln in sample_lines) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for n, row in enumerate(reader, 1):
            cursor.line = reader.line_num
            rows.append((n, [cell for cell in row]))
    except csv.Error as exc:
        raise DataError(Problem(f"cannot read the CSV: {exc}", Location(filename, reader.line_num))) from None
    return Table(filename, rows, used)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, filename: str, sheet: str | None, header: str, cursor: Cursor) -> Table:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
        wb_values = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DataError(
            Problem(
                f"not a readable .xlsx workbook ({type(exc).__name__})",
                Location(filename),
                hint="save it from Excel or LibreOffice as .xlsx, or as CSV UTF-8",
            )
        ) from None
    names = wb.sheetnames
    if sheet is not None:
        if sheet not in names:
            raise DataError(Problem(f"no sheet named {sheet!r} (sheets: {', '.join(names)})", Location(filename)))
        chosen = sheet
    else:
        chosen = ""
        for name in names:
            for row in wb[name].iter_rows(min_row=1, max_row=MAX_HEADER_SCAN, values_only=True):
                if any(isinstance(v, str) and _norm(v) == header for v in row):
                    chosen = name
                    break
            if chosen:
                break
        if not chosen:
            raise DataError(
                Problem(
                    f"no sheet has a column headed {header!r} (sheets: {', '.join(names)})",
                    Location(filename),
                    hint=f"put {header} in the first row of the sheet",
                )
            )
    ws, ws_values = wb[chosen], wb_values[chosen]
    shown = f"{filename} (sheet {chosen!r})"
    table = Table(shown, [], None, chosen)
    for r_idx, (row, row_values) in enumerate(
        zip(ws.iter_rows(), ws_values.iter_rows(values_only=True), strict=False), 1
    ):
        texts: list[str] = []
        cursor.line = r_idx
        for c_idx, cell in enumerate(row, 1):
            cursor.column = c_idx
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=") and cell.data_type != "s"):
                cached = row_values[c_idx - 1] if c_idx - 1 < len(row_values) else None
                ref = f"{get_column_letter(c_idx)}{r_idx}"
                table.formula_cells[(r_idx, c_idx)] = f"cell {ref} holds the formula {str(value)!r}"
                texts.append(_cell_text(cached) if cached is not None else "")
                if cached is None:
                    table.formula_cells[(r_idx, c_idx)] += " and no stored value"
                else:
                    table.warnings.append(
                        (
                            r_idx,
                            None,
                            f"cell {ref}: the formula {str(value)!r} was replaced by "
                            f"its stored value {_cell_text(cached)!r}",
                        )
                    )
                    del table.formula_cells[(r_idx, c_idx)]
            else:
                texts.append(_cell_text(value))
        table.rows.append((r_idx, texts))
    return table


def _norm(text: str) -> str:
    import re

    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def write_csv(rows: list[list[str]]) -> str:
    """Rows as CSV text, every cell escaped with :func:`escape_cell`."""
    return csv_text(rows, cell=escape_cell)


def write_xlsx(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per ``(title, rows)``; text cells escaped, never formulas."""
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for title, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = title[:31]
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.value = value
                else:  # XML keeps no bare CR: write line breaks as LF before escaping
                    cell.value = escape_cell(str(value).replace("\r\n", "\n").replace("\r", "\n"))
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
