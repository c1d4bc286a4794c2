"""The read-only guard: refuse SPARQL that writes, loads or reaches the network.

Applied before any query from a user runs (CLI query files, the app's SPARQL page, the
endpoint). It reads the query as tokens, with strings, IRIs and comments set aside, so a keyword
inside a literal (``"please DELETE me"``) or an IRI does not trip it, and a keyword hidden by
odd spacing or case does not slip through.

Refused: every SPARQL Update operation (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE,
COPY, WITH ... ), ``SERVICE`` (federation opens outbound connections), and ``FROM`` /
``FROM NAMED`` unless they name one of this graph's own named graphs (rdflib fetches remote
``FROM`` graphs from the network).

SPARQL lets ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes stand for any character of the query text, and some
engines (Jena ARQ, for one) decode them before parsing, so ``\\u0053ERVICE`` is ``SERVICE`` there. The
guard therefore checks the text both as written and with those escapes decoded; either reading
being refused refuses the query.

Each refusal is a :class:`~graph.core.errors.QueryRefused`; the subclasses say why (``UpdateRefused``,
``FederationRefused``, ``DatasetRefused``, ``NotAQuery``), so the endpoint can pick a status code.
"""

from __future__ import annotations

import re

from graph.core.errors import QueryRefused
from graph.core.namespaces import ID

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
              |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_.\-%]*)?|:[A-Za-z0-9_.\-%]*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
OWN_GRAPHS = ID + "graph/"


class UpdateRefused(QueryRefused):
    """The text is (or contains) SPARQL Update: INSERT, DELETE, LOAD, CLEAR, DROP, ..."""


class FederationRefused(QueryRefused):
    """The query uses SERVICE (federation would open an outbound connection)."""


class DatasetRefused(QueryRefused):
    """The query names a graph from outside this store with FROM / FROM NAMED."""


class NotAQuery(QueryRefused):
    """No SELECT, ASK, CONSTRUCT or DESCRIBE in the text (usually a malformed query)."""


def decode_codepoints(query: str) -> str:
    """Decode SPARQL's ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes (SPARQL 1.1 Query, section 19.2)."""

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _CODEPOINT.sub(char, query)


def tokens(query: str) -> list[tuple[str, str]]:
    """Split a SPARQL text into (kind, text) tokens, comments dropped."""
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append((kind, m.group()))
    return out


def check_read_only(query: str) -> None:
    """Raise :class:`QueryRefused` if ``query`` is not a plain read-only query.

    The text is checked as written and, if it has ``\\u`` escapes, once more with them decoded.
    """
    readings = [query]
    decoded = decode_codepoints(query)
    if decoded != query:
        readings.append(decoded)
    has_form = False
    for text in readings:
        has_form = _check_tokens(text) or has_form
    if not has_form:
        raise NotAQuery("refused: not a query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)")


def _check_tokens(query: str) -> bool:
    """Raise for update, SERVICE or a foreign FROM; return whether a query form keyword appears."""
    toks = tokens(query)
    words = [(i, t.upper()) for i, (k, t) in enumerate(toks) if k == "word" and ":" not in t]
    for i, word in words:
        if word in UPDATE_KEYWORDS:
            # "DELETE"/"INSERT" etc. as bare keywords only occur in SPARQL Update.
            raise UpdateRefused(
                f"refused: {word} is SPARQL Update; this graph is read-only "
                "(only SELECT, ASK, CONSTRUCT and DESCRIBE run)"
            )
        if word == "SERVICE":
            raise FederationRefused(
                "refused: SERVICE (federated query) would open a network connection; it is not allowed"
            )
        if word == "FROM":
            j = i + 1
            if j < len(toks) and toks[j][1].upper() == "NAMED":
                j += 1
            target_kind, target = toks[j] if j < len(toks) else ("", "")
            if not (target_kind == "iri" and target[1:-1].startswith(OWN_GRAPHS)):
                raise DatasetRefused(
                    f"refused: FROM {target} would read a graph from outside this store; "
                    f"only this graph's own named graphs ({OWN_GRAPHS}...) may be named"
                )
    return any(word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") for _, word in words)


def query_form(query: str) -> str:
    """Return the query form: SELECT, ASK, CONSTRUCT or DESCRIBE (the first that appears)."""
    for kind, text in tokens(decode_codepoints(query)):
        if kind == "word" and text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return text.upper()
    return ""


def names_dataset(query: str) -> bool:
    """True if the query has a FROM or FROM NAMED clause (outside strings, IRIs and comments)."""
    return any(kind == "word" and text.upper() == "FROM" for kind, text in tokens(decode_codepoints(query)))
