"""Nexus taxonomies and their risks: schemes, concepts (curated IRIs where they are ours), sources."""

from __future__ import annotations

import re

from graph.core.namespaces import CODE_RE, risk_iri, risk_namespace, scheme_iri
from graph.importers.common import (
    C,
    P,
    Term,
    ar,
    date_lit,
    iri,
    lit,
    mint,
    slug,
    url_term,
)
from graph.importers.nexus.match import CORRESPONDS, Curated, match_concept
from graph.importers.nexus.read import Item
from graph.importers.nexus.state import CHILD_FIELDS, DOC_NS, MTYPE_TYPES, PARENT_FIELDS, PUBLISHERS, RISK_TYPES, State


class Concepts(State):
    def classify(self) -> tuple[dict[str, list[Item]], dict[str, list[Item]]]:
        risks: dict[str, list[Item]] = {}
        mtypes: dict[str, list[Item]] = {}
        for item in self.r.items.values():
            if item.name is None or item.collection == "taxonomies":
                continue
            tax = item.values("isDefinedByTaxonomy")
            kind = item.type
            owner = self.r.items.get(tax[0]) if tax else None
            risk_taxonomy = owner is None or owner.type in ("", "RiskTaxonomy")
            is_risk = kind in RISK_TYPES or (not kind and risk_taxonomy and item.collection in ("entries", "groups"))
            if is_risk and tax:
                risks.setdefault(tax[0], []).append(item)
            elif kind in MTYPE_TYPES and tax:
                mtypes.setdefault(tax[0], []).append(item)
        return risks, mtypes

    def taxonomy_prefix(self, tax_id: str) -> tuple[str, bool]:
        for prefix in CORRESPONDS.get(tax_id, ()):
            if prefix in self.ctx.schemes:
                return prefix, True
        prefix = slug(tax_id) or "taxonomy"
        taken = set(self.ctx.schemes) | set(self.ctx.prefixes) | set(CORRESPONDS.get(tax_id, ()))
        if not re.match(r"^[a-z]", prefix) or prefix in taken:
            prefix = "nexus-" + prefix
        return prefix, False

    def parents(self, members: dict[str, Item]) -> dict[str, str]:
        parent: dict[str, str] = {}
        # the hierarchy fields first; broad/narrow mappings inside the taxonomy only where they are silent
        for ups, downs in ((PARENT_FIELDS, CHILD_FIELDS), (("broad_mappings",), ("narrow_mappings",))):
            for item in members.values():
                for key in ups:
                    for ref in self.refs(item, key):
                        if ref in members and ref != item.id and item.id not in parent:
                            parent[item.id] = ref
                for key in downs:
                    for ref in self.refs(item, key):
                        if ref in members and ref != item.id and ref not in parent:
                            parent[ref] = item.id
        # break cycles: walk up from each item; a revisit cuts the edge
        for start in list(parent):
            seen = {start}
            node = start
            while node in parent:
                up = parent[node]
                if up in seen:
                    self.problems.warn(f"hierarchy cycle through {up!r}; edge cut", self.where(members[node]))
                    del parent[node]
                    break
                seen.add(up)
                node = up
        return parent

    def curated_concepts(self, prefix: str) -> list[Curated]:
        out = []
        for c_iri, (p, code, label) in self.ctx.concepts.items():
            if p == prefix:
                labels = [label, *sorted(self.ctx.alt_labels.get(c_iri, set()))]
                out.append(Curated(c_iri, code, labels, self.ctx.broader.get(c_iri)))
        return out

    def risks(self, tax_id: str, tax: Item | None, members: list[Item]) -> None:
        prefix, curated = self.taxonomy_prefix(tax_id)
        s_iri = self.ctx.schemes[prefix] if curated else str(scheme_iri(prefix))
        by_id = {m.id: m for m in members}
        parent = self.parents(by_id)
        pool = self.curated_concepts(prefix) if curated else []
        taken: set[str] = set()
        codes_used = {c.code for c in pool}
        order: list[Item] = []
        done: set[str] = set()

        def visit(item: Item) -> None:
            if item.id in done:
                return
            done.add(item.id)
            if item.id in parent:
                visit(by_id[parent[item.id]])
            order.append(item)

        for m in members:
            visit(m)
        reused = new = 0
        for item in order:
            name = item.name or item.id
            up = parent.get(item.id)
            up_iri = self.node[up][1] if up and up in self.node else None
            match = None
            if curated:
                if up is None:
                    candidates = pool
                elif up_iri and up_iri in self.ctx.concepts:
                    candidates = [c for c in pool if c.broader == up_iri]
                else:
                    candidates = []
                match, why = match_concept(item.id, name, candidates, taken) if candidates else (None, "")
                if why.startswith("ambiguous"):
                    self.problems.warn(
                        f"{name!r} agrees with several curated concepts ({why}); imported as new",
                        self.where(item, "name"),
                    )
            if match is not None:
                taken.add(match.iri)
                self.node[item.id] = ("risk", match.iri)
                self.scheme_of[match.iri] = prefix
                self.t.add(iri(match.iri), ar("sourceIdentifier"), lit(item.id))
                reused += 1
                continue
            code = self.new_code(item.id, tax_id, codes_used)
            c_iri = str(risk_iri(prefix, code))
            self.node[item.id] = ("risk", c_iri)
            self.scheme_of[c_iri] = prefix
            self.concept(item, c_iri, prefix, code, s_iri, up_iri)
            new += 1
        self.count(f"concepts of {prefix}", reused + new)
        self.count("risk categories", new)
        self.count("risk categories reusing curated IRIs", reused)
        if not curated:
            self.scheme(prefix, s_iri, tax_id, tax, reused + new, "Taxonomy")
        elif tax is not None:
            self.t.add(iri(s_iri), ar("sourceIdentifier"), lit(tax_id))

    def new_code(self, ident: str, tax_id: str, used: set[str]) -> str:
        local = ident[len(tax_id) + 1 :] if ident.startswith(tax_id + "-") and len(ident) > len(tax_id) + 1 else ident
        code = local if CODE_RE.match(local) else slug(local) or "concept"
        base, n = code, 2
        while code in used:
            code, n = f"{base}-{n}", n + 1
        used.add(code)
        return code

    def concept(self, item: Item, c_iri: str, prefix: str, code: str, s_iri: str, up_iri: str | None) -> None:
        t, c = self.t, iri(c_iri)
        t.add(c, P["type"], ar("RiskCategory"))
        t.add(c, P["type"], C["Concept"])
        t.text(c, P["prefLabel"], item.name)
        t.text(c, P["label"], item.name)
        t.add(c, P["notation"], lit(code))
        t.add(c, P["identifier"], lit(f"{prefix}:{code}"))
        t.add(c, P["inScheme"], iri(s_iri))
        t.add(c, ar("sourceIdentifier"), lit(item.id))
        if up_iri:
            t.add(c, P["broader"], iri(up_iri))
            t.add(iri(up_iri), P["narrower"], c)
        else:
            t.add(c, P["topConceptOf"], iri(s_iri))
            t.add(iri(s_iri), P["hasTopConcept"], c)
        self.describe(c, item)

    def describe(self, s: Term, item: Item) -> None:
        t = self.t
        t.text(s, P["definition"], item.text.get("description"))
        t.text(s, P["description"], item.text.get("description"))
        t.add(s, P["page"], url_term(item.text.get("url")))
        t.add(s, P["created"], date_lit(item.text.get("dateCreated", "")))
        t.add(s, P["modified"], date_lit(item.text.get("dateModified", "")))
        t.add(s, P["source"], t.source)
        for doc in item.values("hasDocumentation"):
            if self.document(doc):
                t.add(s, P["source"], iri(mint(DOC_NS, doc)))

    def document(self, ident: str) -> bool:
        doc = self.r.items.get(ident)
        url = url_term(doc.text.get("url")) if doc is not None else None
        if doc is None or url is None or doc.name is None:
            return False
        if ident not in self.docs:
            self.docs.add(ident)
            d, t = iri(mint(DOC_NS, ident)), self.t
            for cls in (ar("Source"), C["BibliographicResource"], C["ProvEntity"]):
                t.add(d, P["type"], cls)
            t.text(d, P["title"], doc.name)
            t.text(d, P["label"], doc.name)
            t.add(d, P["identifier"], lit(f"ai-atlas-nexus/{ident}"))
            t.add(d, P["page"], url)
            t.add(d, P["date"], date_lit(doc.text.get("dateCreated", "")))
            t.add(d, ar("sourceKind"), lit("web-page"))
        return True

    def scheme(self, prefix: str, s_iri: str, tax_id: str, tax: Item | None, n: int, cls: str) -> None:
        t, s = self.t, iri(s_iri)
        name = (tax.name if tax else None) or tax_id
        t.add(s, P["type"], ar(cls))
        t.add(s, P["type"], C["ConceptScheme"])
        t.text(s, P["title"], name)
        t.text(s, P["label"], name)
        t.add(s, ar("prefix"), lit(prefix))
        t.add(s, ar("sourceIdentifier"), lit(tax_id))
        publisher = PUBLISHERS.get(tax_id, "not stated by IBM AI Atlas Nexus")
        t.text(s, P["publisher"], publisher, lang=False)
        version = (
            (tax.text.get("version") or tax.text.get("dateModified") or tax.text.get("dateCreated")) if tax else None
        )
        t.text(s, P["versionInfo"], version or "as held by IBM AI Atlas Nexus", lang=False)
        t.add(s, P["issued"], date_lit((tax.text.get("dateCreated") if tax else None) or ""))
        t.text(s, P["license"], "as published by its owner; the IBM AI Atlas Nexus data is Apache-2.0", lang=False)
        if tax is not None:
            self.describe(s, tax)
        else:
            t.add(s, P["source"], t.source)
        if cls == "Taxonomy":
            t.add(s, ar("publishedConceptCount"), lit(n))
            self.prefixes[prefix] = risk_namespace(prefix)
        self.count("taxonomies")
