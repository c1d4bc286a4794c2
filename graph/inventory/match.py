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
from graph.index.data import CoverageData, Source, as_data
from graph.inventory.model import (
    COLUMN_ALIASES,
    ENTRY_STATUSES,
    STATUS_SYNONYMS,
    Inventory,
    InventoryEntry,
    normalise_column,
)
from graph.inventory.tables import Table, read_table, unescape_cell
from graph.safeio.reading import reading

DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_SPLIT = re.compile(r"[;,|\s]+")
_TRUE = {"yes", "y", "true", "1", "x"}


@dataclass
class ImportIssue:
    """One finding of an import: an error (the row is not usable), a warning or a note."""

    message: str
    severity: str = "error"
    row: int | None = None
    column: str | None = None
    value: str | None = None
    candidates: tuple[str, ...] = ()

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
            f"{self.file}: {self.entries} entries ({self.matched} catalogue test methods, {self.custom} custom), "
            f"{self.duplicates} duplicates, {self.empty_rows} empty rows skipped"
        )
        return [head] + [f"{i.severity}: {i}" for i in self.issues]


# ---------------------------------------------------------------------------------- matching


class Matcher:
    """Finds catalogue test methods by id, IRI, CURIE, name, alias or Inspect task, ignoring case."""

    def __init__(self, data: CoverageData):
        data.load_aliases()
        self.data = data
        self.exact: dict[str, dict[str, str]] = {}  # key -> {test iri: how}
        self.loose: dict[str, set[str]] = {}
        self.choices: dict[str, set[str]] = {}
        for iri, t in data.tests.items():
            keys = [(t.id, "id"), (iri, "iri"), (f"test:{t.id}", "curie"), (t.label, "name")]
            keys += [(a, "alias") for a in t.aliases]
            for text, how in keys:
                k = text.strip().casefold()
                self.exact.setdefault(k, {}).setdefault(iri, how)
                self.loose.setdefault(_loose(text), set()).add(iri)
                if how in ("id", "name", "alias"):
                    self.choices.setdefault(text, set()).add(iri)

    def display(self, iri: str) -> str:
        t = self.data.tests[iri]
        return f"{t.label} ({t.id})" if t.label != t.id else t.id

    def closest(self, text: str, n: int = 3) -> tuple[str, ...]:
        found: list[str] = []
        for choice, _score, _ in process.extract(text, list(self.choices), scorer=fuzz.WRatio, limit=12):
            for iri in sorted(self.choices[choice]):
                label = self.display(iri)
                if label not in found and _score >= 50:
                    found.append(label)
        return tuple(found[:n])

    def match(self, text: str) -> tuple[str | None, str, tuple[str, ...]]:
        """Return ``(test IRI or None, how, candidates)``; ``how`` is ``ambiguous`` or ``none`` on failure."""
        raw = text.strip().strip("<>")
        hits = self.exact.get(raw.casefold())
        if hits and len(hits) == 1:
            iri, how = next(iter(hits.items()))
            return iri, how, ()
        if hits:
            return None, "ambiguous", tuple(self.display(i) for i in sorted(hits))
        loose = self.loose.get(_loose(raw))
        if loose and len(loose) == 1:
            return next(iter(loose)), "loose", ()
        if loose:
            return None, "ambiguous", tuple(self.display(i) for i in sorted(loose))
        return None, "none", self.closest(raw)


def _loose(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def matcher_for(data: CoverageData) -> Matcher:
    m = data.cache.get("matcher")
    if not isinstance(m, Matcher):
        m = Matcher(data)
        data.cache["matcher"] = m
    return m


def resolve_tests(source: Source, names: Iterable[str]) -> list[str]:
    """Test-method IRIs for ids / names / aliases; raise DataError naming each unknown one."""
    data = as_data(source)
    m = matcher_for(data)
    out: list[str] = []
    problems: list[Problem] = []
    for name in names:
        iri, how, cands = m.match(name)
        if iri is None:
            what = "matches several test methods" if how == "ambiguous" else "matches no test method"
            hint = f"closest: {', '.join(cands)}" if cands else None
            problems.append(Problem(f"{name!r} {what}", Location(record=name), hint=hint))
        elif iri not in out:
            out.append(iri)
    if problems:
        raise DataError(problems)
    return out


# ---------------------------------------------------------------------------------- import


def load_inventory(
    path: str | Path,
    source: Source,
    name: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = True,
) -> tuple[Inventory, ImportReport]:
    """Read an inventory from a CSV or XLSX file and match its rows to the catalogue.

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
    with reading(str(p), "the inventory"):
        data = p.read_bytes()
    return read_inventory_bytes(data, p.name, source, name or p.stem, sheet, encoding, strict, str(p))


def read_inventory_bytes(
    data: bytes,
    filename: str,
    source: Source,
    name: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = True,
    path: str | None = None,
) -> tuple[Inventory, ImportReport]:
    """Like :func:`load_inventory`, for the bytes of an uploaded file named ``filename``."""
    cov = as_data(source)
    table = read_table(data, filename, sheet, encoding)
    inv_name = name or Path(filename).stem
    with reading(table.name, "the inventory"):
        inv, report = _parse(table, cov, inv_name)
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
    for pos, (_, cells) in enumerate(table.rows[:20]):
        if any(normalise_column(c) in ("test_method", "testmethod") for c in cells):
            return pos, cells
    first = next((cells for _, cells in table.rows if any(c.strip() for c in cells)), [])
    import difflib

    shown = ", ".join(repr(c) for c in first[:6])
    close = difflib.get_close_matches("test_method", [normalise_column(c) for c in first], n=1, cutoff=0.5)
    hint = (
        f"rename the column {close[0]!r} to test_method"
        if close
        else "the smallest valid file is a CSV with one column headed test_method"
    )
    raise DataError(
        Problem(
            f"no column headed 'test_method' (first row: {shown or 'empty'})",
            Location(table.name, 1),
            hint=hint,
            check="inventory",
        )
    )


def _parse(table: Table, data: CoverageData, name: str) -> tuple[Inventory, ImportReport]:
    pos, header = find_header(table)
    header_row = table.rows[pos][0]
    report = ImportReport(table.name, table.sheet, table.encoding, header_row)
    columns = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    while columns and columns[-1].startswith("column ") and not header[len(columns) - 1].strip():
        columns.pop()
    roles: dict[str, str] = {}
    for col in columns:
        role = COLUMN_ALIASES.get(normalise_column(col))
        if role is None:
            report.issues.append(ImportIssue(f"column {col!r} is kept but not used", "info"))
        elif role in roles:
            report.issues.append(
                ImportIssue(f"columns {roles[role]!r} and {col!r} both give {role}", "error", header_row, col)
            )
        else:
            roles[role] = col
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


def _entry(
    cells: dict[str, str], roles: dict[str, str], row: int, data: CoverageData, m: Matcher, report: ImportReport
) -> InventoryEntry | None:
    col = roles["test_method"]
    text = cells.get(col, "")
    errors_before = len(report.errors)

    def err(message: str, column: str | None, value: str | None = None, cands: tuple[str, ...] = ()) -> None:
        report.issues.append(ImportIssue(message, "error", row, column, value, cands))

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
