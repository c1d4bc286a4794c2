"""The version fields of taxonomy files: their cross-record checks and their RDF.

``revises: OLD`` in a taxonomy header, ``previous: [{code, change, note, sources}]`` on a concept
and top-level ``removed: [{code, note, sources}]`` (``docs/data-format.md``, decision record 0007).
:func:`check_versions` is part of :func:`graph.core.integrity.check_integrity`;
:func:`version_triples` is part of :func:`graph.core.build.build_graph`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV

from graph.core.errors import Location, Problem
from graph.core.load import Dataset, Taxonomy
from graph.core.namespaces import AR, risk_iri, scheme_iri
from graph.core.yamlpos import PosDict, PosList

#: change word of the YAML -> ontology individual
CHANGE_TERMS = {
    "same": AR.SameConcept,
    "renamed": AR.Renamed,
    "moved": AR.Moved,
    "merged": AR.Merged,
    "split": AR.Split,
    "redefined": AR.Redefined,
}


def _previous(tax: Taxonomy) -> Iterator[tuple[str, PosDict, PosDict]]:
    """(new code, concept data, previous entry) for every ``previous:`` entry of ``tax``."""
    for code, concept in tax.concepts.items():
        entries = concept.data.get("previous")
        for entry in entries if isinstance(entries, PosList) else []:
            if isinstance(entry, PosDict) and isinstance(entry.get("code"), (str, int)):
                yield code, concept.data, entry


def check_versions(ds: Dataset) -> list[Problem]:
    """Problems with ``revises`` / ``previous`` / ``removed`` across the taxonomies of ``ds``."""
    out: list[Problem] = []

    def add(msg: str, loc: Location, hint: str | None = None, severity: str = "error") -> None:
        out.append(Problem(msg, loc, severity=severity, hint=hint, check="version"))

    for prefix, tax in ds.taxonomies.items():
        old_prefix = tax.revises
        has_previous = any(True for _ in _previous(tax))
        if old_prefix is None:
            if has_previous or tax.removed:
                add(
                    "'previous' and 'removed' need the taxonomy to say which version it revises",
                    tax.header.loc(None, prefix),
                    "add 'revises: PREFIX' to the taxonomy header",
                )
            continue
        where = tax.header.loc("revises", prefix)
        old = ds.taxonomies.get(old_prefix)
        if old_prefix == prefix:
            add("a taxonomy cannot revise itself", where)
            continue
        if old is None:
            add(
                f"revises {old_prefix!r}, which is not a taxonomy of the data",
                where,
                f"known: {', '.join(sorted(ds.taxonomies))}",
            )
            continue
        chain: list[str] = [prefix]
        cur: Taxonomy | None = old
        while cur is not None and cur.revises is not None:
            if cur.revises in chain or cur.revises == cur.prefix:
                add(f"revision cycle: {' -> '.join([*chain, cur.prefix, cur.revises])}", where)
                break
            chain.append(cur.prefix)
            cur = ds.taxonomies.get(cur.revises)
        carried: dict[str, list[tuple[str, str]]] = {}
        for code, data, entry in _previous(tax):
            old_code = str(entry["code"])
            loc = entry.loc("code", f"{prefix}:{code}")
            if old_code not in old.concepts:
                add(f"previous code {old_code!r} is not a concept of {old_prefix}", loc)
                continue
            carried.setdefault(old_code, []).append((code, str(entry.get("change"))))
            if entry.get("change") == "merged":
                n = sum(1 for e in data.get("previous") or [] if isinstance(e, PosDict) and e.get("change") == "merged")
                if n < 2:
                    add(
                        f"{prefix}:{code} is 'merged' from one concept only",
                        loc,
                        "list every merged concept, or use 'same', 'renamed' or 'redefined'",
                        "warning",
                    )
        for old_code, news in carried.items():
            splits = [c for c, ch in news if ch == "split"]
            if splits and len(splits) < 2:
                add(
                    f"{old_prefix}:{old_code} is 'split' into one concept only ({prefix}:{splits[0]})",
                    tax.concepts[splits[0]].loc("previous"),
                    "each part of a split lists the old concept",
                    "warning",
                )
        removed_codes: set[str] = set()
        for entry in tax.removed:
            code = str(entry.get("code"))
            loc = entry.loc("code", f"{prefix} removed {code}")
            if code not in old.concepts:
                add(f"removed code {code!r} is not a concept of {old_prefix}", loc)
            elif code in carried:
                add(f"{old_prefix}:{code} is listed as removed but {prefix}:{carried[code][0][0]} carries it over", loc)
            elif code in removed_codes:
                add(f"{old_prefix}:{code} is listed as removed twice", loc)
            removed_codes.add(code)
        for code in old.concepts:
            if code not in carried and code not in removed_codes:
                add(
                    f"{old_prefix}:{code} is neither carried over into {prefix} (a 'previous' entry) nor 'removed'",
                    tax.header.loc("revises", prefix),
                    severity="warning",
                )
    return out


def version_triples(ds: Dataset, claim: Callable[..., Any], add: Callable[[URIRef, URIRef, Any], None]) -> None:
    """Add the version links of ``ds`` with the builder's ``claim`` and ``add`` functions."""
    for prefix, tax in ds.taxonomies.items():
        old_prefix = tax.revises
        if old_prefix is None or old_prefix not in ds.taxonomies or old_prefix == prefix:
            continue
        new_s, old_s = scheme_iri(prefix), scheme_iri(old_prefix)
        add(new_s, PROV.wasRevisionOf, old_s)
        add(new_s, DCTERMS.replaces, old_s)
        add(old_s, DCTERMS.isReplacedBy, new_s)
        old = ds.taxonomies[old_prefix]
        for code, _data, entry in _previous(tax):
            old_code = str(entry["code"])
            term = CHANGE_TERMS.get(str(entry.get("change")))
            if old_code not in old.concepts or term is None:
                continue
            claim(
                risk_iri(prefix, code),
                PROV.wasRevisionOf,
                risk_iri(old_prefix, old_code),
                entry.get("sources"),
                entry.get("note"),
                entry.loc("code", f"{prefix}:{code}"),
                {AR.changeKind: term},
            )
        for entry in tax.removed:
            code = str(entry.get("code"))
            if code in old.concepts:
                claim(
                    risk_iri(old_prefix, code),
                    AR.removedIn,
                    new_s,
                    entry.get("sources"),
                    entry.get("note"),
                    entry.loc("code", f"{prefix} removed {code}"),
                )
