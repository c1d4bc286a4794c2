"""Taxonomy versions: what changed between two schemes, and what happens to links and coverage.

``diff_schemes(kg, "iasr2025", "iasr2026")`` lists the concepts added, removed, renamed, moved,
merged, split, redefined and kept, and follows every mapping, test-method link, mitigation link,
capability link and coverage state of an old concept to its successors.

How old and new concepts are paired (the ``basis`` of every row):

- ``declared``: NEW says it revises OLD (``prov:wasRevisionOf``, from ``revises:`` in its file) and
  the concept says what it was (``previous:``, with a change kind and sources), or the old concept
  is declared removed (``removed:``);
- ``code`` / ``label``: otherwise (concepts the curators left out, or two schemes with no declared
  succession) the same code, else the same label, pairs them; the kind is worked out (``same``,
  ``renamed`` when the label differs, ``moved`` when the broader concept does);
- ``none``: an old concept nothing pairs with is ``removed``, a new one ``added``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.core.errors import NotFound
from graph.core.namespaces import curie, scheme_iri
from graph.store.kg import KnowledgeGraph

#: Order of the change kinds in every output.
KINDS = ("added", "removed", "renamed", "moved", "merged", "split", "redefined", "same")
_AR = "https://w3id.org/airisk/ontology#"
_KIND_OF = {
    "SameConcept": "same",
    "Renamed": "renamed",
    "Moved": "moved",
    "Merged": "merged",
    "Split": "split",
    "Redefined": "redefined",
}
#: relation (as shown) -> (SPARQL pattern with ?x the other end and ?c the concept)
_LINKS = {
    "test method assesses": "?x ar:assessesRisk ?c",
    "mitigation addresses": "?x ar:mitigatesRisk ?c",
    "capability enables": "?x ar:enablesRisk ?c",
}


@dataclass
class Concept:
    """A concept of one of the two schemes."""

    curie: str
    iri: str
    code: str
    label: str
    broader: str | None  # code of the broader concept in the same scheme


@dataclass
class Change:
    """One row of the diff: old concept(s) -> new concept(s), with the kind of change and its basis."""

    kind: str
    old: list[str]
    new: list[str]
    old_labels: list[str]
    new_labels: list[str]
    basis: str
    note: str = ""
    sources: list[str] = field(default_factory=list)


@dataclass
class LinkFate:
    """What happens to one link or mapping of an old concept (or of a new concept) in the new version."""

    relation: str
    other: str
    old: str | None
    new: list[str]
    status: str  # carried | not carried | new


@dataclass
class CoverageFate:
    """The coverage state of an old concept and of its successors."""

    old: str
    old_state: str
    new: list[str]
    new_states: list[str]


@dataclass
class SchemeDiff:
    """The result of :func:`diff_schemes`."""

    old: str
    new: str
    old_version: str
    new_version: str
    declared: bool
    basis_note: str
    changes: list[Change]
    mappings: list[LinkFate]
    links: list[LinkFate]
    coverage: list[CoverageFate]

    def counts(self) -> dict[str, int]:
        """How many rows of each kind of change (a merge of three concepts into one is one row)."""
        out = dict.fromkeys(KINDS, 0)
        for ch in self.changes:
            out[ch.kind] += 1
        return out

    def fate_counts(self, items: list[LinkFate]) -> dict[str, int]:
        out = {"carried": 0, "not carried": 0, "new": 0}
        for f in items:
            out[f.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        """Everything, as plain data (what ``airisk diff --format json`` prints)."""
        return {
            "old": {"taxonomy": self.old, "version": self.old_version},
            "new": {"taxonomy": self.new, "version": self.new_version},
            "declared": self.declared,
            "basis": self.basis_note,
            "counts": self.counts(),
            "mapping_counts": self.fate_counts(self.mappings),
            "link_counts": self.fate_counts(self.links),
            "changes": [asdict(c) for c in self.changes],
            "mappings": [asdict(m) for m in self.mappings],
            "links": [asdict(m) for m in self.links],
            "coverage": [asdict(c) for c in self.coverage],
        }


def _norm(label: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", label.lower()).replace("&", " and ")
    return " ".join(w for w in re.findall(r"[a-z0-9]+", text) if w not in {"and", "of", "the", "a", "an", "or"})


def _concepts(kg: KnowledgeGraph, prefix: str) -> dict[str, Concept]:
    s = str(scheme_iri(prefix))
    rows = kg.select(
        f"""SELECT ?c ?code ?label ?bcode WHERE {{ ?c skos:inScheme <{s}> ; skos:notation ?code .
              OPTIONAL {{ ?c skos:prefLabel ?label }}
              OPTIONAL {{ ?c skos:broader ?b . ?b skos:notation ?bcode }} }}"""
    ).rows
    out: dict[str, Concept] = {}
    for r in rows:
        c = str(r["c"])
        if c not in out:
            label = str(r["label"]) if r.get("label") is not None else str(r["code"])
            bcode = str(r["bcode"]) if r.get("bcode") is not None else None
            out[c] = Concept(f"{prefix}:{r['code']}", c, str(r["code"]), label, bcode)
    return out


def _version(kg: KnowledgeGraph, prefix: str) -> str | None:
    rows = kg.select(
        f"""SELECT ?v WHERE {{ <{scheme_iri(prefix)}> a ar:Taxonomy .
              OPTIONAL {{ <{scheme_iri(prefix)}> owl:versionInfo ?v }} }}"""
    ).rows
    if not rows:
        return None
    return str(rows[0]["v"]) if rows[0].get("v") is not None else ""


def _declared(
    kg: KnowledgeGraph, old: str, new: str
) -> tuple[list[tuple[str, str, str, str, list[str]]], dict[str, tuple[str, list[str]]]]:
    """Declared (new, old, kind, note, sources) pairs and removed old concepts (note, sources)."""
    so, sn = scheme_iri(old), scheme_iri(new)
    rows = kg.select(
        f"""SELECT ?n ?o ?k ?note ?src WHERE {{ ?n prov:wasRevisionOf ?o ; skos:inScheme <{sn}> .
              ?o skos:inScheme <{so}> .
              OPTIONAL {{ ?ax owl:annotatedSource ?n ; owl:annotatedProperty prov:wasRevisionOf ;
                          owl:annotatedTarget ?o .
                          OPTIONAL {{ ?ax ar:changeKind ?k }} OPTIONAL {{ ?ax rdfs:comment ?note }}
                          OPTIONAL {{ ?ax dcterms:source ?src }} }} }}"""
    ).rows
    pairs: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
    for r in rows:
        key = (str(r["n"]), str(r["o"]))
        kind = _KIND_OF.get(str(r["k"])[len(_AR) :], "same") if r.get("k") is not None else "same"
        note = str(r["note"]) if r.get("note") is not None else ""
        k0, n0, srcs = pairs.get(key, (kind, note, []))
        if r.get("src") is not None and curie(str(r["src"])) not in srcs:
            srcs.append(curie(str(r["src"])))
        pairs[key] = (k0, n0 or note, srcs)
    removed: dict[str, tuple[str, list[str]]] = {}
    for r in kg.select(
        f"""SELECT ?o ?note ?src WHERE {{ ?o ar:removedIn <{sn}> ; skos:inScheme <{so}> .
              OPTIONAL {{ ?ax owl:annotatedSource ?o ; owl:annotatedProperty ar:removedIn ; owl:annotatedTarget <{sn}> .
                          OPTIONAL {{ ?ax rdfs:comment ?note }} OPTIONAL {{ ?ax dcterms:source ?src }} }} }}"""
    ).rows:
        note, srcs = removed.get(str(r["o"]), (str(r["note"]) if r.get("note") is not None else "", []))
        if r.get("src") is not None and curie(str(r["src"])) not in srcs:
            srcs.append(curie(str(r["src"])))
        removed[str(r["o"])] = (note, srcs)
    return [(n, o, k, note, s) for (n, o), (k, note, s) in sorted(pairs.items())], removed


def _fallback(olds: list[Concept], news: list[Concept]) -> list[tuple[Concept, Concept, str, str]]:
    """Pair undeclared concepts by code, then by label: (old, new, kind, basis)."""
    out: list[tuple[Concept, Concept, str, str]] = []
    by_code = {c.code: c for c in news}
    used: set[str] = set()
    rest: list[Concept] = []
    for o in olds:
        n = by_code.get(o.code)
        if n is None:
            rest.append(o)
            continue
        used.add(n.iri)
        kind = "renamed" if _norm(o.label) != _norm(n.label) else "moved" if o.broader != n.broader else "same"
        out.append((o, n, kind, "code"))
    by_label: dict[str, list[Concept]] = {}
    for n in news:
        if n.iri not in used:
            by_label.setdefault(_norm(n.label), []).append(n)
    for o in rest:
        cands = by_label.get(_norm(o.label), [])
        if len(cands) == 1 and cands[0].iri not in used:
            used.add(cands[0].iri)
            out.append((o, cands[0], "same", "label"))
    return out


def _group(pairs: list[tuple[Concept, Concept, str, str, str, list[str]]]) -> list[Change]:
    """Rows of the diff from (old, new, kind, basis, note, sources) pairs: merges and splits grouped."""
    merged: dict[str, list[tuple[Concept, Concept, str, list[str]]]] = {}
    split: dict[str, list[tuple[Concept, Concept, str, list[str]]]] = {}
    rows: list[Change] = []
    for o, n, kind, basis, note, srcs in pairs:
        if kind == "merged":
            merged.setdefault(n.iri, []).append((o, n, note, srcs))
        elif kind == "split":
            split.setdefault(o.iri, []).append((o, n, note, srcs))
        else:
            rows.append(Change(kind, [o.curie], [n.curie], [o.label], [n.label], basis, note, srcs))
    for group in merged.values():
        n = group[0][1]
        srcs = sorted({s for g in group for s in g[3]})
        rows.append(
            Change(
                "merged",
                [g[0].curie for g in group],
                [n.curie],
                [g[0].label for g in group],
                [n.label],
                "declared",
                group[0][2],
                srcs,
            )
        )
    for group in split.values():
        o = group[0][0]
        srcs = sorted({s for g in group for s in g[3]})
        rows.append(
            Change(
                "split",
                [o.curie],
                [g[1].curie for g in group],
                [o.label],
                [g[1].label for g in group],
                "declared",
                group[0][2],
                srcs,
            )
        )
    return rows


def _ends(kg: KnowledgeGraph, prefix: str, pattern: str) -> dict[str, set[str]]:
    rows = kg.select(f"SELECT ?c ?x WHERE {{ ?c skos:inScheme <{scheme_iri(prefix)}> . {pattern} }}").rows
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(str(r["c"]), set()).add(str(r["x"]))
    return out


def _mapping_ends(kg: KnowledgeGraph, prefix: str, skip: set[str]) -> dict[str, set[str]]:
    """concept -> {"skos:exactMatch other-curie", ...} for mappings to schemes other than ``skip`` (both directions)."""
    s = scheme_iri(prefix)
    rows = kg.select(
        f"""SELECT ?c ?p ?x ?xs ?dir WHERE {{ ?c skos:inScheme <{s}> .
              {{ ?c ?p ?x BIND("out" AS ?dir) }} UNION {{ ?x ?p ?c BIND("in" AS ?dir) }}
              FILTER (?p IN (skos:exactMatch, skos:closeMatch, skos:broadMatch, skos:narrowMatch, skos:relatedMatch))
              OPTIONAL {{ ?x skos:inScheme ?xs }} }}"""
    ).rows
    inverse = {"broadMatch": "narrowMatch", "narrowMatch": "broadMatch"}
    out: dict[str, set[str]] = {}
    for r in rows:
        if r.get("xs") is not None and str(r["xs"]) in skip:
            continue
        p = str(r["p"]).rsplit("#", 1)[-1]
        if str(r["dir"]) == "in":
            p = inverse.get(p, p)
        out.setdefault(str(r["c"]), set()).add(f"skos:{p} {curie(str(r['x']), kg.prefixes)}")
    return out


def _fates(
    relation_of: Any,
    olds: dict[str, set[str]],
    news: dict[str, set[str]],
    succ: dict[str, list[str]],
    cur: dict[str, str],
    new_with_pred: set[str],
) -> list[LinkFate]:
    out: list[LinkFate] = []
    for o_iri, ends in sorted(olds.items()):
        if o_iri not in cur:
            continue
        for end in sorted(ends):
            rel, other = relation_of(end)
            carried = [cur[n] for n in succ.get(o_iri, []) if end in news.get(n, set())]
            targets = carried or [cur[n] for n in succ.get(o_iri, [])]
            out.append(LinkFate(rel, other, cur[o_iri], targets, "carried" if carried else "not carried"))
    preds: dict[str, set[str]] = {}
    for o_iri, ns in succ.items():
        for n in ns:
            preds.setdefault(n, set()).add(o_iri)
    for n_iri, ends in sorted(news.items()):
        if n_iri not in cur:
            continue
        for end in sorted(ends):
            if any(end in olds.get(o, set()) for o in preds.get(n_iri, set())):
                continue
            rel, other = relation_of(end)
            out.append(LinkFate(rel, other, None, [cur[n_iri]], "new"))
    return out


@dataclass
class SchemeVersion:
    """A taxonomy with its version, date and the version it revises (if it says)."""

    prefix: str
    title: str
    version: str
    issued: str
    revises: str | None


def list_versions(kg: KnowledgeGraph) -> list[SchemeVersion]:
    """Every taxonomy of the graph with its version, date and declared predecessor, by title."""
    rows = kg.select(
        """SELECT ?s ?prefix ?title ?v ?issued ?oldp WHERE { ?s a ar:Taxonomy ; ar:prefix ?prefix .
             OPTIONAL { ?s dcterms:title ?title } OPTIONAL { ?s owl:versionInfo ?v }
             OPTIONAL { ?s dcterms:issued ?issued }
             OPTIONAL { ?s prov:wasRevisionOf ?old . ?old ar:prefix ?oldp } }"""
    ).rows
    out: dict[str, SchemeVersion] = {}
    for r in rows:
        prefix = str(r["prefix"])
        if prefix not in out:
            out[prefix] = SchemeVersion(
                prefix,
                str(r["title"]) if r.get("title") is not None else prefix,
                str(r["v"]) if r.get("v") is not None else "",
                str(r["issued"]) if r.get("issued") is not None else "",
                str(r["oldp"]) if r.get("oldp") is not None else None,
            )
    return sorted(out.values(), key=lambda v: (v.title.lower(), v.issued, v.prefix))


def diff_schemes(kg: KnowledgeGraph, old: str, new: str, coverage: bool = True) -> SchemeDiff:
    """What changed from taxonomy ``old`` to taxonomy ``new`` (two prefixes); see the module docstring."""
    old_version, new_version = _version(kg, old), _version(kg, new)
    for prefix, version in ((old, old_version), (new, new_version)):
        if version is None:
            raise NotFound(f"no taxonomy with prefix {prefix!r} in the graph")
    if old == new:
        raise NotFound(f"give two different taxonomies (got {old!r} twice)")
    oc, nc = _concepts(kg, old), _concepts(kg, new)
    declared = kg.ask(f"ASK {{ <{scheme_iri(new)}> prov:wasRevisionOf <{scheme_iri(old)}> }}")
    pairs: list[tuple[Concept, Concept, str, str, str, list[str]]] = []
    removed_rows: list[Change] = []
    seen_old: set[str] = set()
    seen_new: set[str] = set()
    if declared:
        decl, removed = _declared(kg, old, new)
        for n_iri, o_iri, kind, note, srcs in decl:
            if n_iri in nc and o_iri in oc:
                pairs.append((oc[o_iri], nc[n_iri], kind, "declared", note, srcs))
                seen_old.add(o_iri)
                seen_new.add(n_iri)
        for o_iri, (note, srcs) in sorted(removed.items()):
            if o_iri in oc:
                c = oc[o_iri]
                removed_rows.append(Change("removed", [c.curie], [], [c.label], [], "declared", note, srcs))
                seen_old.add(o_iri)
    rest_old = [c for c in oc.values() if c.iri not in seen_old]
    rest_new = [c for c in nc.values() if c.iri not in seen_new]
    for oc_, nc_, kind, basis in _fallback(rest_old, rest_new):
        pairs.append((oc_, nc_, kind, basis, "", []))
        seen_old.add(oc_.iri)
        seen_new.add(nc_.iri)
    changes = _group(pairs) + removed_rows
    for c in oc.values():
        if c.iri not in seen_old:
            changes.append(Change("removed", [c.curie], [], [c.label], [], "none"))
    for c in nc.values():
        if c.iri not in seen_new:
            changes.append(Change("added", [], [c.curie], [], [c.label], "none"))
    changes.sort(key=lambda ch: (KINDS.index(ch.kind), ch.old or ch.new))
    succ: dict[str, list[str]] = {}
    for pair in pairs:
        succ.setdefault(pair[0].iri, []).append(pair[1].iri)
    cur = {c.iri: c.curie for c in (*oc.values(), *nc.values())}
    skip = {str(scheme_iri(old)), str(scheme_iri(new))}
    new_with_pred = {pair[1].iri for pair in pairs}

    def split_end(end: str) -> tuple[str, str]:
        rel, other = end.split(" ", 1)
        return rel, other

    mappings = _fates(split_end, _mapping_ends(kg, old, skip), _mapping_ends(kg, new, skip), succ, cur, new_with_pred)
    links: list[LinkFate] = []
    for rel, pattern in _LINKS.items():
        olds = {c: {f"{rel}\t{curie(x, kg.prefixes)}" for x in xs} for c, xs in _ends(kg, old, pattern).items()}
        news = {c: {f"{rel}\t{curie(x, kg.prefixes)}" for x in xs} for c, xs in _ends(kg, new, pattern).items()}
        links += _fates(lambda e: tuple(e.split("\t", 1)), olds, news, succ, cur, new_with_pred)
    fates = _coverage(kg, old, new, oc, nc, succ) if coverage else []
    note = (
        f"{new} declares that it revises {old}: curated carry-over claims decide; concepts they leave out "
        "are matched by code, then label"
        if declared
        else f"{new} does not declare that it revises {old}: concepts are matched by code, then by label"
    )
    return SchemeDiff(old, new, old_version or "", new_version or "", declared, note, changes, mappings, links, fates)


def _coverage(
    kg: KnowledgeGraph, old: str, new: str, oc: dict[str, Concept], nc: dict[str, Concept], succ: dict[str, list[str]]
) -> list[CoverageFate]:
    from graph.coverage.report import compute_coverage

    def states(prefix: str) -> dict[str, str]:
        report = compute_coverage(kg, taxonomy=prefix)
        return {r.id: r.status for r in report.risks}

    so, sn = states(old), states(new)
    out = []
    for o in sorted(oc.values(), key=lambda c: c.curie):
        ns = [nc[n].curie for n in succ.get(o.iri, [])]
        out.append(CoverageFate(o.curie, so.get(o.curie, ""), ns, [sn.get(n, "") for n in ns]))
    return out
