"""Import inventories and match their rows to the catalogue (see ``docs/coverage.md``, "Inventories").

An import either succeeds (with an :class:`ImportReport`) or raises :class:`~graph.core.errors.DataError`
listing every problem with its row, column and closest candidates; nothing is stored then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from graph.core.errors import DataError, Location, NotFound, Problem
from graph.core.labels import plural
from graph.index.data import CoverageData, Source, as_data
from graph.inventory import columns as cols
from graph.inventory.matcher import ACCEPT_SCORE, Matcher, matcher_for, resolve_tests
from graph.inventory.model import ENTRY_STATUSES, STATUS_SYNONYMS, InHouse, Inventory, InventoryEntry, normalise_column
from graph.inventory.tables import Table, read_table, unescape_cell
from graph.safeio.reading import reading

__all__ = ["ACCEPT_SCORE", "Matcher", "matcher_for", "resolve_tests"]  # re-exported from matcher.py

DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_SPLIT = re.compile(r"[;,|\s]+")
_TRUE = {"yes", "y", "true", "1", "x"}
#: What a person chose for a row an import could not match: a catalogue test method (its id)
#: or the targets of an in-house test.
Choice = str | InHouse


@dataclass
class ImportIssue:
    """One finding of an import: an error (the row is not usable), a warning or a note."""

    message: str
    severity: str = "error"
    row: int | None = None
    column: str | None = None
    value: str | None = None
    candidates: tuple[str, ...] = ()
    candidate_ids: tuple[str, ...] = ()  # the catalogue ids of ``candidates``, in the same order
    accepted: bool = False  # a suggestion or a choice was applied to this row

    def __str__(self) -> str:
        where = ", ".join(
            p for p in (f"row {self.row}" if self.row else "", f"column {self.column!r}" if self.column else "") if p
        )
        text = f"{where}: {self.message}" if where else self.message
        if self.candidates:
            text += f" (closest: {', '.join(self.candidates)})"
        return text


@dataclass
class ImportReport:
    """What an import read, matched and found."""

    file: str
    sheet: str | None = None
    encoding: str | None = None
    header_row: int = 1
    rows: int = 0
    entries: int = 0
    matched: int = 0
    custom: int = 0
    empty_rows: int = 0
    duplicates: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The report as lines of text."""
        head = (
            f"{self.file}: {plural(self.entries, 'entry')} ({plural(self.matched, 'catalogue test method')}, "
            f"{self.custom} custom), {plural(self.duplicates, 'duplicate')}, "
            f"{plural(self.empty_rows, 'empty row')} skipped"
        )
        return [head] + [f"{i.severity}: {i}" for i in self.issues]


# ---------------------------------------------------------------------------------- import


def load_inventory(
    path: str | Path,
    source: Source,
    name: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = True,
    accept_suggestions: bool = False,
    choices: dict[int, Choice] | None = None,
) -> tuple[Inventory, ImportReport]:
    """Read an inventory from a CSV or XLSX file and match its rows to the catalogue.

    ``accept_suggestions`` reads a name that matches nothing as its closest catalogue test
    method when the similarity is at least :data:`ACCEPT_SCORE` (reported as a note).
    ``choices`` (row number -> catalogue test id, or :class:`InHouse` targets) applies what a
    person picked for rows; the entries then hold the chosen id or targets, so that the
    inventory, exported or saved, reads the same way again.

    Raises
    ------
    DataError
        With ``strict`` (default), when any row has an error: every problem names the file, row,
        column and value, with the closest candidates. Nothing is changed anywhere.
    NotFound
        When the file does not exist.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"no such inventory file: {p}")
    return read_inventory_bytes(
        p.read_bytes(), p.name, source, name or p.stem, sheet, encoding, strict, str(p), accept_suggestions, choices
    )


def read_inventory_bytes(
    data: bytes,
    filename: str,
    source: Source,
    name: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = True,
    path: str | None = None,
    accept_suggestions: bool = False,
    choices: dict[int, Choice] | None = None,
) -> tuple[Inventory, ImportReport]:
    """Like :func:`load_inventory`, for the bytes of an uploaded file named ``filename``."""
    cov = as_data(source)
    table = read_table(data, filename, sheet, encoding)
    inv_name = name or Path(filename).stem
    with reading(table.name, "the inventory"):
        inv, report = _parse(table, cov, inv_name, accept_suggestions, choices or {})
    inv.source = path or filename
    if strict and report.errors:
        raise DataError([_problem(table.name, i, inv.columns) for i in report.errors])
    return inv, report


def _problem(file: str, issue: ImportIssue, columns: list[str]) -> Problem:
    col = columns.index(issue.column) + 1 if issue.column in columns else None
    hint = f"closest: {', '.join(issue.candidates)}" if issue.candidates else None
    return Problem(
        issue.message, Location(file, issue.row, col, issue.value, issue.column), hint=hint, check="inventory"
    )


def find_header(table: Table) -> tuple[int, list[str]]:
    """The position and cells of the header row (see :func:`graph.inventory.columns.find_header`)."""
    return cols.find_header(table.rows, table.name)


def _parse(
    table: Table, data: CoverageData, name: str, accept: bool = False, choices: dict[int, Choice] | None = None
) -> tuple[Inventory, ImportReport]:
    choices = choices or {}
    pos, header = find_header(table)
    header_row = table.rows[pos][0]
    report = ImportReport(table.name, table.sheet, table.encoding, header_row)
    columns = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    while columns and columns[-1].startswith("column ") and not header[len(columns) - 1].strip():
        columns.pop()
    if any(isinstance(c, InHouse) for c in choices.values()):
        for extra in ("risks", "capabilities", "method_type", "custom"):
            if extra not in {cols.role_of(c) for c in columns}:
                columns.append(extra)
    roles, rest = cols.assign_roles(columns)
    for col in columns:
        if cols.role_of(col) is None:
            report.issues.append(ImportIssue(f"column {col!r} is kept but not used", "info"))
    for col, role in rest:
        if role == "test_method":
            msg = f"column {col!r} is kept but not used (the test methods are read from {roles[role]!r})"
            report.issues.append(ImportIssue(msg, "info"))
        else:
            report.issues.append(
                ImportIssue(f"columns {roles[role]!r} and {col!r} both give {role}", "error", header_row, col)
            )
    seen_cols = [normalise_column(c) for c in columns]
    for c in {c for c in seen_cols if seen_cols.count(c) > 1}:
        report.issues.append(ImportIssue(f"column {c!r} appears more than once", "error", header_row))
    preamble = [cells for _, cells in table.rows[:pos] if any(x.strip() for x in cells)]
    if preamble:
        report.issues.append(
            ImportIssue(f"{len(preamble)} title row(s) above the header row {header_row} kept as title rows", "info")
        )
    for w_row, w_col, msg in table.warnings:
        report.issues.append(ImportIssue(msg, "warning", w_row, w_col))
    inv = Inventory(name, [], columns, preamble, sheet=table.sheet)
    m = matcher_for(data)
    seen: dict[str, int] = {}
    for row_no, cells in table.rows[pos + 1 :]:
        values = [unescape_cell(c.strip()) for c in cells]
        if not any(values):
            report.empty_rows += 1
            continue
        report.rows += 1
        if len(values) > len(columns) and any(values[len(columns) :]):
            report.issues.append(
                ImportIssue(f"the row has values beyond the last column ({len(columns)} columns)", "error", row_no)
            )
            continue
        formula_errors = [(c, msg) for (r, c), msg in table.formula_cells.items() if r == row_no]
        for c_idx, msg in formula_errors:
            f_col = columns[c_idx - 1] if c_idx - 1 < len(columns) else None
            report.issues.append(ImportIssue(msg, "error", row_no, f_col, candidates=("paste values only, then save",)))
        if formula_errors:
            continue
        cells_by_col = {col: (values[i] if i < len(values) else "") for i, col in enumerate(columns)}
        _apply_choice(cells_by_col, roles, row_no, data, m, report, choices.get(row_no), accept)
        entry = _entry(cells_by_col, roles, row_no, data, m, report)
        if entry is None:
            continue
        first = seen.get(entry.key)
        if first is not None:
            report.duplicates += 1
            report.issues.append(
                ImportIssue(
                    f"{entry.test_method!r} repeats row {first}; it counts once",
                    "warning",
                    row_no,
                    roles.get("test_method"),
                    entry.test_method,
                )
            )
        else:
            seen[entry.key] = row_no
        inv.entries.append(entry)
    report.entries = len(inv.entries)
    report.matched = sum(1 for e in inv.entries if not e.custom)
    report.custom = sum(1 for e in inv.entries if e.custom)
    if not inv.entries and not report.errors:
        report.issues.append(ImportIssue("the inventory has no entries", "warning"))
    return inv, report


def _apply_choice(
    cells: dict[str, str],
    roles: dict[str, str],
    row: int,
    data: CoverageData,
    m: Matcher,
    report: ImportReport,
    choice: Choice | None,
    accept: bool,
) -> None:
    """Rewrite a row's cells by what a person chose (or, with ``accept``, by a near-certain
    suggestion), so that the entry and its export hold the choice."""
    col = roles["test_method"]
    text = cells.get(col, "")
    if not text:
        return
    if isinstance(choice, InHouse):
        for role, value in (
            ("risks", "; ".join(choice.risks)),
            ("capabilities", "; ".join(choice.capabilities)),
            ("method_type", choice.method_type or ""),
            ("custom", "yes"),
        ):
            cells[roles[role]] = value
        msg = f"{text!r} read as an in-house test with the risks and capabilities picked for it"
        report.issues.append(ImportIssue(msg, "info", row, col, text, accepted=True))
        return
    target = choice
    if target is None:
        targets = any(cells.get(roles[r], "") for r in ("risks", "capabilities", "custom") if r in roles)
        if not accept or targets or m.match(text)[1] != "none":
            return
        target = m.suggestion(text)
        if target is None:
            return
    iri = m.exact.get(target.casefold())
    if not iri or len(iri) != 1:
        report.issues.append(ImportIssue(f"{target!r} chosen for row {row} is no catalogue test method", "error", row))
        return
    cells[col] = data.tests[next(iter(iri))].id
    how = "as chosen" if choice is not None else "the closest test method, accepted"
    report.issues.append(
        ImportIssue(f"{text!r} read as {m.display(next(iter(iri)))} ({how})", "info", row, col, text, accepted=True)
    )


def _entry(
    cells: dict[str, str], roles: dict[str, str], row: int, data: CoverageData, m: Matcher, report: ImportReport
) -> InventoryEntry | None:
    col = roles["test_method"]
    text = cells.get(col, "")
    errors_before = len(report.errors)

    def err(message: str, column: str | None, value: str | None = None, cands: tuple[str, ...] = ()) -> None:
        ids = m.closest_ids(value or "") if cands and column == col else ()
        report.issues.append(
            ImportIssue(message, "error", row, column, value, cands, ids if len(ids) == len(cands) else ())
        )

    if not text:
        err("the test method is empty", col)
        return None
    get = {role: cells.get(c, "") for role, c in roles.items()}
    status = None
    if get.get("status"):
        status = STATUS_SYNONYMS.get(get["status"].strip().lower())
        if status is None:
            err(f"status {get['status']!r} is not one of {', '.join(ENTRY_STATUSES)}", roles["status"], get["status"])
    date = get.get("date") or None
    if date and not DATE_RE.match(date):
        err(f"{date!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD", roles["date"], date)
    risks = tuple(x for x in _SPLIT.split(get.get("risks", "")) if x)
    caps = tuple(x for x in _SPLIT.split(get.get("capabilities", "")) if x)
    method_type = get.get("method_type") or None
    custom_flag = get.get("custom", "").strip().lower() in _TRUE
    entry = InventoryEntry(text, row, status=status, date=date, notes=get.get("notes") or None, cells=cells)
    iri, how, cands = (None, "custom", ()) if custom_flag else m.match(text)
    if iri is not None:
        t = data.tests[iri]
        entry.test_iri, entry.test_id, entry.name, entry.matched_by = iri, t.id, t.label, how
        entry.method_type = t.method_type
        if risks or caps or method_type:
            report.issues.append(
                ImportIssue(
                    f"{text!r} is the catalogue test method {t.id}: its risks, capabilities "
                    "and method type come from the catalogue (mark the row custom to give "
                    "your own)",
                    "warning",
                    row,
                    col,
                    text,
                )
            )
        if how == "loose":
            report.issues.append(ImportIssue(f"{text!r} read as {m.display(iri)}", "info", row, col, text))
    elif how == "ambiguous":
        err(f"{text!r} matches several test methods", col, text, cands)
    elif not (risks or caps or custom_flag):
        extra = "; for a custom test, give the risks or capabilities it targets"
        err(f"{text!r} matches no test method in the catalogue{extra}", col, text, cands)
    else:
        entry.custom, entry.name, entry.matched_by = True, text, "custom"
        _custom_targets(entry, risks, caps, method_type, roles, data, err)
        if not custom_flag:
            report.issues.append(
                ImportIssue(f"{text!r} is not in the catalogue: read as a custom test", "info", row, col, text)
            )
    return entry if len(report.errors) == errors_before else None


def _custom_targets(
    entry: InventoryEntry,
    risks: tuple[str, ...],
    caps: tuple[str, ...],
    method_type: str | None,
    roles: dict[str, str],
    data: CoverageData,
    err: object,
) -> None:
    assert callable(err)
    by_curie = {k.casefold(): k for k in data.by_curie()}
    good_risks = []
    for r in risks:
        hit = by_curie.get(r.casefold())
        if hit is None:
            close = tuple(c for c, _s, _ in process.extract(r, list(data.by_curie()), scorer=fuzz.ratio, limit=3))
            err(f"unknown risk {r!r} (write a CURIE such as mit:4.2)", roles.get("risks"), r, close)
        else:
            good_risks.append(hit)
    cap_ids = {k.casefold(): k for k in data.capability_by_id()}
    good_caps = []
    for c in caps:
        hit = cap_ids.get(c.casefold())
        if hit is None:
            close = tuple(
                x for x, _s, _ in process.extract(c, list(data.capability_by_id()), scorer=fuzz.ratio, limit=3)
            )
            err(f"unknown capability {c!r}", roles.get("capabilities"), c, close)
        else:
            good_caps.append(hit)
    if not risks and not caps:
        err("a custom test needs the risks or capabilities it targets", roles.get("risks") or roles.get("custom"))
    if method_type:
        if method_type not in data.method_types:
            close = tuple(x for x, _s, _ in process.extract(method_type, list(data.method_types), limit=3))
            err(f"unknown method type {method_type!r}", roles.get("method_type"), method_type, close)
        else:
            entry.method_type = method_type
    entry.risks, entry.capabilities = tuple(good_risks), tuple(good_caps)


# ---------------------------------------------------------------------------------- build and export


def inventory_from_tests(
    source: Source, tests: Iterable[str], name: str = "scenario", status: str | None = None
) -> Inventory:
    """An inventory of catalogue test methods given by id, IRI, name or alias."""
    data = as_data(source)
    inv = Inventory(name)
    for iri in resolve_tests(data, tests):
        t = data.tests[iri]
        cells = {"test_method": t.id, "status": status or "", "date": "", "notes": ""}
        inv.entries.append(
            InventoryEntry(t.id, 0, iri, t.id, t.label, status, matched_by="id", cells=cells, method_type=t.method_type)
        )
    return inv
