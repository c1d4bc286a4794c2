"""The read-only guard: refuse SPARQL that writes, loads or reaches the network.

Applied before any query from a user runs (CLI query files, the app's SPARQL page, the
endpoint). It reads the query as tokens, with strings, IRIs and comments set aside, so a keyword
inside a literal (``"please DELETE me"``) or an IRI does not trip it, and a keyword hidden by
odd spacing or case does not slip through.

Refused: every SPARQL Update operation (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE,
COPY, WITH ... ), ``SERVICE`` (federation opens outbound connections), and ``FROM`` /
``FROM NAMED`` unless they name one of this graph's own named graphs (rdflib fetches remote
``FROM`` graphs from the network).
"""

from __future__ import annotations

import re

from .errors import QueryRefused
from .namespaces import ID

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_.\-%]*)?|:[A-Za-z0-9_.\-%]*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
OWN_GRAPHS = ID + "graph/"


def tokens(query: str) -> list[tuple[str, str]]:
    """Split a SPARQL text into (kind, text) tokens, comments dropped."""
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append((kind, m.group()))
    return out


def check_read_only(query: str) -> None:
    """Raise :class:`QueryRefused` if ``query`` is not a plain read-only query."""
    toks = tokens(query)
    words = [(i, t.upper()) for i, (k, t) in enumerate(toks) if k == "word" and ":" not in t]
    for i, word in words:
        if word in UPDATE_KEYWORDS:
            # "DELETE"/"INSERT" etc. as bare keywords only occur in SPARQL Update.
            raise QueryRefused(
                f"refused: {word} is SPARQL Update; this graph is read-only (only SELECT, ASK, CONSTRUCT and DESCRIBE run)"
            )
        if word == "SERVICE":
            raise QueryRefused("refused: SERVICE (federated query) would open a network connection; it is not allowed")
        if word == "FROM":
            j = i + 1
            if j < len(toks) and toks[j][1].upper() == "NAMED":
                j += 1
            target_kind, target = toks[j] if j < len(toks) else ("", "")
            if not (target_kind == "iri" and target[1:-1].startswith(OWN_GRAPHS)):
                raise QueryRefused(
                    f"refused: FROM {target} would read a graph from outside this store; "
                    f"only this graph's own named graphs ({OWN_GRAPHS}...) may be named"
                )
    if not any(word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") for _, word in words):
        raise QueryRefused("refused: not a query (expected SELECT, ASK, CONSTRUCT or DESCRIBE)")


def query_form(query: str) -> str:
    """Return the query form: SELECT, ASK, CONSTRUCT or DESCRIBE (the first that appears)."""
    for kind, text in tokens(query):
        if kind == "word" and text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return text.upper()
    return ""
