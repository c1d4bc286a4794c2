"""Read the curated files of ``data/`` into a :class:`Dataset`, checking each record's shape.

Reference integrity (dangling ids, hierarchy, completeness) is checked afterwards by
:mod:`graph.core.validate`; this module checks what one record alone can tell: required fields,
unknown fields, value types, id syntax and duplicates.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.core.errors import DataError, Location, Problem
from graph.core.namespaces import CODE_RE, PREFIX_RE, SLUG_RE
from graph.core.schema import (
    CONCEPT_FIELDS,
    CONCEPT_REQUIRED,
    KINDS,
    LINK_FIELDS,
    LINK_PROPERTIES,
    LINK_REQUIRED,
    NOT_APPLICABLE_FIELDS,
    NOT_APPLICABLE_REQUIRED,
    ROLE_LINK_FIELDS,
    ROLE_LINKS,
    SEVERITY_FIELDS,
    SEVERITY_REQUIRED,
    SSSOM_REQUIRED,
    TAXONOMY_FIELDS,
    TAXONOMY_REQUIRED,
    KindSpec,
)
from graph.core.yamlpos import PosDict, PosList, load_yaml

DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
URL_RE = re.compile(r"^https?://[^\s<>\"]+$")
CURIE_RE = re.compile(r"^([a-z][a-z0-9-]*):([A-Za-z0-9][A-Za-z0-9._-]*)$")


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


def _suggest(name: str, options: list[str] | set[str] | dict[str, Any]) -> str | None:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def check_value(kind: str, value: Any, loc: Location) -> list[Problem]:
    """Check ``value`` against the field type ``kind``; return the problems found."""
    problems: list[Problem] = []

    def bad(msg: str, hint: str | None = None) -> None:
        problems.append(Problem(msg, loc, hint=hint, check="type"))

    if kind in ("text", "code", "slug", "prefix", "url", "date", "risk") or kind.startswith(("ref:", "enum:")):
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            bad(f"expected a single value, got {type(value).__name__ if value is not None else 'nothing'}")
            return problems
        text = str(value)
        if kind == "text" and not text.strip():
            bad("must not be empty")
        elif kind == "text" and text != text.strip():
            bad("has leading or trailing white space")
        elif kind == "slug" and not SLUG_RE.match(text):
            bad(f"{text!r} is not a slug", "use lowercase letters, digits and '-'")
        elif kind == "prefix" and not PREFIX_RE.match(text):
            bad(f"{text!r} is not a valid prefix", "lowercase letters, digits and '-', starting with a letter")
        elif kind == "code" and not CODE_RE.match(text):
            bad(f"{text!r} is not a valid code", "letters, digits, '.', '_' and '-'")
        elif kind == "url" and not URL_RE.match(text):
            bad(f"{text!r} is not an http(s) URL")
        elif kind == "date" and not DATE_RE.match(text):
            bad(f"{text!r} is not a date", "write YYYY, YYYY-MM or YYYY-MM-DD")
        elif kind == "risk" and not CURIE_RE.match(text):
            bad(f"{text!r} is not a risk CURIE", "write PREFIX:CODE, e.g. mit:4.2")
        elif kind.startswith("ref:") and not SLUG_RE.match(text):
            bad(f"{text!r} is not an id", "ids are lowercase slugs")
        elif kind.startswith("enum:"):
            allowed = kind[5:].split("|")
            if text not in allowed:
                bad(f"{text!r} is not one of {', '.join(allowed)}", _suggest(text, allowed))
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            bad(f"expected a whole number, got {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= float(value) <= 1:
            bad(f"expected a number from 0 to 1, got {value!r}")
    elif kind in ("texts", "risks") or kind.startswith("refs:"):
        if not isinstance(value, list):
            bad("expected a list (write [a, b] or one '- item' per line)")
            return problems
        if kind.startswith("refs:") and kind != "refs:x" and not value and kind == "refs:source":
            bad("must list at least one source")
        inner = {"texts": "text", "risks": "risk"}.get(kind, "ref:" + kind[5:])
        for i, item in enumerate(value):
            item_loc = loc
            if isinstance(value, PosList) and i < len(value.item_pos):
                line, col = value.item_pos[i]
                item_loc = Location(loc.file, line, col, loc.record, loc.field)
            problems.extend(check_value(inner, item, item_loc))
    return problems


def _check_mapping(
    data: Any, fields: dict[str, str], required: tuple[str, ...], where: Location, record: str
) -> list[Problem]:
    """Check a mapping's keys and values against a field table."""
    if not isinstance(data, PosDict):
        return [Problem(f"expected a mapping of fields, got {type(data).__name__}", where, check="shape")]
    problems: list[Problem] = []
    for key in data:
        if key not in fields:
            problems.append(
                Problem(f"unknown field {key!r}", data.loc(key, record), hint=_suggest(key, fields), check="shape")
            )
    for key in required:
        if key not in data:
            problems.append(Problem(f"missing required field {key!r}", data.loc(None, record), check="shape"))
    for key, kind in fields.items():
        if key not in data:
            continue
        loc = data.loc(key, record)
        value = data[key]
        if kind.startswith("links:"):
            target = kind[6:]
            if not isinstance(value, list):
                problems.append(Problem("expected a list of links", loc, check="shape"))
                continue
            link_fields = {target: "risk" if target == "risk" else "ref:" + target, **LINK_FIELDS}
            link_required: tuple[str, ...] = (target, *LINK_REQUIRED)
            if key in ROLE_LINKS:
                link_fields.update(ROLE_LINK_FIELDS)
                link_required += tuple(ROLE_LINK_FIELDS)
            for item in value:
                where_item = item.loc(None, record) if isinstance(item, PosDict) else loc
                problems.extend(_check_mapping(item, link_fields, link_required, where_item, record))
        elif kind == "severity":
            problems.extend(_check_mapping(value, SEVERITY_FIELDS, SEVERITY_REQUIRED, loc, record))
            if isinstance(value, PosDict) and isinstance(value.get("level"), int) and not 1 <= value["level"] <= 5:
                problems.append(
                    Problem(f"severity level {value['level']} is outside the rubric 1..5", value.loc("level", record))
                )
        else:
            problems.extend(check_value(kind, value, Location(loc.file, loc.line, loc.column, record, key)))
    return problems


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
                ds.problems.extend(_check_mapping(item, spec.fields, spec.required, where, record_name))
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
        ds.problems.extend(_check_mapping(item, NOT_APPLICABLE_FIELDS, NOT_APPLICABLE_REQUIRED, where, name))
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
        header = doc["taxonomy"]
        ds.problems.extend(_check_mapping(header, TAXONOMY_FIELDS, TAXONOMY_REQUIRED, doc.loc("taxonomy"), path.stem))
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
            ds.problems.extend(_check_mapping(item, CONCEPT_FIELDS, CONCEPT_REQUIRED, where, f"{prefix}:{code_text}"))
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
        ds.taxonomies[prefix] = tax


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


def link_items(record: Record) -> list[tuple[str, PosDict]]:
    """Return ``(link field, link mapping)`` for every link of a record."""
    out: list[tuple[str, PosDict]] = []
    for field_name in LINK_PROPERTIES:
        value = record.data.get(field_name)
        if isinstance(value, list):
            out.extend((field_name, item) for item in value if isinstance(item, PosDict))
    return out
