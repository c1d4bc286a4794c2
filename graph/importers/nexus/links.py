"""Nexus links (risk and measure, risk and evaluation) and mappings (YAML fields and SSSOM rows)."""

from __future__ import annotations

from graph.core.errors import Location
from graph.core.namespaces import SEMAPV
from graph.importers.common import (
    P,
    Term,
    ar,
    iri,
    lit,
)
from graph.importers.nexus.read import MAPPING_FIELDS, Item, SssomRow
from graph.importers.nexus.state import AGENT, SKOS_NS, State


class Links(State):
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
        self.mitigation_pairs.update(mitigates)
        self.count("test links", len(assesses))
        self.linked.update(m for m, _ in mitigates)
        self.linked.update(t for t, _ in assesses)

    def link_status(self) -> None:
        """Mark imported test methods linked or unlinked, and imported measures without a risk unlinked."""
        self.count("mitigation links", len(self.mitigation_pairs))
        for kind, node in self.node.values():
            if kind == "test":
                self.t.add(iri(node), ar("linkStatus"), lit("linked" if node in self.linked else "unlinked"))
            elif kind == "mitigation" and node not in self.linked:
                self.t.add(iri(node), ar("linkStatus"), lit("unlinked"))

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
            self.linked.add(m)
            self.t.claim(
                iri(m),
                ar("mitigatesRisk"),
                iri(r),
                locator=where,
                note=f"IBM AI Atlas Nexus maps this measure to the risk ({pred}); read as the measure addressing it.",
            )
            self.mitigation_pairs.add((m, r))
