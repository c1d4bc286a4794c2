"""SSSOM mapping tables (TSV with a ``#``-prefixed YAML header) as cross-taxonomy mappings.

Each row becomes a SKOS mapping triple plus its evidence node (``ar:Evidence``, ``ar:Mapping``)
carrying the SEMAPV justification, the confidence, the author, the comment and the mapping set,
like the curated mappings in ``data/mappings/``. CURIEs are expanded with the file's
``curie_map`` first, then with the project's prefixes. Rows that cannot be read (unknown prefix,
unknown concept, a predicate that is not a SKOS mapping property) are reported by line and column
and left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.core.errors import DataError, Location
from graph.core.namespaces import ID, SEMAPV, SKOS, entity_iri
from graph.core.yamlpos import PosDict
from graph.importers.common import (
    MAX_TEXT_CHARS,
    ImportResult,
    P,
    Problems,
    SourceInfo,
    Triples,
    ar,
    clean_text,
    decode_text,
    iri,
    lit,
    load_yaml_text,
    read_file,
    sha256,
    source_record,
    url_term,
)
from graph.importers.context import Context

KIND = "sssom"
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
MAPPING_PREDICATES = {str(SKOS[p]) for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}
MAX_ROWS = 500_000
_IRI = re.compile(r"^(https?|urn):[^\s<>\"{}|^`\\]+$")
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*):(\S*)$")
RISK_NS = ID + "risk/"


def default_name(path: Path) -> str:
    """The import name used when none is given: ``sssom-`` and the file's stem."""
    stem = path.name
    for suffix in (".sssom.tsv", ".tsv", ".sssom"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    from graph.importers.common import slug

    return ("sssom-" + slug(stem))[:63].rstrip("-") or "sssom"


def _header(text: str, shown: str) -> tuple[dict[str, Any], int]:
    lines = text.split("\n")
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        n += 1
    body = "\n".join(line[1:] for line in lines[:n])
    meta = load_yaml_text(body, shown) if body.strip() else None
    if meta is not None and not isinstance(meta, PosDict):
        return {"": meta}, n  # judged after the table header: a file with neither is not SSSOM at all
    return (dict(meta) if meta else {}), n


class _Expander:
    def __init__(self, curie_map: dict[str, str], ctx: Context):
        self.table = {**ctx.prefixes, **curie_map}

    def __call__(self, text: str) -> str | None:
        text = text.strip()
        if _IRI.match(text):
            return text
        m = _CURIE.match(text)
        if not m or m.group(1) not in self.table:
            return None
        from urllib.parse import quote

        ns = self.table[m.group(1)]
        local = m.group(2) if not ns.startswith(RISK_NS) else quote(m.group(2), safe="._-~")
        full = ns + local
        return full if _IRI.match(full) else None


def import_sssom(path: Path, name: str, ctx: Context, display: str | None = None) -> ImportResult:
    """Read an SSSOM TSV mapping table into the named graph ``import/{name}``."""
    shown = display or path.name
    data = read_file(path, "an SSSOM mapping table")
    text = decode_text(data, shown, "an SSSOM mapping table (TSV)").replace("\r\n", "\n")
    meta, first = _header(text, shown)
    problems = Problems()
    curie_map: dict[str, str] = {}
    raw_map = meta.get("curie_map") or {}
    if not isinstance(raw_map, dict):
        raise DataError("curie_map is not a mapping", Location(shown, 1, 1))
    for prefix, ns in raw_map.items():
        if not isinstance(ns, str) or not _IRI.match(ns):
            problems.warn(
                f"curie_map entry {prefix!r} is not an IRI; ignored", Location(shown, None, None, None, "curie_map")
            )
            continue
        curie_map[str(prefix)] = ns
    expand = _Expander(curie_map, ctx)
    lines = text.split("\n")[first:]
    if not lines or not lines[0].strip():
        raise DataError("not an SSSOM table: no header row after the '#' lines", Location(shown, first + 1, 1))
    # SSSOM TSV has no quoting: one row per line, cells separated by tabs
    header = lines[0].split("\t")
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(
            f"not an SSSOM mapping table: missing column(s) {', '.join(missing)} in the header row",
            Location(shown, first + 1, 1),
        )
    if "" in meta:
        raise DataError("the '#' header is not a YAML mapping", Location(shown, 1, 1))
    col = {h: i for i, h in enumerate(header)}
    set_id = str(meta.get("mapping_set_id") or "")
    info = SourceInfo(
        title=str(meta.get("mapping_set_title") or meta.get("mapping_set_description") or set_id or path.name)[:300],
        publisher=_first(meta.get("creator_label")) or _first(meta.get("creator_id")) or "unknown",
        version=str(
            meta.get("mapping_set_version") or meta.get("mapping_date") or meta.get("publication_date") or "unknown"
        ),
        licence=str(meta.get("license") or "unknown"),
        attribution=_first(meta.get("creator_label")) or _first(meta.get("creator_id")) or "",
        url=set_id if url_term(set_id) else None,
        file=path.name,
        file_sha256=sha256(data),
        file_bytes=len(data),
        licence_basis="the file's 'license' header" if meta.get("license") else "the file states no licence",
    )
    if not meta.get("license"):
        problems.warn("the header states no 'license'", Location(shown, 1, 1))
    t = Triples(name)
    source_record(t, info)
    counts = {"mappings": 0, "rows not imported": 0, "external concepts": 0}
    seen: dict[tuple[str, str, str], int] = {}
    external: set[str] = set()
    for offset, raw in enumerate(lines[1:]):
        line = first + 2 + offset
        row = raw.split("\t")
        if offset > MAX_ROWS:
            raise DataError(f"more than {MAX_ROWS} rows", Location(shown, line))
        if not any(c.strip() for c in row):
            continue
        for i, value in enumerate(row):
            if len(value) > MAX_TEXT_CHARS:
                raise DataError(
                    f"cell is too long: {len(value)} characters (limit {MAX_TEXT_CHARS})",
                    Location(shown, line, i + 1, None, header[i] if i < len(header) else None),
                )
        if len(row) > len(header):
            problems.warn(
                "row has more cells than the header; row not imported", Location(shown, line, len(header) + 1)
            )
            counts["rows not imported"] += 1
            continue

        def cell(key: str, row: list[str] = row) -> str:
            i = col.get(key)
            return clean_text(row[i]) if i is not None and i < len(row) else ""

        def where(key: str, line: int = line) -> Location:
            return Location(shown, line, col[key] + 1 if key in col else None, None, key)

        ok = True
        terms: dict[str, str] = {}
        for key in ("subject_id", "object_id", "predicate_id", "mapping_justification"):
            value = cell(key)
            full = expand(value) if value else None
            if full is None:
                problems.warn(
                    f"cannot read {key} {value!r} (empty, or a prefix the file's curie_map does not declare); "
                    "row not imported",
                    where(key),
                )
                ok = False
            else:
                terms[key] = full
        if not ok:
            counts["rows not imported"] += 1
            continue
        s, p, o = terms["subject_id"], terms["predicate_id"], terms["object_id"]
        if p not in MAPPING_PREDICATES:
            problems.warn(
                f"predicate {cell('predicate_id')!r} is not a SKOS mapping property; row not imported",
                where("predicate_id"),
            )
            counts["rows not imported"] += 1
            continue
        for key, concept in (("subject_id", s), ("object_id", o)):
            if concept.startswith(RISK_NS):
                if concept not in ctx.concepts and concept not in ctx.other_concepts:
                    problems.warn(
                        f"{cell(key)!r} is not a concept of the curated data or of another import; row not imported",
                        where(key),
                    )
                    ok = False
            else:
                external.add(concept)
        s_scheme, o_scheme = ctx.concepts.get(s, ("?s",))[0], ctx.concepts.get(o, ("?o",))[0]
        if ok and s_scheme == o_scheme:
            problems.warn("a mapping must link two different taxonomies; row not imported", where("object_id"))
            ok = False
        if not ok:
            counts["rows not imported"] += 1
            continue
        if (s, p, o) in seen:
            problems.warn(f"the same mapping as line {seen[(s, p, o)]}; row not imported", Location(shown, line))
            counts["rows not imported"] += 1
            continue
        seen[(s, p, o)] = line
        _mapping(t, s, p, o, cell, where, expand, ctx, problems, set_id)
        counts["mappings"] += 1
    counts["external concepts"] = len(external)
    if counts["mappings"] == 0 and counts["rows not imported"] == 0:
        raise DataError("the table has no mapping rows", Location(shown, first + 1))
    problems.raise_errors()
    return ImportResult(
        kind=KIND, name=name, ntriples=t.ntriples(), counts=counts, source=info, problems=problems.items
    )


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip() if value else ""


def _mapping(
    t: Triples,
    s: str,
    p: str,
    o: str,
    cell: Any,
    where: Any,
    expand: _Expander,
    ctx: Context,
    problems: Problems,
    set_id: str,
) -> None:
    justification = expand(cell("mapping_justification")) or ""
    extra = [(ar("justification"), iri(justification))]
    conf = cell("confidence")
    if conf:
        try:
            value = float(conf)
            if not 0 <= value <= 1:
                raise ValueError
            text = (f"{value:.6f}".rstrip("0").rstrip(".")) or "0"
            extra.append((ar("confidence"), lit(text, datatype="http://www.w3.org/2001/XMLSchema#decimal")))
        except ValueError:
            problems.warn(f"confidence {conf!r} is not a number from 0 to 1; left out", where("confidence"))
    for author in cell("author_id").split("|"):
        full = expand(author) if author.strip() else None
        if full:
            extra.append((P["creator"], iri(full)))
            if not full.startswith(ID):  # an outside author (an ORCID, say): say only that it is an agent
                t.add(iri(full), P["type"], iri("http://xmlns.com/foaf/0.1/Agent"))
    if url_term(set_id):
        extra.append((ar("mappingSet"), iri(set_id)))
    sources: list[str] = []
    for ref in cell("see_also").split("|"):
        ref = ref.strip()
        if ref.startswith("src:") and ctx.has("Source", ref[4:]):
            sources.append(iri(str(entity_iri("source", ref[4:]))))
        elif url_term(ref):
            extra.append((P["seeAlso"], iri(ref)))
    label = justification[len(str(SEMAPV)) :] if justification.startswith(str(SEMAPV)) else justification
    note = cell("comment") or f"Mapping from the table {set_id or 'imported'} ({label})."
    ax = t.claim(
        iri(s), iri(p), iri(o), note=note, sources=sources, extra=extra, locator=f"line {where('subject_id').line}"
    )
    t.add(ax, P["type"], ar("Mapping"))
