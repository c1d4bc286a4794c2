"""The MIT AI Risk Repository workbook (the XLSX as downloaded from airisk.mit.edu).

Each coded risk entry of the "AI Risk Database" sheet becomes an ``ar:RiskEntry`` linked
(``ar:classifiedAs``, a claim with evidence) to its domain and sub-domain in the curated ``mit``
taxonomy and to its causal codes in ``mit-causal`` (entity, intent, timing), and to the source
document it was extracted from (an ``ar:Source`` built from the "Included resources" sheet).

The workbook is read as it is: title rows above the header are skipped (the header row is found by
its column names), formula cells give their cached value (a formula without one is reported), and
codes are read from inside text such as ``6.5 > Governance failure`` or ``2 - Post-deployment``.
Whatever cannot be read is reported by sheet, row and column; it never stops the rest.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from graph.core.errors import DataError, Location
from graph.core.namespaces import IMPORT_PREFIXES, risk_iri
from graph.importers.common import (
    C,
    ImportResult,
    P,
    Problems,
    SourceInfo,
    Triples,
    ar,
    clean_text,
    date_lit,
    iri,
    lit,
    mint,
    read_file,
    sha256,
    source_record,
    url_term,
)
from graph.importers.context import Context
from graph.importers.workbook import Sheet, cell, cell_text, column_letter, find_header, norm, open_workbook, sheet_rows

KIND = "mit"
COLUMNS = {
    "evid": "ev_id",
    "paperid": "paper_id",
    "title": "title",
    "quickref": "quickref",
    "categorylevel": "level",
    "riskcategory": "category",
    "risksubcategory": "subcategory",
    "description": "description",
    "entity": "entity",
    "intent": "intent",
    "timing": "timing",
    "domain": "domain",
    "subdomain": "subdomain",
}
REQUIRED = ("ev_id", "entity", "intent", "timing", "domain", "subdomain")
CAUSAL = ("entity", "intent", "timing")


def _meta(wb: Any, shown: str) -> tuple[str, str, str, str]:
    """Version (from "Updated: 26 March 2025"), licence, its basis, and the citation the workbook asks for."""
    version, licence, basis, cite = "", "", "", ""
    for ws in wb.worksheets[:4]:
        sheet = Sheet(shown, ws.title)
        for _r, row in sheet_rows(ws, sheet, 1, 60):
            for v in row:
                if not isinstance(v, str):
                    continue
                m = re.search(r"Updated:\s*(\d{1,2} \w+ \d{4})", v)
                if m and not version:
                    try:
                        version = datetime.strptime(m.group(1), "%d %B %Y").date().isoformat()
                    except ValueError:
                        version = m.group(1)
                m = re.search(r"licensed under (CC[ -]BY[ -](\d\.\d))", v, re.IGNORECASE)
                if m and not licence:
                    licence, basis = f"CC-BY-{m.group(2)}", f"stated on sheet '{ws.title}' of the workbook"
                if "Cite as:" in v and not cite:
                    cite = clean_text(v.split("Cite as:", 1)[1])
    return version, licence, basis, cite


def _papers(wb: Any, shown: str, problems: Problems) -> dict[str, dict[str, str]]:
    """Paper metadata from the "Included resources" sheet, by Paper_ID."""
    wanted = {
        "paperid": "paper_id",
        "quickref": "quickref",
        "title": "title",
        "authorsfull": "authors",
        "year": "year",
        "doi": "doi",
        "url": "url",
        "itemtype": "item_type",
    }
    out: dict[str, dict[str, str]] = {}
    for ws in wb.worksheets:
        if "included" not in ws.title.lower():
            continue
        sheet = Sheet(shown, ws.title)
        if not find_header(ws, sheet, wanted, ("paper_id", "title")):
            problems.warn(
                "no header row with Paper_ID and Title; paper metadata not read",
                Location(f"{shown}: sheet '{ws.title}'"),
            )
            return out
        for _r, row in sheet_rows(ws, sheet, sheet.header_row + 1):
            pid = _paper_id(cell(row, sheet, "paper_id"))
            if pid:
                out[pid] = {k: t for k in wanted.values() if (t := cell_text(cell(row, sheet, k)))}
    return out


def _paper_id(value: Any) -> str | None:
    if isinstance(value, (int, float)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value.strip()))
    return None


_DOMAIN = re.compile(r"^\s*(\d+)\s*[.)]?(\s|$)")
_SUBDOMAIN = re.compile(r"^\s*(\d+)\.(\d+)(?!\d)")
_CAUSAL = re.compile(r"^\s*(\d+)\s*(?:[-\u2013\u2014:.)]\s*)?(.*)$", re.DOTALL)


def import_mit_workbook(path: Path, name: str, ctx: Context, display: str | None = None) -> ImportResult:
    """Read the MIT AI Risk Repository workbook into the named graph ``import/{name}``."""
    shown = display or path.name
    data = read_file(path, "an XLSX workbook")
    wb = open_workbook(data, shown)
    try:
        return _read(wb, path, data, name, ctx, shown)
    finally:
        wb.close()


def _read(wb: Any, path: Path, data: bytes, name: str, ctx: Context, shown: str) -> ImportResult:
    problems = Problems()
    candidates = sorted(
        wb.worksheets, key=lambda ws: ("database" not in ws.title.lower(), "explainer" in ws.title.lower())
    )
    sheet = None
    for ws in candidates:
        s = Sheet(shown, ws.title)
        if find_header(ws, s, COLUMNS, REQUIRED):
            sheet, db = s, ws
            break
    if sheet is None:
        titles = ", ".join(repr(ws.title) for ws in wb.worksheets[:12])
        raise DataError(
            "no sheet has the AI Risk Database header row (Ev_ID, Entity, Intent, Timing, Domain, Sub-domain); "
            f"sheets: {titles}",
            Location(shown),
        )
    if "mit" not in ctx.schemes or "mit-causal" not in ctx.schemes:
        raise DataError(
            "the curated data has no 'mit' and 'mit-causal' taxonomies to link the entries to", Location(shown)
        )
    version, licence, basis, cite = _meta(wb, shown)
    papers = _papers(wb, shown, problems)
    info = SourceInfo(
        title=f"MIT AI Risk Repository, AI Risk Database ({version or 'version unknown'})",
        publisher="MIT AI Risk Initiative (MIT FutureTech)",
        version=version or "unknown",
        licence=licence or "CC-BY-4.0",
        attribution=cite or "Slattery et al., The AI Risk Repository, MIT AI Risk Initiative, https://airisk.mit.edu",
        url="https://airisk.mit.edu",
        file=path.name,
        file_sha256=sha256(data),
        file_bytes=len(data),
        licence_basis=basis or "the repository's published licence (the workbook states none)",
    )
    t = Triples(name)
    source_record(t, info)
    counts = {
        k: 0
        for k in (
            "risk entries",
            "with a domain",
            "with a sub-domain",
            "excluded from the domain taxonomy",
            "causal codes",
            "source documents",
            "additional-evidence rows (not imported)",
            "rows not read",
        )
    }
    entries: dict[str, tuple[int, list[Any]]] = {}
    first_row: dict[str, int] = {}
    paper_titles: dict[str, str] = {}
    quickref_paper: dict[str, str] = {}
    missing_id: list[int] = []
    for r, row in sheet_rows(db, sheet, sheet.header_row + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        level = norm(cell(row, sheet, "level"))
        pid = _paper_id(cell(row, sheet, "paper_id"))
        qref = cell_text(cell(row, sheet, "quickref"))
        if pid and qref:
            quickref_paper.setdefault(qref, pid)
        if level == "paper":
            if pid:
                paper_titles.setdefault(pid, cell_text(cell(row, sheet, "title")) or "")
            continue
        if level.startswith("additional"):
            counts["additional-evidence rows (not imported)"] += 1
            continue
        if level not in ("riskcategory", "risksubcategory", ""):
            problems.warn(
                f"unknown category level {cell(row, sheet, 'level')!r}; row not read", sheet.where(r, "level")
            )
            counts["rows not read"] += 1
            continue
        if level == "" and not any(cell(row, sheet, k) is not None for k in ("domain", "subdomain", *CAUSAL)):
            continue
        ev = cell_text(cell(row, sheet, "ev_id"))
        if ev is None or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", ev):
            if ev is None:
                missing_id.append(r)
            else:
                problems.warn(f"Ev_ID {ev!r} is not an identifier; row not read", sheet.where(r, "ev_id"))
            counts["rows not read"] += 1
            continue
        key = ev
        if ev in first_row:
            n = 2
            while f"{ev}~{n}" in entries:
                n += 1
            key = f"{ev}~{n}"
            problems.warn(
                f"duplicate Ev_ID {ev!r} (also row {first_row[ev]}); imported as {key!r}", sheet.where(r, "ev_id")
            )
        first_row.setdefault(ev, r)
        entries[key] = (r, row)
    if missing_id:
        _report_missing_ids(path, sheet, missing_id, problems)
    if not entries:
        raise DataError(
            "the AI Risk Database sheet has no risk entries that could be read", sheet.where(sheet.header_row)
        )

    for pid in sorted(set(paper_titles) | set(quickref_paper.values()), key=int):
        meta = papers.get(pid, {})
        title = meta.get("title") or paper_titles.get(pid) or f"Document {pid} of the AI Risk Repository"
        _paper(t, pid, title, meta)
        counts["source documents"] += 1
    for key, (r, row) in entries.items():
        _entry(t, key, r, row, sheet, ctx, problems, counts, quickref_paper, entries)
    problems.raise_errors()
    return ImportResult(
        kind=KIND,
        name=name,
        ntriples=t.ntriples(),
        counts=counts,
        source=info,
        problems=problems.items,
        prefixes={"mit-entry": IMPORT_PREFIXES["mit-entry"], "mit-doc": IMPORT_PREFIXES["mit-doc"]},
    )


def _report_missing_ids(path: Path, sheet: Sheet, rows: list[int], problems: Problems) -> None:
    """Say which missing Ev_ID cells are formulas without a cached value (a second, formula-level read)."""
    import openpyxl

    formulas: dict[int, str] = {}
    col = sheet.columns["ev_id"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            ws = wb[sheet.name]
            wanted = set(rows)
            for r, row in enumerate(
                ws.iter_rows(min_row=min(rows), max_row=max(rows), values_only=True), start=min(rows)
            ):
                if r in wanted and col < len(row) and isinstance(row[col], str) and row[col].startswith("="):
                    formulas[r] = row[col]
        finally:
            wb.close()
    except Exception:  # the first read worked; this one only improves the message
        pass
    for r in rows:
        if r in formulas:
            problems.warn(
                f"formula cell has no cached value ({formulas[r][:60]}); row not read",
                sheet.where(r, "ev_id"),
                hint="open the workbook in a spreadsheet program and save it, so that formulas are computed",
            )
        else:
            problems.warn("empty Ev_ID; row not read", sheet.where(r, "ev_id"))


def _paper(t: Triples, pid: str, title: str, meta: dict[str, str]) -> None:
    s = iri(mint(IMPORT_PREFIXES["mit-doc"], f"paper-{pid}"))
    for cls in (ar("Source"), C["BibliographicResource"], C["ProvEntity"]):
        t.add(s, P["type"], cls)
    t.add(s, P["identifier"], lit(meta.get("quickref") or f"paper-{pid}"))
    t.text(s, P["title"], title)
    t.text(s, P["label"], title)
    t.text(s, P["creator"], meta.get("authors"), lang=False)
    year = meta.get("year", "")
    if re.match(r"^\d{4}$", year):
        t.add(s, P["date"], date_lit(year))
    page = url_term(meta.get("url"))
    doi = meta.get("doi")
    if doi:
        t.add(s, ar("doi"), lit(doi))
        page = page or url_term(f"https://doi.org/{doi}")
    t.add(s, P["page"], page)
    t.add(s, ar("sourceKind"), lit("paper"))
    t.add(s, P["source"], t.source)


def _entry(
    t: Triples,
    key: str,
    r: int,
    row: list[Any],
    sheet: Sheet,
    ctx: Context,
    problems: Problems,
    counts: dict[str, int],
    quickref_paper: dict[str, str],
    entries: dict[str, Any],
) -> None:
    e = iri(mint(IMPORT_PREFIXES["mit-entry"], key))
    counts["risk entries"] += 1
    t.add(e, P["type"], ar("RiskEntry"))
    t.add(e, P["type"], C["ProvEntity"])
    t.add(e, P["identifier"], lit(key))
    category, sub = cell_text(cell(row, sheet, "category")), cell_text(cell(row, sheet, "subcategory"))
    level = cell_text(cell(row, sheet, "level"))
    t.text(e, P["label"], sub or category or f"Risk entry {key}")
    t.text(e, ar("categoryName"), category)
    t.text(e, P["description"], cell_text(cell(row, sheet, "description")))
    t.add(e, ar("entryLevel"), lit(level) if level else None)
    t.add(e, P["source"], t.source)
    pid = _paper_id(cell(row, sheet, "paper_id")) or quickref_paper.get(cell_text(cell(row, sheet, "quickref")) or "")
    if pid:
        doc = iri(mint(IMPORT_PREFIXES["mit-doc"], f"paper-{pid}"))
        t.add(e, P["source"], doc)
        t.add(e, ar("sourceDocument"), doc)
    m = re.match(r"^(\d+\.\d+)\.(\d+)$", key)
    if m and m.group(2) != "00" and f"{m.group(1)}.00" in entries:
        t.add(e, P["isPartOf"], iri(mint(IMPORT_PREFIXES["mit-entry"], f"{m.group(1)}.00")))

    def link(prefix: str, code: str, col: str, text: str) -> None:
        target = str(risk_iri(prefix, code))
        if target not in ctx.concepts:
            problems.warn(f"code {prefix}:{code} is not in the curated taxonomy; link not made", sheet.where(r, col))
            return
        header = sheet.headers[sheet.columns[col]] or col
        t.claim(
            e,
            ar("classifiedAs"),
            iri(target),
            note=f"{header}: {text}",
            locator=f"sheet '{sheet.name}' cell {column_letter(sheet.columns[col] + 1)}{r}",
        )

    domain_text = cell_text(cell(row, sheet, "domain"))
    sub_text = cell_text(cell(row, sheet, "subdomain"))
    domain = _DOMAIN.match(domain_text) if domain_text else None
    subm = _SUBDOMAIN.match(sub_text) if sub_text else None
    if domain and domain_text:
        link("mit", domain.group(1), "domain", domain_text)
        counts["with a domain"] += 1
    elif domain_text:
        problems.warn(f"cannot read a domain code in {domain_text!r}", sheet.where(r, "domain"))
    if subm and sub_text:
        if subm.group(2) != "0":
            link("mit", f"{subm.group(1)}.{subm.group(2)}", "subdomain", sub_text)
            counts["with a sub-domain"] += 1
        if domain and subm.group(1) != domain.group(1):
            problems.warn(f"sub-domain {sub_text!r} is not in domain {domain_text!r}", sheet.where(r, "subdomain"))
    elif sub_text and "exclud" in sub_text.lower():
        counts["excluded from the domain taxonomy"] += 1
    elif sub_text:
        problems.warn(f"cannot read a sub-domain code in {sub_text!r}", sheet.where(r, "subdomain"))
    for dim in CAUSAL:
        value = cell(row, sheet, dim)
        code = _causal(value, dim, ctx)
        text = cell_text(value) or ""
        if code is None:
            if text:
                problems.warn(f"cannot read a {dim} code in {text!r}", sheet.where(r, dim))
            continue
        if code == "not-coded":
            continue
        if code.startswith("!"):
            problems.warn(code[1:], sheet.where(r, dim))
            continue
        link("mit-causal", code, dim, text)
        counts["causal codes"] += 1


def _causal(value: Any, dim: str, ctx: Context) -> str | None:
    """``entity.1`` etc. for a cell like ``1 - Human``; ``not-coded``; ``!message``; or None."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        number, label = str(int(value)), ""
    else:
        text = str(value)
        m = _CAUSAL.match(text)
        number, label = (m.group(1), m.group(2).strip()) if m else ("", text.strip())
    by_code = {
        code: lab
        for (prefix, code, lab) in ctx.concepts.values()
        if prefix == "mit-causal" and code.startswith(dim + ".")
    }
    if number:
        code = f"{dim}.{number}"
        if code not in by_code:
            if label.lower().startswith("not coded") or number == "4":
                return "not-coded"
            return f"!{dim} code {number} is not in the curated mit-causal taxonomy"
        if label and label.lower() != by_code[code].lower():
            return f"!{dim} code {number} is '{by_code[code]}' in the curated taxonomy but the cell says {label!r}"
        return code
    return next((code for code, lab in by_code.items() if lab.lower() == label.lower()), None)
