"""Reading XLSX workbooks safely: zip-bomb and size limits, sheets, header rows and cells.

Every failure is a :class:`~graph.core.errors.DataError` naming the file, sheet, row and column.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

from graph.core.errors import DataError, Location
from graph.importers.common import MAX_TEXT_CHARS, clean_text, sniff

MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_UNZIPPED = 512 * 1024 * 1024
MAX_RATIO = 200
#: Longest text accepted in one cell. Excel stores at most 32,767 characters in a cell (and openpyxl
#: cuts longer text to that length when reading), so a longer cell cannot be read faithfully.
MAX_CELL_CHARS = min(MAX_TEXT_CHARS, 32_000)

#: normalised header -> our column key


def norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower()) if value is not None else ""


def column_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Sheet:
    """One sheet being read: its name, the file's display name, and the header it has."""

    file: str
    name: str
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # key -> 0-based index
    headers: list[str] = field(default_factory=list)

    def where(self, row: int, key: str | None = None, col: int | None = None) -> Location:
        index = self.columns.get(key, -1) if key else (col if col is not None else -1)
        column = f", column {column_letter(index + 1)}" if index >= 0 else ""
        header = self.headers[index] if 0 <= index < len(self.headers) else None
        return Location(f"{self.file}: sheet '{self.name}', row {row}{column}", field=header)


def open_workbook(data: bytes, shown: str) -> Any:
    kind = sniff(data)
    where = Location(shown)
    if kind == "ole":
        raise DataError("an old-format (.xls) or password-protected workbook; save it as .xlsx", where)
    if kind != "zip":
        raise DataError("not an XLSX workbook (an XLSX file is a zip archive; this is not one)", where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(f"not a readable XLSX workbook: damaged or truncated zip ({exc})", where) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        listed = ", ".join(sorted(names)[:5]) or "nothing"
        raise DataError(f"a zip archive but not an XLSX workbook (no xl/workbook.xml; it holds {listed})", where)
    if len(infos) > 10_000:
        raise DataError(f"the workbook holds too many parts ({len(infos)})", where)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_UNZIPPED or total > MAX_UNZIPPED:
            raise DataError(f"the workbook unpacks to more than {MAX_UNZIPPED} bytes (a zip bomb?)", where)
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1_000_000:
            raise DataError(
                f"part {info.filename} is compressed {info.file_size // info.compress_size}:1 (a zip bomb?)", where
            )
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged workbook
        raise DataError(f"cannot read the workbook ({describe_error(exc)})", where) from None


def describe_error(exc: BaseException) -> str:
    """One line naming an exception and its cause (defusedxml's EntitiesForbidden, say)."""
    text = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        text += f"; caused by {type(cause).__name__}: {' '.join(str(cause).split())}"
    return text[:500]


def sheet_rows(ws: Any, sheet: Sheet, min_row: int = 1, max_row: int | None = None) -> Any:
    """Rows as lists of values, with the hostile-input limits applied to every cell."""
    try:
        for r, row in enumerate(ws.iter_rows(min_row=min_row, max_row=max_row, values_only=True), start=min_row):
            if r > MAX_ROWS:
                raise DataError(f"the sheet has more than {MAX_ROWS} rows", sheet.where(r))
            if len(row) > MAX_COLUMNS:
                raise DataError(f"the row has more than {MAX_COLUMNS} columns", sheet.where(r))
            for c, value in enumerate(row):
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    raise DataError(
                        f"cell text is too long: {len(value)} characters (limit {MAX_CELL_CHARS})",
                        sheet.where(r, col=c),
                    )
            yield r, list(row)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"cannot read the sheet ({describe_error(exc)})", sheet.where(min_row)) from None


def find_header(ws: Any, sheet: Sheet, wanted: dict[str, str], required: tuple[str, ...]) -> bool:
    for r, row in sheet_rows(ws, sheet, 1, 25):
        keys = {norm(v): i for i, v in enumerate(row) if v is not None}
        if all(any(wanted.get(k) == req for k in keys) for req in required):
            sheet.header_row = r
            sheet.headers = ["" if v is None else str(v).strip() for v in row]
            sheet.columns = {wanted[k]: i for k, i in keys.items() if k in wanted}
            return True
    return False


def cell(row: list[Any], sheet: Sheet, key: str) -> Any:
    i = sheet.columns.get(key)
    return row[i] if i is not None and i < len(row) else None


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(str(value))
    return text or None
