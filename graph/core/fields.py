"""Checking a record's fields against the field types of :mod:`graph.core.schema`.

:func:`check_mapping` checks one mapping of fields (a record, a link, a severity, a ``previous``
entry) and :func:`check_value` one value; both return the problems found, each with the file, line,
column, record and field.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from graph.core.errors import Location, Problem
from graph.core.namespaces import CODE_RE, PREFIX_RE, SLUG_RE
from graph.core.schema import (
    LINK_FIELDS,
    LINK_REQUIRED,
    ROLE_LINK_FIELDS,
    ROLE_LINKS,
    SEVERITY_FIELDS,
    SEVERITY_REQUIRED,
    SUBRECORDS,
)
from graph.core.yamlpos import PosDict, PosList

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
    elif kind == "bool":
        if not isinstance(value, bool):
            bad(f"expected true or false, got {value!r}")
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
        elif kind.startswith("items:"):
            problems.extend(check_items(kind[6:], value, loc, record))
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


def check_items(name: str, value: Any, loc: Location, record: str) -> list[Problem]:
    """Check a list of nested records (``items:NAME``): each against its fields, one-of rules included."""
    from graph.core.schema import ITEM_FIELDS, ITEM_ONE_OF

    if not isinstance(value, list):
        return [Problem(f"expected a list of {name.replace('_', ' ')}s (one '- ...' mapping each)", loc, check="shape")]
    fields, required = ITEM_FIELDS[name]
    one_of = ITEM_ONE_OF.get(name, ())
    problems: list[Problem] = []
    for item in value:
        where = item.loc(None, record) if isinstance(item, PosDict) else loc
        problems.extend(check_mapping(item, fields, required, where, record))
        if one_of and isinstance(item, PosDict):
            given = [k for k in one_of if k in item]
            if len(given) != 1:
                what = "both " + " and ".join(given) if given else "none of " + ", ".join(one_of)
                problems.append(
                    Problem(f"give exactly one of {' or '.join(one_of)} (found {what})", where, check="shape")
                )
    return problems
