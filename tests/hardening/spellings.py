"""Generated spellings of SERVICE and FROM that try to reach a listener (hardening tests).

Each spelling is a complete query that, if the engine ran it unguarded and unconfined, would make
it connect to ``target`` (a loopback listener): ``SERVICE <target>`` in every query form and in
nested positions, with case changes, comments, ``\\u`` escapes of the keyword and of the IRI,
escapes in prefixed names before it (the tokenizer confusion of the past), prefixed-name targets,
``SERVICE SILENT``, variables bound to the target, and ``FROM`` / ``FROM NAMED`` of the target.
"""

from __future__ import annotations

import itertools


def _u(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)


def _keywords() -> list[str]:
    return [
        "SERVICE",
        "service",
        "SeRvIcE",
        _u("SERVICE"),
        "\\u0053ERVICE",
        "SERVIC\\u0045",
        "\\U00000053ERVICE",
    ]


def _silent() -> list[str]:
    return ["", "SILENT ", "silent ", _u("SILENT") + " "]


def _targets(target: str) -> list[tuple[str, str]]:
    """(prologue, term) pairs that name ``target``."""
    base, _, local = target.rpartition("/")
    return [
        ("", f"<{target}>"),
        ("", "<" + _u(target) + ">"),
        (f"PREFIX t: <{base}/> ", f"t:{local}"),
        (f"PREFIX t\\u003A <{base}/> ", f"t:{local}"),
        (f"BASE <{base}/> ", f"<{local}>"),
    ]


def _preludes() -> list[str]:
    """Text placed before the SERVICE clause inside the group (escapes, comments, odd tokens)."""
    return [
        "",
        "OPTIONAL { ?s ex:a\\# ?o } ",
        "OPTIONAL { ?s ex:a\\#b ?o } ",
        "?s ex:a\\. ?o . ",
        "?s ex:\\%41 ?o . ",
        "# a comment\n",
        "#}\n",
        '?s ?p "# not a comment" . ',
        "?s ?p '''multi\n#line''' . ",
        '?s ?p "\\"#" . ',
        "?s ?p <http://x/#frag> . ",
        "{ ?s ?p ?o } UNION ",
    ]


def _wrap(form: str, group: str, prologue: str) -> str:
    """A whole query of ``form`` whose WHERE clause is ``group``."""
    head = "PREFIX ex: <http://ex/> " + prologue
    if form == "SELECT":
        return f"{head}SELECT * WHERE {{ {group} }}"
    if form == "ASK":
        return f"{head}ASK {{ {group} }}"
    if form == "CONSTRUCT":
        return f"{head}CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {group} }}"
    if form == "DESCRIBE":
        return f"{head}DESCRIBE ?s WHERE {{ {group} }}"
    if form == "SUBSELECT":
        return f"{head}SELECT * WHERE {{ {{ SELECT * WHERE {{ {group} }} }} }}"
    if form == "EXISTS":
        return f"{head}SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ {group} }} }}"
    if form == "NESTED":
        return f"{head}SELECT * WHERE {{ {{ {{ OPTIONAL {{ {{ {group} }} }} }} }} }}"
    return f"{head}SELECT * WHERE {{ GRAPH ?g {{ {group} }} }}"


FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "SUBSELECT", "EXISTS", "NESTED", "GRAPH")


def service_spellings(target: str) -> list[str]:
    """SERVICE spellings aimed at ``target`` (several hundred, deterministic order)."""
    out: list[str] = []
    kws, silents, targets, preludes = _keywords(), _silent(), _targets(target), _preludes()
    plain = ("SERVICE", "service", "SeRvIcE")
    for i, (form, prelude, kw) in enumerate(itertools.product(FORMS, preludes, plain)):
        silent = ("", "SILENT ")[i % 2]
        prologue, term = targets[i % len(targets)]
        out.append(_wrap(form, f"{prelude}{kw} {silent}{term} {{ ?s ?p ?o }}", prologue))
    for kw, silent, (prologue, term) in itertools.product(kws, silents, targets):
        out.append(_wrap("SELECT", f"{kw} {silent}{term} {{ ?s ?p ?o }}", prologue))
    for form in FORMS:
        # a variable bound to the target
        out.append(_wrap(form, f"BIND(<{target}> AS ?svc) SERVICE ?svc {{ ?s ?p ?o }}", ""))
        out.append(_wrap(form, f"VALUES ?svc {{ <{target}> }} SERVICE SILENT ?svc {{ ?s ?p ?o }}", ""))
        # comments and line breaks between the keyword and its target
        out.append(_wrap(form, f"SERVICE # why not\n <{target}> {{ ?s ?p ?o }}", ""))
        out.append(_wrap(form, f"SERVICE\n\t<{target}>\n{{ ?s ?p ?o }}", ""))
    return out


def from_spellings(target: str) -> list[str]:
    """FROM / FROM NAMED spellings naming ``target`` (the engine would load it)."""
    base, _, local = target.rpartition("/")
    out: list[str] = []
    clauses = [
        f"FROM <{target}>",
        f"FROM NAMED <{target}>",
        f"from <{target}>",
        f"{_u('FROM')} <{target}>",
        "FROM <" + _u(target) + ">",
        f"FROM t:{local}",
        f"FROM NAMED t:{local}",
        f"FROM <https://w3id.org/airisk/id/graph/curated> FROM <{target}>",
        f"FROM # comment\n <{target}>",
    ]
    for clause in clauses:
        head = f"PREFIX t: <{base}/> "
        out.append(f"{head}SELECT * {clause} WHERE {{ ?s ?p ?o }}")
        out.append(f"{head}ASK {clause} {{ ?s ?p ?o }}")
        out.append(f"{head}CONSTRUCT {{ ?s ?p ?o }} {clause} WHERE {{ ?s ?p ?o }}")
        out.append(f"{head}DESCRIBE ?s {clause} WHERE {{ ?s ?p ?o }}")
    return out


def all_spellings(target: str) -> list[str]:
    """Every SERVICE and FROM spelling aimed at ``target``."""
    return service_spellings(target) + from_spellings(target)
