"""The shapes' ``sh:sparql`` constraints, run as whole-graph SPARQL queries on Oxigraph.

pySHACL runs a SPARQL-based constraint once per focus node, through rdflib's query engine: on the
shipped data that is tens of thousands of small queries, most of the validation time. The same
constraint as one query over the whole graph (the constraint's ``SELECT`` with ``$this`` left free,
joined with the shape's targets) gives the same results at a fraction of the cost.

:func:`split_shapes` takes the shapes graph apart into the shapes without their ``sh:sparql``
constraints (for pySHACL) and a list of :class:`SparqlCheck`; :func:`run_sparql_checks` runs them
on a pyoxigraph store and returns one :class:`Finding` per result row, with the constraint's
message filled in as SHACL prescribes (``{?var}`` and ``{$var}`` replaced by the row's values).
Supported targets: ``sh:targetClass`` (with ``rdfs:subClassOf*``), ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``; a node shape that is itself a class is its own
target class (implicit class target).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from graph.core.errors import AiriskError

_MESSAGE_VAR = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")
_THIS = re.compile(r"\$this\b")
#: The opening brace of a query's WHERE group (the keyword is optional in SPARQL).
_WHERE = re.compile(r"^[^{]*?\{", re.DOTALL)


@dataclass(frozen=True)
class SparqlCheck:
    """One ``sh:sparql`` constraint of a node shape, as one whole-graph SELECT query."""

    shape: str
    query: str
    message: str
    severity: str  # the SHACL severity IRI


@dataclass(frozen=True)
class Finding:
    """One result of a :class:`SparqlCheck`: the focus node and the filled-in message."""

    focus: str
    message: str
    severity: str
    value: str | None


def _closure(g: Graph, node: Any, out: set[tuple[Any, Any, Any]]) -> None:
    for p, o in g.predicate_objects(node):
        out.add((node, p, o))
        if isinstance(o, BNode):
            _closure(g, o, out)


def _prefixes(shapes: Graph, constraint: Any) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(lines)


def _targets(shapes: Graph, shape: Any) -> list[str]:
    sub = f"<{RDFS.subClassOf}>*"
    found = [f"{{ ?this a/{sub} {k.n3()} }}" for k in shapes.objects(shape, SH.targetClass)]
    if (shape, RDF.type, RDFS.Class) in shapes:
        found.append(f"{{ ?this a/{sub} {URIRef(shape).n3()} }}")
    found += [f"{{ VALUES ?this {{ {n.n3()} }} }}" for n in shapes.objects(shape, SH.targetNode)]
    found += [f"{{ ?this {p.n3()} [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    found += [f"{{ [] {p.n3()} ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    return found


def bind_targets(select: str, targets: list[str]) -> str:
    """The constraint's SELECT with its focus nodes bound first inside its WHERE group.

    SHACL pre-binds ``$this`` to each focus node; putting the targets' pattern at the start of the
    outermost group (``$this`` renamed ``?this``) binds it for every part of that group, filters
    and ``NOT EXISTS`` included, while nested sub-selects still see the whole graph, as with
    pre-binding.
    """
    body = _THIS.sub("?this", select)
    m = _WHERE.search(body)
    if m is None:
        raise AiriskError(f"a sh:select has no WHERE group: {select.strip()[:200]}")
    focus = f" {{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(targets)} }} }} "
    return body[: m.end()] + focus + body[m.end() :]


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlCheck]]:
    """The shapes without their ``sh:sparql`` constraints, and those constraints as queries.

    A constraint marked ``sh:deactivated true`` (or on a deactivated shape) is left out of both.
    """
    drop: set[tuple[Any, Any, Any]] = set()
    checks: list[SparqlCheck] = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql)):
        _closure(shapes, constraint, drop)
        drop.add((shape, SH.sparql, constraint))
        deactivated = any(str(shapes.value(n, SH.deactivated)).lower() == "true" for n in (shape, constraint))
        select = shapes.value(constraint, SH.select)
        targets = _targets(shapes, shape)
        if deactivated or select is None or not targets:
            continue
        query = f"{_prefixes(shapes, constraint)}\n" + bind_targets(str(select), targets)
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation  # a shape's severity, as SHACL defines it
        checks.append(SparqlCheck(str(shape), query, str(message or ""), str(severity)))
    plain = Graph()
    for prefix, ns in shapes.namespaces():
        plain.bind(prefix, ns, override=True)
    for triple in shapes:
        if triple not in drop:
            plain.add(triple)
    return plain, checks


def fill_message(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{?name}`` / ``{$name}`` replaced by its value (left as is when unbound)."""

    def one(m: re.Match[str]) -> str:
        return values.get(m.group(1), m.group(0))

    return _MESSAGE_VAR.sub(one, template)


def _show(term: Any) -> str:
    return str(term.value)


def data_store(data: Graph) -> Any:
    """A pyoxigraph store holding ``data`` as its default graph (what the checks run on)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def run_sparql_checks(store: Any, checks: list[SparqlCheck]) -> list[Finding]:
    """Run every check on ``store`` (a ``pyoxigraph.Store`` holding the data graph as its default graph)."""
    import pyoxigraph as ox

    findings: list[Finding] = []
    for check in checks:
        try:
            solutions = store.query(check.query)
        except SyntaxError as exc:
            raise AiriskError(f"the sh:sparql constraint of shape {check.shape} does not parse: {exc}") from None
        if not isinstance(solutions, ox.QuerySolutions):
            continue
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {n: solution[n] for n in names if solution[n] is not None}
            focus = row.get("this")
            if focus is None:
                continue
            message = fill_message(check.message, {k: _show(v) for k, v in row.items()})
            value = row.get("value", focus)
            findings.append(Finding(_show(focus), message, check.severity, _show(value)))
    return findings
