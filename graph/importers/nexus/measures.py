"""Nexus mitigation taxonomies, actions, controls and requirements, and evaluations."""

from __future__ import annotations

import re

from graph.core.namespaces import entity_iri, scheme_iri
from graph.importers.common import (
    C,
    P,
    ar,
    iri,
    lit,
    slug,
)
from graph.importers.nexus.concepts import Concepts
from graph.importers.nexus.read import Item
from graph.importers.nexus.state import MITIGATION_TYPES


class Measures(Concepts):
    # ------------------------------------------------------------------ mitigations
    def mitigation_types(self, tax_id: str, tax: Item | None, members: list[Item]) -> None:
        prefix, _ = self.taxonomy_prefix(tax_id)
        s_iri = str(scheme_iri(prefix))
        self.scheme(prefix, s_iri, tax_id, tax, len(members), "MitigationTaxonomy")
        by_id = {m.id: m for m in members}
        parent = self.parents(by_id)
        for m in members:
            self.node[m.id] = ("mtype", str(entity_iri("mitigation_type", "nexus-" + slug(m.id))))
        for m in members:
            s = iri(self.node[m.id][1])
            self.t.add(s, P["type"], ar("MitigationType"))
            self.t.add(s, P["type"], C["Concept"])
            self.t.text(s, P["label"], m.name)
            self.t.text(s, P["prefLabel"], m.name)
            self.t.add(s, P["inScheme"], iri(s_iri))
            self.t.add(s, P["identifier"], lit("nexus-" + slug(m.id)))
            self.t.add(s, ar("sourceIdentifier"), lit(m.id))
            if m.id in parent:
                self.t.add(s, P["broader"], iri(self.node[parent[m.id]][1]))
            else:
                self.t.add(s, P["topConceptOf"], iri(s_iri))
            self.describe(s, m)
        self.count("mitigation types", len(members))

    def generic_type(self, label: str) -> str:
        ident = "nexus-" + slug(label)
        m_iri = str(entity_iri("mitigation_type", ident))
        s = iri(m_iri)
        if f"{s} {P['type']} {ar('MitigationType')} ." not in self.t.lines:
            self.t.add(s, P["type"], ar("MitigationType"))
            self.t.add(s, P["type"], C["Concept"])
            self.t.text(s, P["label"], label)
            self.t.add(s, P["identifier"], lit(ident))
            self.t.add(s, P["source"], self.t.source)
            self.count("mitigation types")
        return m_iri

    def mitigations(self) -> None:
        used: set[str] = set()
        for item in self.r.items.values():
            if item.name is None or item.id in self.node:
                continue
            if not (item.type in MITIGATION_TYPES or (not item.type and item.collection in ("actions", "controls"))):
                continue
            ident = "nexus-" + (slug(item.id) or "mitigation")
            base, n = ident, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            self.node[item.id] = ("mitigation", str(entity_iri("mitigation", ident)))
        for item in self.r.items.values():
            kind, m_iri = self.node.get(item.id, ("", ""))
            if kind != "mitigation":
                continue
            s, t = iri(m_iri), self.t
            t.add(s, P["type"], ar("Mitigation"))
            t.text(s, P["label"], item.name)
            t.add(s, P["identifier"], lit(m_iri.rsplit("/", 1)[-1]))
            t.add(s, ar("sourceIdentifier"), lit(item.id))
            self.describe(s, item)
            types = [
                self.node[c][1]
                for c in (*self.refs(item, "isCategorizedAs"), *self.refs(item, "hasPrinciple"))
                if self.node.get(c, ("",))[0] == "mtype"
            ]
            if not types:
                tax = item.values("isDefinedByTaxonomy")
                owner = self.r.items.get(tax[0]) if tax else None
                what = (owner.name if owner and owner.name else tax[0]) if tax else "IBM AI Atlas Nexus"
                types = [self.generic_type(f"{what}: {item.type or item.collection}")]
            t.add(s, ar("mitigationType"), iri(types[0]))
            self.count("mitigations")

    # ------------------------------------------------------------------ evaluations
    def evaluations(self) -> None:
        def norm(text: str) -> str:
            return re.sub(r"[^a-z0-9]+", "", text.lower())

        curated: dict[str, str] = {}
        for tm in self.ctx.test_methods.values():
            for name in (tm.id, tm.label, *tm.aliases):
                curated.setdefault(norm(name), tm.iri)
        used: set[str] = set()
        for item in self.r.items.values():
            if item.collection != "evaluations" or item.name is None:
                continue
            keys = {norm(item.name), norm(item.name.split(":")[0]), norm(item.id.rsplit(".", 1)[-1])}
            hit = next((curated[k] for k in keys if k and k in curated), None)
            if hit:
                self.node[item.id] = ("curated-test", hit)
                self.t.add(iri(hit), ar("sourceIdentifier"), lit(item.id))
                self.t.add(iri(hit), P["source"], self.t.source)
                self.count("evaluations matching curated test methods")
                continue
            ident = "nexus-" + (slug(item.id) or "evaluation")
            base, n = ident, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            t_iri = str(entity_iri("test_method", ident))
            self.node[item.id] = ("test", t_iri)
            s, t = iri(t_iri), self.t
            t.add(s, P["type"], ar("TestMethod"))
            t.add(s, P["type"], C["Plan"])
            t.text(s, P["label"], item.name)
            t.add(s, P["identifier"], lit(t_iri.rsplit("/", 1)[-1]))
            t.add(s, ar("sourceIdentifier"), lit(item.id))
            self.describe(s, item)
            t.add(s, ar("methodType"), iri(str(entity_iri("method_type", self.method_type(item)))))
            self.count("test methods")

    def method_type(self, item: Item) -> str:
        text = f"{item.name} {item.text.get('description', '')}".lower()
        tasks = " ".join(item.values("hasTasks")).lower()
        for mtype, test in (
            ("bias-benchmark", "bias" in text),
            ("toxicity-benchmark", "toxic" in text),
            ("truthfulness-factuality", "truthful" in text or "hallucinat" in text),
            ("static-mcq", "multiple-choice" in tasks),
        ):
            if test and self.ctx.has("MethodType", mtype):
                return mtype
        return "static-open-qa"
