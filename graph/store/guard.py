"""The read-only guard: refuse SPARQL that writes, loads or reaches the network.

Applied before any query from a user runs (endpoint, the app's SPARQL page, ``airisk query
FILE``), inside the query worker that then runs it. It is the second wall: the first is the
kernel's (:mod:`graph.sandbox.confine`), which leaves the worker unable to open a network socket at all.

The guard reads the query with a real SPARQL 1.1 parser (rdflib's, :func:`parseQuery` and
:func:`translateQuery`) and inspects the parsed algebra, so how a query is spelled (case,
comments, escapes in prefixed names, ``\\u`` escapes, nesting) does not matter: what the parser
sees as ``SERVICE`` is refused, wherever it is. A text the parser cannot read is refused too
(fail closed): the engine must never run a query the guard could not inspect.

Refused: every SPARQL Update request (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY,
WITH ...), ``SERVICE`` (federation opens outbound connections), ``FROM`` / ``FROM NAMED`` unless
they name one of this graph's own named graphs, and queries nested deeper than
:data:`MAX_NESTING` (checked on the raw text before parsing: deep nesting overflows parsers).

Each refusal is a :class:`~graph.errors.QueryRefused`; the subclasses say why (``UpdateRefused``,
``FederationRefused``, ``DatasetRefused``, ``NestingRefused``, ``NotAQuery``), so the endpoint can
pick a status code.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graph.core.errors import QueryRefused
from graph.core.namespaces import ID

OWN_GRAPHS = ID + "graph/"
#: Deepest nesting of ``{ ( [`` a query may have (real queries stay under 15).
MAX_NESTING = 64
#: The parser recurses about 90 frames per nesting level; this leaves room for MAX_NESTING.
_RECURSION_LIMIT = 8000
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN = {"{": "}", "(": ")", "[": "]"}
_PARSER = threading.Lock()  # pyparsing's packrat cache is shared by every thread: one parse at a time
_SERVICE_WORD = re.compile(r"\bSERVICE\b", re.IGNORECASE)  # only to word a refusal; the parser decides
_UPDATE_WORDS = {
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}
_CLOSE = set(_OPEN.values())
#: The functions whose value changes from one evaluation to the next (SPARQL 1.1 Query, 17.4).
_VARYING = ("Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE")


class UpdateRefused(QueryRefused):
    """The text is SPARQL Update: INSERT, DELETE, LOAD, CLEAR, DROP, ..."""


class FederationRefused(QueryRefused):
    """The query uses SERVICE (federation would open an outbound connection)."""


class DatasetRefused(QueryRefused):
    """The query names a graph from outside this store with FROM / FROM NAMED."""


class NestingRefused(QueryRefused):
    """The query nests groups, expressions or blank nodes deeper than :data:`MAX_NESTING`."""


class NotAQuery(QueryRefused):
    """The text does not parse as a SPARQL 1.1 query (the message says where)."""


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learnt from a query it let through."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    names_dataset: bool  # it has FROM / FROM NAMED (then exactly that dataset is queried)
    deterministic: bool = True  # no NOW, RAND, UUID, STRUUID or BNODE: the same graph gives the same answer


def decode_codepoints(query: str) -> str:
    """Decode SPARQL's ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes (SPARQL 1.1 Query, section 19.2)."""

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _CODEPOINT.sub(char, query)


def check_nesting(query: str, limit: int = MAX_NESTING) -> None:
    """Raise :class:`NestingRefused` if brackets in ``query`` nest deeper than ``limit``.

    Counts every ``{ ( [`` on the raw text (and its ``\\u``-decoded reading), strings included:
    cheap, done before any parser sees the text, and never lower than the parser's own depth.
    """
    if sum(query.count(c) for c in _OPEN) <= limit and "\\" not in query:
        return  # too few brackets to nest past the limit (and no escape that could add any)
    for text in {query, decode_codepoints(query)}:
        depth = 0
        line, line_start = 1, 0
        for i, c in enumerate(text):
            if c == "\n":
                line, line_start = line + 1, i + 1
            elif c in _OPEN:
                depth += 1
                if depth > limit:
                    raise NestingRefused(
                        f"refused: the query nests brackets more than {limit} levels deep "
                        f"(at line {line}, column {i - line_start + 1}); simplify it"
                    )
            elif c in _CLOSE and depth:
                depth -= 1


def check_read_only(query: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
    """Raise :class:`QueryRefused` unless ``query`` is a plain read-only query; say what it is.

    ``prefixes`` are the prefixes the engine declares for the query (undeclared prefixed names
    in the query resolve against them, as in the engine).
    """
    check_nesting(query)
    return _inspect(query, tuple(sorted((prefixes or {}).items())))


@lru_cache(maxsize=1024)
def _inspect(query: str, prefixes: tuple[tuple[str, str], ...]) -> QueryInfo:
    with _PARSER:
        return _inspect_parsed(query, prefixes)


def _inspect_parsed(query: str, prefixes: tuple[tuple[str, str], ...]) -> QueryInfo:
    from pyparsing.exceptions import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        parsed = parseQuery(query)
    except ParseBaseException as exc:
        # An update, alone or after a query ("SELECT ... ; DROP ALL"), is refused as one.
        _refuse_update(query)
        _refuse_update(query[exc.loc :].lstrip().removeprefix(";"))
        where = f"at line {exc.lineno}, column {exc.col}: {_expected(exc)}"
        if _SERVICE_WORD.search(decode_codepoints(query)):
            raise FederationRefused(
                "refused: SERVICE (federated query) would open a network connection; it is not allowed "
                f"(and the text does not parse as SPARQL 1.1 {where})"
            ) from None
        raise NotAQuery(f"SPARQL syntax error {where}") from None
    except RecursionError:
        raise NestingRefused("refused: the query is nested too deeply to check; simplify it") from None
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise NotAQuery(f"SPARQL syntax error: {exc}") from None
    # SERVICE is refused on the parse tree, before anything else can fail on the query.
    if any(_named(parsed, "ServiceGraphPattern")):
        raise FederationRefused("refused: SERVICE (federated query) would open a network connection; it is not allowed")
    try:
        algebra = translateQuery(parsed, initNs=dict(prefixes)).algebra
    except RecursionError:
        raise NestingRefused("refused: the query is nested too deeply to check; simplify it") from None
    except Exception as exc:  # rdflib raises bare Exception for unknown prefixes and bad aggregates
        raise NotAQuery(f"SPARQL error: {exc}") from None
    if any(_named(algebra, "ServiceGraphPattern")):
        raise FederationRefused("refused: SERVICE (federated query) would open a network connection; it is not allowed")
    # CompValue.get answers the key itself for a missing key: test membership instead.
    dataset = list(algebra["datasetClause"] or []) if "datasetClause" in algebra else []
    for clause in dataset:
        keyword = "FROM NAMED" if "named" in clause else "FROM"
        target = clause["named"] if "named" in clause else clause["default"]
        if not str(target).startswith(OWN_GRAPHS):
            raise DatasetRefused(
                f"refused: {keyword} <{target}> would read a graph from outside this store; "
                f"only this graph's own named graphs ({OWN_GRAPHS}...) may be named"
            )
    varying = any(next(_named(algebra, name), None) is not None for name in _VARYING)
    return QueryInfo(_FORMS.get(algebra.name, "SELECT"), bool(dataset), deterministic=not varying)


def _named(node: Any, name: str, depth: int = 0) -> Iterator[Any]:
    """Every parse-tree or algebra node called ``name`` under ``node``."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == name:
            yield node
        for key, value in node.items():
            if not key.startswith("_"):
                yield from _named(value, name, depth + 1)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _named(value, name, depth + 1)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _named(value, name, depth + 1)


def _refuse_update(query: str) -> None:
    """Raise :class:`UpdateRefused` if ``query`` parses as SPARQL Update."""
    from pyparsing.exceptions import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(query)
    except (ParseBaseException, RecursionError, ValueError, TypeError, AttributeError, IndexError):
        return
    requests = list(update["request"]) if "request" in update else []
    if not requests:
        return  # nothing but comments or prologue: not an update (and not a query)
    names = ", ".join(dict.fromkeys(_UPDATE_WORDS.get(getattr(r, "name", ""), "an update") for r in requests))
    raise UpdateRefused(
        f"refused: {names} is SPARQL Update; this graph is read-only (only SELECT, ASK, CONSTRUCT and DESCRIBE run)"
    )


def _expected(exc: Any) -> str:
    text = str(getattr(exc, "msg", "") or exc)
    return text.split("  (at char")[0]


def query_form(query: str, prefixes: dict[str, str] | None = None) -> str:
    """The query form (SELECT, ASK, CONSTRUCT or DESCRIBE) of a query the guard lets through."""
    return check_read_only(query, prefixes).form


def names_dataset(query: str) -> bool:
    """True if the query has a FROM or FROM NAMED clause (as the parser reads it).

    A query whose text (``\\u`` escapes decoded) has no ``from`` at all cannot have one: answered
    without parsing, which keeps the library's own queries fast. A text that does not parse has
    none (the engine then reports the syntax error).
    """
    if "from" not in decode_codepoints(query).lower():
        return False
    return _has_dataset(query)


@lru_cache(maxsize=256)
def _has_dataset(query: str) -> bool:
    from pyparsing.exceptions import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        check_nesting(query)
        with _PARSER:
            parsed = parseQuery(query)
    except (QueryRefused, ParseBaseException, RecursionError, ValueError, TypeError, AttributeError, IndexError):
        return False
    return any("datasetClause" in node for node in parsed[1:] if isinstance(node, dict))
