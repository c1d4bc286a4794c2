"""Reading an IBM AI Atlas Nexus release: its LinkML instance files (YAML) and its SSSOM tables (TSV).

The knowledge graph is a folder of LinkML instance files, each a mapping of collections
(``taxonomies``, ``groups``, ``entries``, ``actions``, ``controls``, ``rules``, ``evaluations``,
``documents``, ...) to lists of records with an ``id``. The same id may appear in several files
(the mapping files repeat entries with only their mapping fields): the records are merged by id,
scalars first-wins, lists unioned in order. Nothing here depends on one release's field set: any
collection and any field is read, and :mod:`graph.importers.nexus.build` decides what each
record becomes from its ``type`` (and, without one, from its collection).

Broken files are errors naming the file and line; records that cannot be used (no id, a field of
the wrong type) are warnings naming the file and line, and are left out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.core.errors import DataError, Location, Problem
from graph.core.yamlpos import PosDict, PosList
from graph.importers.common import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    Problems,
    check_text,
    decode_text,
    load_yaml_text,
    read_file,
)

#: Files of a release are read below these folders of DIR (or DIR itself when neither exists).
KG_FOLDER = "knowledge_graph"
MAPPINGS_FOLDER = "mappings"
#: Most files one import reads, and most bytes in all (a release has about 60 files and 3 MB).
MAX_FILES = 2_000
MAX_TOTAL_BYTES = 4 * MAX_FILE_BYTES
#: Fields holding references to other records (a list of ids, or one id).
MAPPING_FIELDS = {
    "exact_mappings": "skos:exactMatch",
    "close_mappings": "skos:closeMatch",
    "broad_mappings": "skos:broadMatch",
    "narrow_mappings": "skos:narrowMatch",
    "related_mappings": "skos:relatedMatch",
}
TEXT_FIELDS = ("name", "description", "url", "version", "dateCreated", "dateModified", "type", "concern")


@dataclass
class Item:
    """One LinkML record, merged over every file that mentions its id."""

    id: str
    collection: str
    file: str
    line: int
    text: dict[str, str] = field(default_factory=dict)
    refs: dict[str, list[str]] = field(default_factory=dict)
    #: where each field was first read: field -> (file, line)
    at: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.text.get("name")

    @property
    def type(self) -> str:
        return self.text.get("type", "")

    def values(self, key: str) -> list[str]:
        """The ids or values of field ``key``, whether written as one value or as a list."""
        if key in self.refs:
            return self.refs[key]
        return [self.text[key]] if key in self.text else []

    def locator(self, key: str | None = None) -> str:
        file, line = self.at.get(key, (self.file, self.line)) if key else (self.file, self.line)
        return f"{file} line {line}"


@dataclass
class SssomRow:
    """One row of an SSSOM TSV table (CURIEs as written; resolved by the builder)."""

    subject: str
    predicate: str
    object: str
    justification: str
    author: str
    confidence: float | None
    comment: str
    date: str
    file: str
    line: int

    @property
    def locator(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass
class Release:
    """Everything read from one release folder."""

    root: Path
    items: dict[str, Item] = field(default_factory=dict)
    rows: list[SssomRow] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    tsv_files: list[str] = field(default_factory=list)
    licence_text: str = ""
    total_bytes: int = 0
    no_match: int = 0
    digest_parts: list[tuple[str, bytes]] = field(default_factory=list)
    _folded: dict[str, list[str]] | None = None

    def lookup(self, ref: str) -> str | None:
        """The id ``ref`` names: itself when defined, else the one id equal to it ignoring case."""
        if ref in self.items:
            return ref
        if self._folded is None:
            self._folded = {}
            for ident in self.items:
                self._folded.setdefault(ident.casefold(), []).append(ident)
        hits = self._folded.get(ref.casefold(), [])
        return hits[0] if len(hits) == 1 else None


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def find_files(root: Path) -> tuple[list[Path], list[Path]]:
    """The YAML files of the knowledge graph and the TSV mapping tables of a release folder."""
    if not root.exists():
        raise DataError("no such folder (an IBM AI Atlas Nexus release folder expected)", Location(str(root)))
    if not root.is_dir():
        raise DataError("is a file; give the release folder (with knowledge_graph/ and mappings/)", Location(str(root)))
    kg = root / KG_FOLDER if (root / KG_FOLDER).is_dir() else root
    yamls = sorted(p for p in kg.rglob("*.yaml") if p.is_file() and not p.is_symlink())
    maps = root / MAPPINGS_FOLDER
    tsvs = sorted(p for p in maps.glob("*.tsv") if p.is_file() and not p.is_symlink()) if maps.is_dir() else []
    if not yamls:
        raise DataError(
            f"no LinkML YAML files found (expected {KG_FOLDER}/*.yaml in an IBM AI Atlas Nexus release)",
            Location(str(root)),
        )
    if len(yamls) + len(tsvs) > MAX_FILES:
        raise DataError(f"too many files: {len(yamls) + len(tsvs)} (limit {MAX_FILES})", Location(str(root)))
    return yamls, tsvs


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _merge(release: Release, collection: str, rec: PosDict, name: str, problems: Problems) -> None:
    ident = _scalar_text(rec.get("id"))
    if not ident or not ident.strip():
        problems.warn(f"record of {collection!r} without an 'id'; left out", rec.loc(None, collection))
        return
    ident = ident.strip()
    item = release.items.get(ident)
    if item is None:
        item = release.items[ident] = Item(ident, collection, name, rec.line)
    elif "name" not in item.text and "name" in rec:  # the defining record comes later: it decides
        item.collection, item.file, item.line = collection, name, rec.line
    for key, value in rec.items():
        if key == "id":
            continue
        where = rec.loc(key, ident)
        if key in TEXT_FIELDS and isinstance(value, (list, dict)):
            problems.warn(f"{ident}: field {key!r} should be one value, not a {type(value).__name__}; left out", where)
            continue
        if isinstance(value, list):
            refs = item.refs.setdefault(key, [])
            for i, v in enumerate(value):
                text = _scalar_text(v)
                if text is None:
                    line = (
                        value.item_pos[i][0] if isinstance(value, PosList) and i < len(value.item_pos) else where.line
                    )
                    problems.warn(
                        f"{ident}: item {i + 1} of {key!r} is not a single value; left out",
                        Location(name, line, None, ident, key),
                    )
                    continue
                if text not in refs:
                    refs.append(text)
            item.at.setdefault(key, (name, where.line or rec.line))
        elif isinstance(value, dict):
            problems.warn(f"{ident}: field {key!r} is a mapping, not a value or a list; left out", where)
        elif value is not None:
            text = check_text(value, where) or ""
            if key in MAPPING_FIELDS or key in item.refs:
                refs = item.refs.setdefault(key, [])
                if text and text not in refs:
                    refs.append(text)
            elif key not in item.text and text:
                item.text[key] = text
            item.at.setdefault(key, (name, where.line or rec.line))


def _read_yaml(release: Release, path: Path, problems: Problems) -> None:
    name = _display(path, release.root)
    data = read_file(path, "an IBM AI Atlas Nexus LinkML YAML file")
    release.total_bytes += len(data)
    if release.total_bytes > MAX_TOTAL_BYTES:
        raise DataError(f"the release is too large (more than {MAX_TOTAL_BYTES} bytes in all)", Location(name))
    release.digest_parts.append((name, data))
    doc = load_yaml_text(decode_text(data, name, "a LinkML YAML file"), name)
    if doc is None:
        problems.warn("file holds no data", Location(name, 1, 1))
        return
    if not isinstance(doc, PosDict):
        raise DataError(
            f"expected a mapping of collections (taxonomies:, entries:, ...), got {type(doc).__name__}",
            Location(name, 1, 1),
        )
    release.files.append(name)
    for collection, records in doc.items():
        if not isinstance(records, PosList):
            problems.warn(f"collection {collection!r} is not a list; left out", doc.loc(collection, name))
            continue
        for i, rec in enumerate(records):
            if not isinstance(rec, PosDict):
                line, col = records.item_pos[i] if i < len(records.item_pos) else (doc.loc(collection).line, None)
                problems.warn(
                    f"item {i + 1} of {collection!r} is not a record; left out", Location(name, line, col, collection)
                )
                continue
            _merge(release, str(collection), rec, name, problems)


def _read_tsv(release: Release, path: Path, problems: Problems) -> None:
    name = _display(path, release.root)
    data = read_file(path, "an SSSOM TSV mapping table")
    release.total_bytes += len(data)
    if release.total_bytes > MAX_TOTAL_BYTES:
        raise DataError(f"the release is too large (more than {MAX_TOTAL_BYTES} bytes in all)", Location(name))
    release.digest_parts.append((name, data))
    text = decode_text(data, name, "an SSSOM TSV mapping table")
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start >= len(lines):
        problems.warn("mapping table has no header row; left out", Location(name, 1, 1))
        return
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter="\t", quotechar='"')
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise DataError(f"cannot read the header row: {exc}", Location(name, start + 1)) from None
    missing = [c for c in ("subject_id", "predicate_id", "object_id") if c not in header]
    if missing:
        raise DataError(
            Problem(
                f"mapping table lacks the column(s) {', '.join(missing)}",
                Location(name, start + 1, 1),
                hint="an SSSOM TSV table starts with subject_id, predicate_id, object_id, ...",
            )
        )
    release.tsv_files.append(name)
    try:
        for offset, cells in enumerate(reader, start=start + 2):
            if not any(c.strip() for c in cells):
                continue
            row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
            if any(len(v) > MAX_TEXT_CHARS for v in row.values()):
                raise DataError(f"a cell is longer than {MAX_TEXT_CHARS} characters", Location(name, offset))
            if row["predicate_id"].lower() in ("nomatch", "semapv:nomatch", "sssom:nomatch"):
                release.no_match += 1  # a row saying that nothing matches: nothing to import
                continue
            if not row["subject_id"] or not row["predicate_id"] or not row["object_id"]:
                problems.warn("row without subject_id, predicate_id or object_id; left out", Location(name, offset))
                continue
            confidence = None
            raw = row.get("confidence", "")
            if raw:
                try:
                    confidence = float(raw)
                except ValueError:
                    problems.warn(
                        f"confidence {raw!r} is not a number; left out",
                        Location(name, offset, None, None, "confidence"),
                    )
                if confidence is not None and not 0 <= confidence <= 1:
                    problems.warn(
                        f"confidence {raw!r} is outside 0..1; left out",
                        Location(name, offset, None, None, "confidence"),
                    )
                    confidence = None
            release.rows.append(
                SssomRow(
                    row["subject_id"],
                    row["predicate_id"],
                    row["object_id"],
                    row.get("mapping_justification", ""),
                    row.get("author_id", ""),
                    confidence,
                    row.get("comment", ""),
                    row.get("mapping_date", ""),
                    name,
                    offset,
                )
            )
    except csv.Error as exc:
        raise DataError(f"cannot read the table: {exc}", Location(name, reader.line_num + start)) from None


def read_release(root: Path, problems: Problems) -> Release:
    """Read every YAML and TSV file of the release at ``root``; raise :class:`DataError` on a broken file."""
    yamls, tsvs = find_files(root)
    release = Release(root)
    for path in yamls:
        _read_yaml(release, path, problems)
    for path in tsvs:
        _read_tsv(release, path, problems)
    lic = root / "LICENSE"
    if lic.is_file():
        try:
            release.licence_text = lic.read_text(encoding="utf-8", errors="replace")[:2000]
        except OSError:
            release.licence_text = ""
    return release
