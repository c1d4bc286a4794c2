"""The exceptions of the library. Every user-facing error says what and where."""

from __future__ import annotations

from dataclasses import dataclass, field


class AiriskError(Exception):
    """Base class of every error raised by the ``graph`` library."""


@dataclass(frozen=True)
class Location:
    """Where a problem is: file, line and column (1-based), record and field."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.record:
            parts.append(f"record {self.record!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One validation finding."""

    message: str
    location: Location = field(default_factory=Location)
    severity: str = "error"  # "error" | "warning"
    hint: str | None = None
    check: str = ""

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class DataError(AiriskError):
    """Curated or imported data is malformed or inconsistent.

    ``problems`` lists every finding; ``str()`` gives the first with a count of the rest.
    """

    def __init__(self, problems: list[Problem] | Problem | str, location: Location | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, location or Location())]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        first = str(problems[0]) if problems else "invalid data"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first + more)


class QueryError(AiriskError):
    """A SPARQL query could not be parsed, was refused, or failed."""


class QueryRefused(QueryError):
    """A query was refused before running (update, LOAD, SERVICE, remote FROM)."""


class QueryTimeout(QueryError):
    """A query ran past its time limit."""


class StoreError(AiriskError):
    """The store (embedded or remote) could not be reached or answered with an error."""


class NotFound(AiriskError):
    """An entity, query or file that was asked for does not exist."""
