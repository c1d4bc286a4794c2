"""Read the curated files of ``data/`` into a :class:`Dataset`, checking each record's shape.

Reference integrity (dangling ids, hierarchy, completeness) is checked afterwards by
:mod:`graph.validation.validate`; this module checks what one record alone can tell: required fields,
unknown fields, value types, id syntax and duplicates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.errors import DataError, Location, Problem
from graph.core.fields import CURIE_RE as CURIE_RE
from graph.core.fields import check_mapping, suggest
from graph.core.schema import (
    CONCEPT_FIELDS,
    CONCEPT_REQUIRED,
    KINDS,
    LINK_PROPERTIES,
    NOT_APPLICABLE_FIELDS,
    NOT_APPLICABLE_REQUIRED,
    SSSOM_REQUIRED,
    SUBRECORDS,
    TAXONOMY_FIELDS,
    TAXONOMY_FILE_KEYS,
    TAXONOMY_REQUIRED,
    KindSpec,
)
from graph.core.yamlpos import PosDict, PosList, load_yaml


@dataclass
class Record:
    """One curated record (a capability, a test method, a source, ...)."""

    kind: str
    id: str
    data: PosDict
    file: str

    def loc(self, key: str | None = None) -> Location:
        return self.data.loc(key, self.id)


@dataclass
class Concept:
    """One risk category of a taxonomy."""

    prefix: str
    code: str
    data: PosDict
    file: str

    @property
    def curie(self) -> str:
        return f"{self.prefix}:{self.code}"

    def loc(self, key: str | None = None) -> Location:
        return self.data.loc(key, self.curie)


@dataclass
class Taxonomy:
    """A published taxonomy (concept scheme) and its concepts, in file order."""

    prefix: str
    header: PosDict
    concepts: dict[str, Concept]
    file: str
    removed: list[PosDict] = field(default_factory=list)

    @property
    def revises(self) -> str | None:
        """The prefix of the taxonomy version this one revises, if it declares one."""
        value = self.header.get("revises")
        return str(value) if value is not None else None


@dataclass
class Mapping:
    """One row of an SSSOM mapping table."""

    subject: str
    predicate: str
    object: str
    justification: str
    author: str
    comment: str
    sources: list[str]
    confidence: float | None
    subject_label: str | None
    object_label: str | None
    mapping_set: str
    file: str
    line: int

    def loc(self, column: str | None = None) -> Location:
        return Location(self.file, self.line, None, f"{self.subject} {self.predicate} {self.object}", column)


@dataclass
class Dataset:
    """Everything read from a data folder."""

    root: Path
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    taxonomies: dict[str, Taxonomy] = field(default_factory=dict)
    mappings: list[Mapping] = field(default_factory=list)
    not_applicable: list[PosDict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, kind: str, ident: str) -> Record | None:
        return self.records.get(kind, {}).get(ident)

    def concept(self, curie: str) -> Concept | None:
        m = CURIE_RE.match(curie)
        if not m:
            return None
        tax = self.taxonomies.get(m.group(1))
        return tax.concepts.get(m.group(2)) if tax else None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _kind_files(root: Path, spec: KindSpec) -> list[Path]:
    files: list[Path] = []
    single = root / f"{spec.file_stem}.yaml"
    if single.is_file():
        files.append(single)
    folder = root / spec.file_stem
    if folder.is_dir():
        files.extend(sorted(folder.glob("*.yaml")))
    return files


def _display(path: Path, root: Path) -> str:
    try:
        return str(Path("data") / path.relative_to(root))
    except ValueError:
        return str(path)


def _read_list(path: Path, root: Path, top_key: str, ds: Dataset) -> PosList | None:
    name = _display(path, root)
    try:
        doc = load_yaml(path, name)
    except DataError as exc:
        ds.problems.extend(exc.problems)
        return None
    if not isinstance(doc, PosDict) or top_key not in doc:
        ds.problems.append(Problem(f"expected a top-level key {top_key!r}", Location(name, 1, 1), check="shape"))
        return None
    items = doc[top_key]
    if not isinstance(items, PosList):
        ds.problems.append(Problem(f"{top_key!r} must be a list of records", doc.loc(top_key), check="shape"))
        return None
    return items


def load_dataset(root: Path) -> Dataset:
    """Read every curated file under ``root`` (the ``data/`` folder)."""
    ds = Dataset(root=root)
    for spec in KINDS.values():
        bucket: dict[str, Record] = ds.records.setdefault(spec.kind, {})
        for path in _kind_files(root, spec):
            items = _read_list(path, root, spec.top_key, ds)
            if items is None:
                continue
            for item in items:
                ident = item.get("id") if isinstance(item, PosDict) else None
                record_name = str(ident) if ident is not None else "?"
                where = item.loc(None, record_name) if isinstance(item, PosDict) else Location(_display(path, root))
                ds.problems.extend(check_mapping(item, spec.fields, spec.required, where, record_name))
                if not isinstance(item, PosDict) or not isinstance(ident, str):
                    continue
                if ident in bucket:
                    first = bucket[ident].loc("id")
                    ds.problems.append(
                        Problem(
                            f"duplicate {spec.kind} id {ident!r} (first defined at {first.file}:{first.line})",
                            item.loc("id", ident),
                            check="unique",
                        )
                    )
                    continue
                bucket[ident] = Record(spec.kind, ident, item, item.file)
    if (root / "exercises.yaml").is_file():
        ds.problems.append(
            Problem(
                "testing exercises are now evaluation reports",
                Location(_display(root / "exercises.yaml", root), 1, 1),
                hint="move each exercise to data/reports/*.yaml (docs/data-format.md); keep its IRI with 'exercise:'",
                check="shape",
            )
        )
    _load_taxonomies(root, ds)
    _load_mappings(root, ds)
    _load_not_applicable(root, ds)
    return ds


def _load_not_applicable(root: Path, ds: Dataset) -> None:
    path = root / "not-applicable.yaml"
    if not path.is_file():
        return
    items = _read_list(path, root, "not_applicable", ds)
    for item in items or []:
        name = str(item.get("risk", "?")) if isinstance(item, PosDict) else "?"
        where = item.loc(None, name) if isinstance(item, PosDict) else Location(_display(path, root))
        ds.problems.extend(check_mapping(item, NOT_APPLICABLE_FIELDS, NOT_APPLICABLE_REQUIRED, where, name))
        if isinstance(item, PosDict):
            ds.not_applicable.append(item)


def _load_taxonomies(root: Path, ds: Dataset) -> None:
    folder = root / "taxonomies"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = _display(path, root)
        try:
            doc = load_yaml(path, name)
        except DataError as exc:
            ds.problems.extend(exc.problems)
            continue
        if not isinstance(doc, PosDict) or "taxonomy" not in doc or "concepts" not in doc:
            ds.problems.append(
                Problem("expected top-level keys 'taxonomy' and 'concepts'", Location(name, 1, 1), check="shape")
            )
            continue
        for key in doc:
            if key not in TAXONOMY_FILE_KEYS:
                ds.problems.append(
                    Problem(
                        f"unknown top-level key {key!r}",
                        doc.loc(key, path.stem),
                        hint=suggest(str(key), list(TAXONOMY_FILE_KEYS)) or "expected taxonomy, concepts, removed",
                        check="shape",
                    )
                )
        header = doc["taxonomy"]
        ds.problems.extend(check_mapping(header, TAXONOMY_FIELDS, TAXONOMY_REQUIRED, doc.loc("taxonomy"), path.stem))
        if not isinstance(header, PosDict):
            continue
        prefix = str(header.get("prefix", ""))
        if prefix != path.stem:
            ds.problems.append(
                Problem(
                    f"prefix {prefix!r} does not match the file name {path.name!r}",
                    header.loc("prefix", prefix),
                    hint=f"name the file {prefix}.yaml",
                    check="shape",
                )
            )
        if prefix in ds.taxonomies:
            ds.problems.append(Problem(f"duplicate taxonomy prefix {prefix!r}", header.loc("prefix"), check="unique"))
            continue
        tax = Taxonomy(prefix, header, {}, name)
        concepts = doc["concepts"]
        if not isinstance(concepts, PosList):
            ds.problems.append(Problem("'concepts' must be a list", doc.loc("concepts"), check="shape"))
            continue
        for item in concepts:
            code = item.get("code") if isinstance(item, PosDict) else None
            code_text = str(code) if code is not None else "?"
            where = item.loc(None, f"{prefix}:{code_text}") if isinstance(item, PosDict) else doc.loc("concepts")
            ds.problems.extend(check_mapping(item, CONCEPT_FIELDS, CONCEPT_REQUIRED, where, f"{prefix}:{code_text}"))
            if not isinstance(item, PosDict) or code is None:
                continue
            if not isinstance(code, str):
                ds.problems.append(
                    Problem(
                        f"code {code!r} must be written as a string",
                        item.loc("code", f"{prefix}:{code}"),
                        hint=f'quote it: code: "{code}"',
                        check="type",
                    )
                )
                code = str(code)
            if code in tax.concepts:
                ds.problems.append(
                    Problem(
                        f"duplicate code {code!r} in {prefix}", item.loc("code", f"{prefix}:{code}"), check="unique"
                    )
                )
                continue
            tax.concepts[code] = Concept(prefix, code, item, name)
        tax.removed = _load_removed(doc, prefix, ds)
        ds.taxonomies[prefix] = tax


def _load_removed(doc: PosDict, prefix: str, ds: Dataset) -> list[PosDict]:
    """Check the optional top-level ``removed:`` list of a taxonomy file; return its entries."""
    if "removed" not in doc:
        return []
    fields, required = SUBRECORDS["removed"]
    value = doc["removed"]
    if not isinstance(value, PosList):
        ds.problems.append(Problem("'removed' must be a list", doc.loc("removed", prefix), check="shape"))
        return []
    kept: list[PosDict] = []
    for item in value:
        record = f"{prefix} removed {item.get('code', '?')}" if isinstance(item, PosDict) else prefix
        where = item.loc(None, record) if isinstance(item, PosDict) else doc.loc("removed", prefix)
        ds.problems.extend(check_mapping(item, fields, required, where, record))
        if isinstance(item, PosDict):
            kept.append(item)
    return kept


def parse_sssom(text: str, name: str) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """Split an SSSOM TSV text into its header (flat ``key: value`` lines) and numbered rows."""
    header: dict[str, str] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    lines = text.splitlines()
    first_table = 0
    for i, line in enumerate(lines):
        if line.startswith("#"):
            body = line[1:]
            if ":" in body and not body.startswith(" "):
                key, _, value = body.partition(":")
                header[key.strip()] = value.strip()
            first_table = i + 1
        else:
            break
    table = "\n".join(lines[first_table:])
    reader = csv.DictReader(io.StringIO(table), delimiter="\t", quoting=csv.QUOTE_NONE)
    if not reader.fieldnames:
        problems.append(Problem("no table header row", Location(name, first_table + 1, 1), check="shape"))
        return header, rows, problems
    missing = [c for c in SSSOM_REQUIRED if c not in reader.fieldnames]
    if missing:
        problems.append(
            Problem(
                f"missing required columns: {', '.join(missing)}", Location(name, first_table + 1, 1), check="shape"
            )
        )
        return header, rows, problems
    for offset, row in enumerate(reader):
        line_no = first_table + 2 + offset
        if None in row:
            problems.append(Problem("row has more cells than the header", Location(name, line_no, 1), check="shape"))
            continue
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        rows.append((line_no, clean))
    return header, rows, problems


def _load_mappings(root: Path, ds: Dataset) -> None:
    folder = root / "mappings"
    for path in sorted(folder.glob("*.sssom.tsv")) if folder.is_dir() else []:
        name = _display(path, root)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            ds.problems.append(Problem(f"cannot read: {exc}", Location(name), check="shape"))
            continue
        header, rows, problems = parse_sssom(text, name)
        ds.problems.extend(problems)
        set_id = header.get("mapping_set_id", name)
        columns = list(rows[0][1]) if rows else []
        for line_no, row in rows:
            loc = Location(name, line_no, None, f"{row.get('subject_id')} -> {row.get('object_id')}")
            for col in SSSOM_REQUIRED:
                if not row.get(col):
                    ds.problems.append(
                        Problem(
                            f"empty required cell {col!r}",
                            Location(
                                name, line_no, columns.index(col) + 1 if col in columns else None, loc.record, col
                            ),
                            check="shape",
                        )
                    )
            conf: float | None = None
            if row.get("confidence"):
                try:
                    conf = float(row["confidence"])
                    if not 0 <= conf <= 1:
                        raise ValueError
                except ValueError:
                    ds.problems.append(
                        Problem(
                            f"confidence {row['confidence']!r} is not a number from 0 to 1",
                            Location(name, line_no, None, loc.record, "confidence"),
                            check="type",
                        )
                    )
                    conf = None
            sources = [s.strip() for s in row.get("see_also", "").split("|") if s.strip()]
            ds.mappings.append(
                Mapping(
                    subject=row.get("subject_id", ""),
                    predicate=row.get("predicate_id", ""),
                    object=row.get("object_id", ""),
                    justification=row.get("mapping_justification", ""),
                    author=row.get("author_id", ""),
                    comment=row.get("comment", ""),
                    sources=sources,
                    confidence=conf,
                    subject_label=row.get("subject_label") or None,
                    object_label=row.get("object_label") or None,
                    mapping_set=set_id,
                    file=name,
                    line=line_no,
                )
            )


def nested_items(record: Record, key: str) -> list[PosDict]:
    """The nested records of field ``key`` (method uses, outcomes, signatories) that are mappings."""
    value = record.data.get(key)
    return [item for item in value if isinstance(item, PosDict)] if isinstance(value, list) else []


def link_items(record: Record) -> list[tuple[str, PosDict]]:
    """Return ``(link field, link mapping)`` for every link of a record."""
    out: list[tuple[str, PosDict]] = []
    for field_name in LINK_PROPERTIES:
        value = record.data.get(field_name)
        if isinstance(value, list):
            out.extend((field_name, item) for item in value if isinstance(item, PosDict))
    return out
