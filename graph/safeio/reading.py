"""One boundary for every reader of a user's file: any failure becomes a :class:`DataError`.

Readers (inventories in CSV/TSV/XLSX, every importer) parse files with libraries (csv, openpyxl,
zipfile, the XML and YAML parsers) that raise their own exceptions for hostile or broken input.
:func:`reading` turns every one of them into the project's own error, naming the file and, as
far as it is known, the line (or row) and column: from the exception itself (a parser's mark or
position, the byte offset of an undecodable character) or from the :class:`Cursor` the reader
keeps up to date while it walks rows and cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from graph.core.errors import AiriskError, DataError, Location, Problem


@dataclass
class Cursor:
    """Where a reader is in its file (1-based line or row, column), kept up to date as it reads."""

    line: int | None = None
    column: int | None = None


def position_of(exc: BaseException, data: bytes | None = None) -> tuple[int | None, int | None]:
    """The (line, column) an exception points at, when it carries one."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None and hasattr(mark, "line"):  # YAML
        return int(mark.line) + 1, int(mark.column) + 1
    position = getattr(exc, "position", None)  # xml.etree ParseError: (line, column 0-based)
    if isinstance(position, tuple) and len(position) == 2:
        return int(position[0]), int(position[1]) + 1
    lineno, colno = getattr(exc, "lineno", None), getattr(exc, "colno", None)  # json
    if isinstance(lineno, int):
        return lineno, colno if isinstance(colno, int) else None
    if isinstance(exc, UnicodeDecodeError) and data is not None:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        return line, start - (data.rfind(b"\n", 0, start) + 1) + 1
    return None, None


def describe(exc: BaseException) -> str:
    """A one-line description of a library's exception, without paths from this machine."""
    if isinstance(exc, MemoryError):
        return "the file needs more memory to read than is available"
    if isinstance(exc, RecursionError):
        return "the file is nested too deeply to read"
    text = " ".join(str(exc).split())[:300]
    kind = type(exc).__name__
    return f"{kind}: {text}" if text else kind


@contextmanager
def reading(
    file: str, what: str = "the file", cursor: Cursor | None = None, data: bytes | None = None
) -> Iterator[None]:
    """Run a reader; any exception but the project's own becomes one :class:`DataError` about ``file``.

    ``what`` names what is read (``"the inventory"``, ``"the MITRE ATLAS file"``); ``cursor``, if
    the reader keeps one, and ``data`` (the file's bytes) help to say where.
    """
    try:
        yield
    except AiriskError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except Exception as exc:  # the boundary: every library exception on hostile input ends here
        line, column = position_of(exc, data)
        if line is None and cursor is not None:
            line, column = cursor.line, cursor.column
        raise DataError(
            Problem(f"cannot read {what}: {describe(exc)}", Location(file, line, column), check="read")
        ) from None
