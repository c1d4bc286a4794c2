"""IBM AI Atlas Nexus: its taxonomies, actions, controls, evaluations and mappings.

``airisk import ai-atlas-nexus DIR`` reads a release folder (``knowledge_graph/*.yaml``, the
LinkML instance data, and ``mappings/*.tsv``, its SSSOM tables; see
:mod:`graph.importers.nexus.read`). What each record becomes is decided by its ``type``
(or, without one, by its collection), never by the file it is in:

=====================================  ===================================================
Nexus record                           becomes
=====================================  ===================================================
taxonomy with risks                    ``ar:Taxonomy`` (or the curated one it corresponds to)
``Risk``, ``RiskGroup``                ``ar:RiskCategory`` (a curated IRI where it is ours,
                                       :mod:`graph.importers.nexus.match`)
``RiskControlGroup``, ``Principle``    ``ar:MitigationType`` in an ``ar:MitigationTaxonomy``
``Action``, ``RiskControl``,           ``ar:Mitigation``, typed by its category (MIT) or
``Requirement``                        principle (AIUC-1), else by its taxonomy
``evaluations``                        ``ar:TestMethod`` (the curated one when the name agrees)
``documents`` they cite                ``ar:Source``
=====================================  ===================================================

Links: a mitigation's ``hasRelatedRisk`` / ``detectsRiskConcept`` and a risk's
``hasRelatedAction`` / ``isDetectedBy`` give ``ar:mitigatesRisk``; an evaluation's
``hasRelatedRisk`` gives ``ar:assessesRisk``; ``*_mappings`` fields and SSSOM rows give SKOS
mappings between risks of two taxonomies (within one taxonomy, ``broad``/``narrow`` give the
hierarchy), and between a mitigation and a risk ``ar:mitigatesRisk``. Every link is a claim with
an evidence node naming the file and line it was read from.
"""

from __future__ import annotations

import re
from pathlib import Path

from graph.core.errors import DataError, Location
from graph.core.namespaces import CODE_RE, ID, SEMAPV, entity_iri, risk_iri, risk_namespace, scheme_iri
from graph.importers.nexus.match import CORRESPONDS, Curated, match_concept
from graph.importers.nexus.read import MAPPING_FIELDS, Item, Release, SssomRow, read_release
from graph.importers.common import (
    C,
    ImportResult,
    P,
    Problems,
    SourceInfo,
    Term,
    Triples,
    ar,
    date_lit,
    iri,
    lit,
    mint,
    sha256,
    slug,
    source_record,
    url_term,
)
from graph.importers.context import Context

KIND = "ai-atlas-nexus"
DOC_NS = ID + "source/ai-atlas-nexus/"
AGENT = ID + "agent/ibm-ai-atlas-nexus-contributors"
RISK_TYPES = {"Risk", "RiskGroup"}
MTYPE_TYPES = {"RiskControlGroup", "Principle"}
MITIGATION_TYPES = {"Action", "RiskControl", "Requirement"}
PARENT_FIELDS = ("isPartOf", "broader")
CHILD_FIELDS = ("hasPart", "narrower")
#: Publishers of the taxonomies Nexus holds that we do not curate (Nexus does not name them).
PUBLISHERS = {
    "ibm-risk-atlas": "IBM",
    "ibm-granite-guardian": "IBM",
    "shieldgemma-taxonomy": "Google",
    "credo-ucf": "Credo AI",
    "aiuc1": "AIUC",
    "mit-draft-ai-risk-mitigation": "MIT AI Risk Initiative",
}
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"


class _Builder:
    def __init__(self, release: Release, name: str, ctx: Context, problems: Problems):
        self.r, self.ctx, self.problems = release, ctx, problems
        self.t = Triples(name)
        #: nexus id -> (kind, IRI) for everything imported: risk, mtype, mitigation, test
        self.node: dict[str, tuple[str, str]] = {}
        self.scheme_of: dict[str, str] = {}  # risk IRI -> prefix
        self.schemes: dict[str, dict[str, object]] = {}
        self.counts: dict[str, int] = {}
        self.prefixes: dict[str, str] = {}
        self.docs: set[str] = set()
        self.folded: set[tuple[str, str, str]] = set()

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def refs(self, item: Item, key: str) -> list[str]:
        """The ids field ``key`` of ``item`` names (matched ignoring case when not exact, with a warning)."""
        out = []
        for ref in item.values(key):
            hit = self.r.lookup(ref)
            if hit is not None and hit != ref and (item.id, key, ref) not in self.folded:
                self.folded.add((item.id, key, ref))
                self.count("references matched ignoring case")
            out.append(hit or ref)
        return out

    def where(self, item: Item, key: str | None = None) -> Location:
        file, line = item.at.get(key, (item.file, item.line)) if key else (item.file, item.line)
        return Location(file, line, None, item.id, key)

    # ------------------------------------------------------------------ taxonomies and concepts
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

    # ------------------------------------------------------------------ links and mappings
    def links(self) -> None:
        mitigates: dict[tuple[str, str], str] = {}
        assesses: dict[tuple[str, str], str] = {}
        for item in self.r.items.values():
            kind, s_iri = self.node.get(item.id, ("", ""))
            for key in ("hasRelatedRisk", "detectsRiskConcept", "hasRelatedAction", "isDetectedBy"):
                for ref in self.refs(item, key):
                    other_kind, o_iri = self.node.get(ref, ("", ""))
                    pair = {kind: s_iri, other_kind: o_iri}
                    if "risk" not in pair:
                        if ref not in self.r.items:
                            self.problems.warn(
                                f"{key} names {ref!r}, which the release does not define", self.where(item, key)
                            )
                        continue
                    where = f"{item.locator(key)} ({key})"
                    if "mitigation" in pair:
                        mitigates.setdefault((pair["mitigation"], pair["risk"]), where)
                    elif "test" in pair:
                        assesses.setdefault((pair["test"], pair["risk"]), where)
        for (m, r), where in sorted(mitigates.items()):
            self.t.claim(
                iri(m),
                ar("mitigatesRisk"),
                iri(r),
                locator=where,
                note="IBM AI Atlas Nexus lists this measure for the risk.",
            )
        for (m, r), where in sorted(assesses.items()):
            self.t.claim(
                iri(m),
                ar("assessesRisk"),
                iri(r),
                locator=where,
                note="IBM AI Atlas Nexus lists the risk as what this evaluation is related to.",
            )
        self.count("mitigation links", len(mitigates))
        self.count("test links", len(assesses))
        for item in self.r.items.values():
            if self.node.get(item.id, ("",))[0] == "test":
                linked = any(k == self.node[item.id][1] for k, _ in assesses)
                self.t.add(iri(self.node[item.id][1]), ar("linkStatus"), lit("linked" if linked else "unlinked"))
        for item in self.r.items.values():
            if self.node.get(item.id, ("",))[0] == "mitigation":
                linked = any(k == self.node[item.id][1] for k, _ in mitigates)
                if not linked:
                    self.t.add(iri(self.node[item.id][1]), ar("linkStatus"), lit("unlinked"))

    def local(self, curie: str) -> str:
        return curie.split(":", 1)[1] if ":" in curie and not curie.startswith("http") else curie

    def mappings(self) -> None:
        found: dict[tuple[str, str, str], SssomRow | tuple[Item, str]] = {}
        merged = 0
        for row in self.r.rows:
            pred = row.predicate
            if not pred.startswith("skos:") or pred[5:] not in (
                "exactMatch",
                "closeMatch",
                "broadMatch",
                "narrowMatch",
                "relatedMatch",
            ):
                if pred.lower() != "nexus:iscategorizedas":
                    self.count("mapping rows with other predicates")
                continue
            s, o = self.local(row.subject), self.local(row.object)
            s, o = self.r.lookup(s) or s, self.r.lookup(o) or o
            if s not in self.node or o not in self.node:
                missing = row.subject if s not in self.node else row.object
                if missing and self.local(missing) not in self.r.items:
                    self.problems.warn(
                        f"{missing!r} is not defined in the release; row left out", Location(row.file, row.line)
                    )
                self.count("mapping rows left out")
                continue
            key = (s, pred, o)
            if key in found:
                merged += 1
            else:
                found[key] = row
        for item in self.r.items.values():
            if item.id not in self.node:
                continue
            for field_name, pred in MAPPING_FIELDS.items():
                for ref in self.refs(item, field_name):
                    if ref in self.node and (item.id, pred, ref) not in found:
                        found[(item.id, pred, ref)] = (item, field_name)
        self.count("mapping rows merged", merged)
        for (s, pred, o), origin in sorted(found.items(), key=lambda kv: kv[0]):
            self.mapping(s, pred, o, origin)

    def mapping(self, s: str, pred: str, o: str, origin: SssomRow | tuple[Item, str]) -> None:
        (sk, si), (ok, oi) = self.node[s], self.node[o]
        if isinstance(origin, SssomRow):
            where = origin.locator
            note = (
                origin.comment
                or f"Mapping {pred} from IBM AI Atlas Nexus ({origin.justification or 'no justification given'})."
            )
        else:
            where = origin[0].locator(origin[1])
            note = f"IBM AI Atlas Nexus records {pred} in the field {origin[1]}."
        if sk == "risk" and ok == "risk":
            if self.scheme_of.get(si) == self.scheme_of.get(oi):
                if pred in ("skos:broadMatch", "skos:narrowMatch"):
                    return  # within one taxonomy: the hierarchy, already read
                self.count("within-taxonomy mappings left out")
                return
            extra: list[tuple[Term, Term]] = [(P["creator"], iri(AGENT))]
            just = origin.justification if isinstance(origin, SssomRow) else ""
            just_iri = str(SEMAPV) + just[7:] if just.startswith("semapv:") else str(SEMAPV) + "UnspecifiedMatching"
            extra.append((ar("justification"), iri(just_iri)))
            if isinstance(origin, SssomRow) and origin.confidence is not None:
                text = f"{origin.confidence:.6f}".rstrip("0").rstrip(".") or "0"
                extra.append((ar("confidence"), lit(text, datatype="http://www.w3.org/2001/XMLSchema#decimal")))
            ax = self.t.claim(iri(si), iri(SKOS_NS + pred[5:]), iri(oi), note=note, locator=where, extra=extra)
            self.t.add(ax, P["type"], ar("Mapping"))
            self.count("mappings")
        elif {sk, ok} == {"risk", "mitigation"}:
            m, r = (si, oi) if sk == "mitigation" else (oi, si)
            self.t.claim(
                iri(m),
                ar("mitigatesRisk"),
                iri(r),
                locator=where,
                note=f"IBM AI Atlas Nexus maps this measure to the risk ({pred}); read as the measure addressing it.",
            )
            self.count("mitigation links")


def _licence(release: Release) -> tuple[str, str]:
    if "Apache License" in release.licence_text:
        return "Apache-2.0", "the LICENSE file of the release folder"
    return "Apache-2.0", "IBM publishes AI Atlas Nexus (IBM/ai-atlas-nexus) under Apache-2.0"


def import_ai_atlas_nexus(path: Path, name: str, ctx: Context, display: str | None = None) -> ImportResult:
    """Read the IBM AI Atlas Nexus release folder ``path`` into the named graph ``import/{name}``."""
    problems = Problems()
    release = read_release(Path(path), problems)
    b = _Builder(release, name, ctx, problems)
    risks, mtypes = b.classify()
    if not risks:
        raise DataError(
            "the release defines no risks (records of type Risk or RiskGroup with a taxonomy)",
            Location(display or str(path)),
        )
    for tax_id in sorted(risks):
        b.risks(tax_id, release.items.get(tax_id), risks[tax_id])
    for tax_id in sorted(mtypes):
        if tax_id not in risks:
            b.mitigation_types(tax_id, release.items.get(tax_id), mtypes[tax_id])
    b.mitigations()
    b.evaluations()
    b.links()
    b.mappings()
    b.t.add(iri(AGENT), P["type"], iri("http://xmlns.com/foaf/0.1/Agent"))
    b.t.text(iri(AGENT), P["label"], "IBM AI Atlas Nexus contributors")
    licence, basis = _licence(release)
    digest = sha256(b"".join(n.encode() + b"\0" + d for n, d in sorted(release.digest_parts)))
    info = SourceInfo(
        title="IBM AI Atlas Nexus",
        publisher="IBM",
        version="not stated in the files",
        licence=licence,
        attribution="IBM AI Atlas Nexus, (c) IBM Corporation, Apache-2.0",
        url="https://github.com/IBM/ai-atlas-nexus",
        file=display or str(path),
        file_sha256=digest,
        file_bytes=release.total_bytes,
        licence_basis=basis,
    )
    source_record(b.t, info)
    b.counts["files"] = len(release.files) + len(release.tsv_files)
    b.counts["mapping rows stating no match"] = release.no_match
    problems.raise_errors()
    return ImportResult(
        KIND, name, b.t.ntriples(), dict(sorted(b.counts.items())), info, problems.items, prefixes=b.prefixes
    )
