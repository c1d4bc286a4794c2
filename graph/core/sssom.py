"""Read the SSSOM mapping tables of ``data/mappings/*.sssom.tsv`` into :class:`~graph.core.load.Mapping` rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.core.errors import Location, Problem
from graph.core.schema import SSSOM_REQUIRED


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


def read_mappings(root: Path, display: Callable[[Path], str]) -> tuple[list[Mapping], list[Problem]]:
    """Read every SSSOM table of ``root/mappings``: the rows and the problems found (files named by ``display``)."""
    out: list[Mapping] = []
    found: list[Problem] = []
    folder = root / "mappings"
    for path in sorted(folder.glob("*.sssom.tsv")) if folder.is_dir() else []:
        name = display(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            found.append(Problem(f"cannot read: {exc}", Location(name), check="shape"))
            continue
        header, rows, problems = parse_sssom(text, name)
        found.extend(problems)
        set_id = header.get("mapping_set_id", name)
        columns = list(rows[0][1]) if rows else []
        for line_no, row in rows:
            loc = Location(name, line_no, None, f"{row.get('subject_id')} -> {row.get('object_id')}")
            for col in SSSOM_REQUIRED:
                if not row.get(col):
                    found.append(
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
                    found.append(
                        Problem(
                            f"confidence {row['confidence']!r} is not a number from 0 to 1",
                            Location(name, line_no, None, loc.record, "confidence"),
                            check="type",
                        )
                    )
                    conf = None
            sources = [s.strip() for s in row.get("see_also", "").split("|") if s.strip()]
            out.append(
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
    return out, found
