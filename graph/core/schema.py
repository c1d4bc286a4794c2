"""The shape of the curated YAML records: which fields each kind has, and of what type.

This is the single description of ``data/`` that the loader checks records against (see
``docs/data-format.md``). Types:

``slug``        lowercase ``[a-z0-9-]`` identifier
``text``        a non-empty string
``texts``       a list of non-empty strings
``code``        a taxonomy code (``4.2``, ``LLM01``, ``AML.TA0002``)
``url``         an ``http(s)://`` URL
``date``        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
``int``         an integer
``ref:KIND``    the id of a record of KIND; ``refs:KIND`` a list of them
``risk``        a risk CURIE (``mit:4.2``); ``risks`` a list of them
``severity``    a mapping ``{level, note, sources}``
``links:TARGET`` a list of link mappings ``{TARGET, note, sources[, confidence, locator]}``
``list:NAME``   a list of sub-records whose fields are ``SUBRECORDS[NAME]`` (``previous``, ``removed``)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from graph.core.errors import Location, Problem
from graph.core.namespaces import CODE_RE, PREFIX_RE, SLUG_RE
from graph.core.yamlpos import PosDict, PosList


@dataclass(frozen=True)
class KindSpec:
    """How one kind of record is written in ``data/``."""

    kind: str  # key of namespaces.ENTITY_KINDS
    file_stem: str  # data/<file_stem>.yaml or data/<file_stem>/*.yaml
    top_key: str  # the list's key in the file
    fields: dict[str, str]
    required: tuple[str, ...]


COMMON = {"id": "slug", "description": "text", "sources": "refs:source", "aliases": "texts"}

KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "source",
            "sources",
            "sources",
            {
                "id": "slug",
                "title": "text",
                "publisher": "text",
                "date": "date",
                "url": "url",
                "authors": "text",
                "kind": "enum:paper|report|standard|regulation|web-page|dataset|framework|code|blog|news|"
                "press-release|book",
                "doi": "text",
                "note": "text",
            },
            ("id", "title", "url"),
        ),
        KindSpec(
            "method_type",
            "method-types",
            "method_types",
            {**COMMON, "label": "text"},
            ("id", "label", "description", "sources"),
        ),
        KindSpec(
            "mitigation_type",
            "mitigation-types",
            "mitigation_types",
            {**COMMON, "label": "text"},
            ("id", "label", "description", "sources"),
        ),
        KindSpec(
            "organisation",
            "organisations",
            "organisations",
            {
                **COMMON,
                "name": "text",
                "org_type": "enum:government-institute|government|developer|evaluator|standards-body|"
                "intergovernmental|academic|nonprofit|company|community|network",
                "country": "text",
                "url": "url",
                "parent": "ref:organisation",
            },
            ("id", "name", "sources"),
        ),
        KindSpec(
            "capability",
            "capabilities",
            "capabilities",
            {**COMMON, "name": "text", "enables": "links:risk"},
            ("id", "name", "description", "sources", "enables"),
        ),
        KindSpec(
            "test_method",
            "test-methods",
            "test_methods",
            {
                **COMMON,
                "name": "text",
                "method_type": "ref:method_type",
                "modality": "texts",
                "year": "int",
                "maintainer": "ref:organisation",
                "licence": "text",
                "url": "url",
                "inspect_task": "texts",
                "assesses": "links:risk",
                "measures": "links:capability",
            },
            ("id", "name", "description", "method_type", "sources"),
        ),
        KindSpec(
            "mitigation",
            "mitigations",
            "mitigations",
            {
                **COMMON,
                "name": "text",
                "mitigation_type": "ref:mitigation_type",
                "url": "url",
                "mitigates": "links:risk",
            },
            ("id", "name", "description", "mitigation_type", "sources", "mitigates"),
        ),
        KindSpec(
            "model",
            "models",
            "models",
            {**COMMON, "name": "text", "developer": "ref:organisation", "release_date": "date", "url": "url"},
            ("id", "name", "sources"),
        ),
        KindSpec(
            "exercise",
            "exercises",
            "exercises",
            {
                **COMMON,
                "name": "text",
                "date": "date",
                "organisations": "refs:organisation",
                "models": "refs:model",
                "reference_models": "refs:model",
                "domains": "risks",
                "capabilities": "refs:capability",
                "test_methods": "refs:test_method",
                "report_url": "url",
                "report_urls": "texts",
            },
            ("id", "name", "date", "organisations", "sources"),
        ),
        KindSpec(
            "event",
            "events",
            "events",
            {
                **COMMON,
                "name": "text",
                "date": "date",
                "event_type": "enum:agreement|declaration|summit|executive-order|regulation|framework|"
                "report|institution|commitment|standard|other",
                "organisations": "refs:organisation",
                "url": "url",
            },
            ("id", "name", "date", "sources"),
        ),
    )
}

TAXONOMY_FIELDS: dict[str, str] = {
    "prefix": "prefix",
    "title": "text",
    "publisher": "text",
    "version": "text",
    "issued": "date",
    "licence": "text",
    "url": "url",
    "sources": "refs:source",
    "published_concept_count": "int",
    "description": "text",
    "publisher_org": "ref:organisation",
    "revises": "prefix",
}
TAXONOMY_REQUIRED = ("prefix", "title", "publisher", "version", "issued", "licence", "url", "sources")

CONCEPT_FIELDS: dict[str, str] = {
    "code": "code",
    "label": "text",
    "broader": "code",
    "description": "text",
    "aliases": "texts",
    "sources": "refs:source",
    "severity": "severity",
    "previous": "list:previous",
}
CONCEPT_REQUIRED = ("code", "label", "sources")

#: The kinds of change between a concept and its predecessor in the revised version.
VERSION_CHANGES = ("same", "renamed", "moved", "merged", "split", "redefined")
#: ``previous:`` entries of a concept (its relation to concepts of the revised version).
PREVIOUS_FIELDS = {
    "code": "code",
    "change": "enum:" + "|".join(VERSION_CHANGES),
    "note": "text",
    "sources": "refs:source",
}
PREVIOUS_REQUIRED = ("code", "change", "note", "sources")
#: Top-level ``removed:`` entries of a taxonomy file (concepts of the revised version with no successor).
REMOVED_FIELDS = {"code": "code", "note": "text", "sources": "refs:source"}
REMOVED_REQUIRED = ("code", "note", "sources")
#: Sub-record lists (field type ``list:NAME``): their field tables.
SUBRECORDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "previous": (PREVIOUS_FIELDS, PREVIOUS_REQUIRED),
    "removed": (REMOVED_FIELDS, REMOVED_REQUIRED),
}
#: Top-level keys of a taxonomy file.
TAXONOMY_FILE_KEYS = ("taxonomy", "concepts", "removed")

#: ``data/not-applicable.yaml``: risk categories that model testing does not apply to.
NOT_APPLICABLE_FIELDS = {"risk": "risk", "note": "text", "sources": "refs:source", "locator": "text"}
NOT_APPLICABLE_REQUIRED = ("risk", "note", "sources")

LINK_FIELDS = {"note": "text", "sources": "refs:source", "confidence": "number", "locator": "text"}
LINK_REQUIRED = ("note", "sources")
#: Extra fields of capability -> risk links: is measuring the capability evidence about the risk?
ROLE_LINK_FIELDS = {"role": "enum:evidence|context", "role_note": "text"}
ROLE_LINKS = ("enables",)
SEVERITY_FIELDS = {"level": "int", "note": "text", "sources": "refs:source"}
SEVERITY_REQUIRED = ("level", "note", "sources")

#: Link field name -> ontology property local name, and the kind of its target.
LINK_PROPERTIES: dict[str, tuple[str, str]] = {
    "assesses": ("assessesRisk", "risk"),
    "measures": ("measuresCapability", "capability"),
    "enables": ("enablesRisk", "risk"),
    "mitigates": ("mitigatesRisk", "risk"),
}

SSSOM_PREDICATES = {
    "skos:exactMatch",
    "skos:closeMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
    "skos:relatedMatch",
}
SSSOM_REQUIRED = (
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "author_id",
    "comment",
    "see_also",
)
#: The SEMAPV justification terms SSSOM 1.0 allows.
SEMAPV_JUSTIFICATIONS = {
    "semapv:ManualMappingCuration",
    "semapv:LexicalMatching",
    "semapv:LogicalReasoning",
    "semapv:CompositeMatching",
    "semapv:UnspecifiedMatching",
    "semapv:SemanticSimilarityThresholdMatching",
    "semapv:LexicalSimilarityThresholdMatching",
    "semapv:MappingChaining",
    "semapv:MappingReview",
    "semapv:StructuralMatching",
    "semapv:InstanceBasedMatching",
    "semapv:BackgroundKnowledgeBasedMatching",
    "semapv:MappingInversion",
}


# ---------------------------------------------------------------------------------------------- checking
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
URL_RE = re.compile(r"^https?://[^\s<>\"]+$")
CURIE_RE = re.compile(r"^([a-z][a-z0-9-]*):([A-Za-z0-9][A-Za-z0-9._-]*)$")


def suggest(name: str, options: list[str] | set[str] | dict[str, Any]) -> str | None:
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
                bad(f"{text!r} is not one of {', '.join(allowed)}", suggest(text, allowed))
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


def check_mapping(
    data: Any, fields: dict[str, str], required: tuple[str, ...], where: Location, record: str
) -> list[Problem]:
    """Check a mapping's keys and values against a field table."""
    if not isinstance(data, PosDict):
        return [Problem(f"expected a mapping of fields, got {type(data).__name__}", where, check="shape")]
    problems: list[Problem] = []
    for key in data:
        if key not in fields:
            problems.append(
                Problem(f"unknown field {key!r}", data.loc(key, record), hint=suggest(key, fields), check="shape")
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
                problems.extend(check_mapping(item, link_fields, link_required, where_item, record))
        elif kind.startswith("list:"):
            sub_fields, sub_required = SUBRECORDS[kind[5:]]
            if not isinstance(value, list) or not value:
                problems.append(Problem("expected a non-empty list of entries", loc, check="shape"))
                continue
            for item in value:
                where_item = item.loc(None, record) if isinstance(item, PosDict) else loc
                problems.extend(check_mapping(item, sub_fields, sub_required, where_item, record))
        elif kind == "severity":
            problems.extend(check_mapping(value, SEVERITY_FIELDS, SEVERITY_REQUIRED, loc, record))
            if isinstance(value, PosDict) and isinstance(value.get("level"), int) and not 1 <= value["level"] <= 5:
                problems.append(
                    Problem(f"severity level {value['level']} is outside the rubric 1..5", value.loc("level", record))
                )
        else:
            problems.extend(check_value(kind, value, Location(loc.file, loc.line, loc.column, record, key)))
    return problems
