"""Integrity checks across records: references, hierarchy, completeness, mappings.

Each check walks every record and reports the file, line, record and field of each problem,
with a hint where one helps (the bioregistry habit: the failure says where and how to fix).
"""

from __future__ import annotations

import difflib

from graph.core.errors import Location, Problem
from graph.core.load import CURIE_RE, Dataset, Record, link_items, nested_items
from graph.core.schema import ITEM_FIELDS, KINDS, LINK_PROPERTIES, SEMAPV_JUSTIFICATIONS, SSSOM_PREDICATES
from graph.core.versions import check_versions
from graph.core.yamlpos import PosDict, PosList


def _hint(value: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class _Checker:
    def __init__(self, ds: Dataset):
        self.ds = ds
        self.problems: list[Problem] = []
        self._all_curies = [c.curie for t in ds.taxonomies.values() for c in t.concepts.values()]

    def add(
        self, message: str, loc: Location, hint: str | None = None, check: str = "", severity: str = "error"
    ) -> None:
        self.problems.append(Problem(message, loc, severity=severity, hint=hint, check=check))

    def ref(self, kind: str, value: object, loc: Location) -> None:
        if not isinstance(value, str):
            return
        if self.ds.get(kind, value) is None:
            options = list(self.ds.records.get(kind, {}))
            self.add(f"unknown {kind.replace('_', ' ')} {value!r}", loc, _hint(value, options), check="reference")

    def refs(self, kind: str, values: object, data: PosDict, key: str, record: str) -> None:
        if not isinstance(values, list):
            return
        for i, value in enumerate(values):
            loc = data.loc(key, record)
            if isinstance(values, PosList) and i < len(values.item_pos):
                loc = Location(loc.file, *values.item_pos[i], record, key)
            self.ref(kind, value, loc)

    def risk(self, value: object, loc: Location) -> None:
        if not isinstance(value, str) or not CURIE_RE.match(value):
            return
        if self.ds.concept(value) is None:
            prefix = value.split(":", 1)[0]
            hint = None
            if prefix not in self.ds.taxonomies:
                hint = f"no taxonomy has the prefix {prefix!r}; known: {', '.join(sorted(self.ds.taxonomies))}"
            else:
                hint = _hint(value, self._all_curies)
            self.add(f"unknown risk {value!r}", loc, hint, check="reference")


def check_integrity(ds: Dataset) -> list[Problem]:
    """Run every cross-record check on ``ds`` and return the problems."""
    ck = _Checker(ds)
    _check_records(ck)
    _check_taxonomies(ck)
    _check_mappings(ck)
    _check_coverage_of_links(ck)
    _check_reports(ck)
    ck.problems.extend(check_versions(ds))
    for item in ck.ds.not_applicable:
        name = str(item.get("risk"))
        ck.risk(item.get("risk"), item.loc("risk", name))
        ck.refs("source", item.get("sources"), item, "sources", name)
    return ck.problems


def _check_fields(ck: _Checker, data: PosDict, fields: dict[str, str], record: str) -> None:
    """Check the references of one record's (or nested record's) fields."""
    for key, ftype in fields.items():
        if key not in data:
            continue
        value = data[key]
        if ftype.startswith("ref:"):
            ck.ref(ftype[4:], value, data.loc(key, record))
        elif ftype.startswith("refs:"):
            ck.refs(ftype[5:], value, data, key, record)
        elif ftype == "risk":
            ck.risk(value, data.loc(key, record))
        elif ftype == "risks" and isinstance(value, list):
            for i, v in enumerate(value):
                pos = value.item_pos[i] if isinstance(value, PosList) else (None, None)
                ck.risk(v, Location(data.file, pos[0], pos[1], record, key))
        elif ftype.startswith("items:") and isinstance(value, list):
            sub_fields = ITEM_FIELDS[ftype[6:]][0]
            for item in value:
                if isinstance(item, PosDict):
                    _check_fields(ck, item, sub_fields, record)


def _check_records(ck: _Checker) -> None:
    for kind, records in ck.ds.records.items():
        spec = KINDS[kind]
        for rec in records.values():
            _check_fields(ck, rec.data, spec.fields, rec.id)
            for field_name, link in link_items(rec):
                _, target = LINK_PROPERTIES[field_name]
                tkey = target
                value = link.get(tkey)
                if target == "risk":
                    ck.risk(value, link.loc(tkey, rec.id))
                else:
                    ck.ref(target, value, link.loc(tkey, rec.id))
                ck.refs("source", link.get("sources"), link, "sources", rec.id)
            _check_duplicate_links(ck, rec)


def _check_duplicate_links(ck: _Checker, rec: Record) -> None:
    seen: dict[tuple[str, str], int] = {}
    for field_name, link in link_items(rec):
        target = LINK_PROPERTIES[field_name][1]
        key = (field_name, str(link.get(target)))
        if key in seen:
            ck.add(
                f"duplicate link {field_name} -> {key[1]} (first at line {seen[key]})",
                link.loc(target, rec.id),
                "merge the two links: list both sources on one",
                check="unique",
            )
        else:
            seen[key] = link.line


def _check_taxonomies(ck: _Checker) -> None:
    for tax in ck.ds.taxonomies.values():
        header = tax.header
        ck.refs("source", header.get("sources"), header, "sources", tax.prefix)
        if "publisher_org" in header:
            ck.ref("organisation", header["publisher_org"], header.loc("publisher_org", tax.prefix))
        published = header.get("published_concept_count")
        if published is None:
            ck.add(
                "missing 'published_concept_count'",
                header.loc(None, tax.prefix),
                "give the number of concepts the source publishes, so completeness can be checked",
                check="complete",
            )
        elif isinstance(published, int) and published != len(tax.concepts):
            ck.add(
                f"the taxonomy publishes {published} concepts but the file has {len(tax.concepts)}",
                header.loc("published_concept_count", tax.prefix),
                check="complete",
            )
        if not tax.concepts:
            ck.add("the taxonomy has no concepts", header.loc(None, tax.prefix), check="complete")
        for concept in tax.concepts.values():
            data = concept.data
            ck.refs("source", data.get("sources"), data, "sources", concept.curie)
            sev = data.get("severity")
            if isinstance(sev, PosDict):
                ck.refs("source", sev.get("sources"), sev, "sources", concept.curie)
            broader = data.get("broader")
            if broader is not None and str(broader) not in tax.concepts:
                ck.add(
                    f"broader code {broader!r} is not a concept of {tax.prefix}",
                    concept.loc("broader"),
                    _hint(str(broader), list(tax.concepts)),
                    check="hierarchy",
                )
            if "description" not in data:
                ck.add("no description", concept.loc(), check="metadata", severity="warning")
        # cycles in the broader hierarchy
        for concept in tax.concepts.values():
            seen = {concept.code}
            cur = concept.data.get("broader")
            while cur is not None and str(cur) in tax.concepts:
                if str(cur) in seen:
                    ck.add(
                        f"broader hierarchy has a cycle through {tax.prefix}:{cur}",
                        concept.loc("broader"),
                        check="hierarchy",
                    )
                    break
                seen.add(str(cur))
                cur = tax.concepts[str(cur)].data.get("broader")


def _check_mappings(ck: _Checker) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for m in ck.ds.mappings:
        if m.predicate not in SSSOM_PREDICATES:
            ck.add(
                f"predicate {m.predicate!r} is not a SKOS mapping property",
                m.loc("predicate_id"),
                _hint(m.predicate, sorted(SSSOM_PREDICATES)),
                check="mapping",
            )
        if m.justification and m.justification not in SEMAPV_JUSTIFICATIONS:
            ck.add(
                f"justification {m.justification!r} is not a SEMAPV term allowed by SSSOM",
                m.loc("mapping_justification"),
                _hint(m.justification, sorted(SEMAPV_JUSTIFICATIONS)),
                check="mapping",
            )
        for col, value, label in (
            ("subject_id", m.subject, m.subject_label),
            ("object_id", m.object, m.object_label),
        ):
            concept = ck.ds.concept(value)
            if concept is None:
                ck.risk(value, m.loc(col))
                if not CURIE_RE.match(value):
                    ck.add(f"{value!r} is not a risk CURIE", m.loc(col), check="mapping")
            elif label and label.strip().casefold() != str(concept.data.get("label", "")).strip().casefold():
                ck.add(
                    f"label {label!r} does not match {value}'s label {concept.data.get('label')!r}",
                    m.loc(col.replace("_id", "_label")),
                    check="mapping",
                    severity="warning",
                )
        if m.subject.split(":", 1)[0] == m.object.split(":", 1)[0]:
            ck.add("a mapping must link two different taxonomies", m.loc("object_id"), check="mapping")
        if not m.comment:
            pass  # reported as an empty required cell by the loader
        for src in m.sources:
            if not src.startswith("src:"):
                ck.add(f"see_also value {src!r} must be written src:ID", m.loc("see_also"), check="reference")
            else:
                ck.ref("source", src[4:], m.loc("see_also"))
        if m.author.startswith("org:"):
            ck.ref("organisation", m.author[4:], m.loc("author_id"))
        elif m.author:
            ck.add(f"author_id {m.author!r} must be written org:ID", m.loc("author_id"), check="reference")
        key = (m.subject, m.predicate, m.object)
        if key in seen:
            ck.add(f"duplicate mapping (first at line {seen[key]})", m.loc(), check="unique")
        seen[key] = m.line


def _check_coverage_of_links(ck: _Checker) -> None:
    for rec in ck.ds.records.get("test_method", {}).values():
        if not rec.data.get("assesses") and not rec.data.get("measures"):
            ck.add(
                "a test method must assess a risk or measure a capability",
                rec.loc(),
                "add an 'assesses' or 'measures' link with its source",
                check="links",
            )


def _period(text: str, end: bool) -> str:
    """The first (or last) day of a ``YYYY[-MM[-DD]]`` period, for ordering partial dates."""
    if len(text) == 4:
        return text + ("-12-31" if end else "-01-01")
    if len(text) == 7:
        return text + ("-31" if end else "-01")
    return text


def _check_reports(ck: _Checker) -> None:
    """Dates in order, each method and outcome once, reference models apart from tested ones."""
    for rec in ck.ds.records.get("report", {}).values():
        data = rec.data
        start, end = data.get("testing_start"), data.get("testing_end")
        if start is not None and end is not None and _period(str(end), True) < _period(str(start), False):
            ck.add(f"testing_end {end} is before testing_start {start}", rec.loc("testing_end"), check="dates")
        seen: dict[str, int] = {}
        for use in nested_items(rec, "methods"):
            method = str(use.get("method"))
            if method in seen:
                ck.add(
                    f"method {method!r} is listed twice (first at line {seen[method]})",
                    use.loc("method", rec.id),
                    "merge the two: one note, both sources",
                    check="unique",
                )
            else:
                seen[method] = use.line
        outcomes: dict[tuple[str, str], int] = {}
        for out in nested_items(rec, "outcomes"):
            key = (str(out.get("risk") or out.get("capability")), str(out.get("verdict")))
            if key in outcomes:
                ck.add(
                    f"outcome {key[1]} for {key[0]} is listed twice (first at line {outcomes[key]})",
                    out.loc(None, rec.id),
                    check="unique",
                )
            else:
                outcomes[key] = out.line
        tested = set(data.get("models") or [])
        for i, model in enumerate(data.get("reference_models") or []):
            if model in tested:
                ck.add(
                    f"model {model!r} is both tested and a reference model",
                    Location(rec.file, *data["reference_models"].item_pos[i], rec.id, "reference_models")
                    if isinstance(data["reference_models"], PosList)
                    else rec.loc("reference_models"),
                    check="reference",
                )
