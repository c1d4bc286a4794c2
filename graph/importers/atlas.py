"""MITRE ATLAS (``ATLAS.yaml`` as MITRE publishes it in ``mitre-atlas/atlas-data``).

Tactics and techniques become risk categories of the ``atlas`` taxonomy: tactics reuse the curated
IRIs (``atlas:AML.TA0002``), techniques hang under their tactics and sub-techniques under their
parent technique (``skos:broader``). Mitigations become ``ar:Mitigation`` with an
``ar:mitigatesRisk`` claim for every technique they list; case studies become ``ar:CaseStudy``
sources with an ``ar:documentsRisk`` claim for every technique of their procedure.

The reader does not depend on one release's exact field set: it collects tactics, techniques,
mitigations and case studies from every matrix and from the top level, and only ``id`` and
``name`` are required of each.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graph.core.errors import DataError, Location
from graph.core.namespaces import CODE_RE, IMPORT_PREFIXES, entity_iri, risk_iri, scheme_iri
from graph.core.yamlpos import PosDict, PosList
from graph.importers.common import (
    C,
    ImportResult,
    P,
    Problems,
    SourceInfo,
    Triples,
    ar,
    check_text,
    date_lit,
    decode_text,
    iri,
    lit,
    load_yaml_text,
    mint,
    read_file,
    sha256,
    slug,
    source_record,
    url_term,
)
from graph.importers.context import Context

KIND = "atlas"
PREFIX = "atlas"
SITE = "https://atlas.mitre.org"
_SECTIONS = {
    "tactics": "tactic",
    "techniques": "technique",
    "mitigations": "mitigation",
    "case-studies": "case-study",
    "case_studies": "case-study",
    "casestudies": "case-study",
}


def _licence(path: Path) -> tuple[str, str]:
    lic = path.parent / "LICENSE"
    try:
        head = lic.read_text(encoding="utf-8", errors="replace")[:400] if lic.is_file() else ""
    except OSError:
        head = ""
    if "Apache License" in head:
        return "Apache-2.0", f"{lic.name} next to the imported file"
    return "Apache-2.0", "MITRE publishes the ATLAS data (mitre-atlas/atlas-data) under Apache-2.0"


def _collect(doc: PosDict, problems: Problems) -> dict[str, dict[str, PosDict]]:
    """Every tactic, technique, mitigation and case study of the file, by kind and id (first wins)."""
    found: dict[str, dict[str, PosDict]] = {k: {} for k in ("tactic", "technique", "mitigation", "case-study")}
    containers: list[PosDict] = [doc]
    matrices = doc.get("matrices")
    if isinstance(matrices, PosList):
        containers += [m for m in matrices if isinstance(m, PosDict)]
    elif matrices is not None:
        raise DataError("'matrices' is not a list", doc.loc("matrices"))
    for box in containers:
        for key, value in box.items():
            kind = _SECTIONS.get(key.lower())
            if kind is None:
                continue
            if not isinstance(value, PosList):
                raise DataError(f"{key!r} is not a list", box.loc(key))
            for i, item in enumerate(value):
                if not isinstance(item, PosDict):
                    line, col = value.item_pos[i]
                    raise DataError(f"item {i + 1} of {key!r} is not a mapping", Location(box.file, line, col))
                ident = item.get("id")
                if not isinstance(ident, str) or not CODE_RE.match(ident):
                    raise DataError(
                        f"{kind} without a valid 'id' (got {ident!r})", item.loc("id" if "id" in item else None)
                    )
                if not isinstance(item.get("name"), str) or not item["name"].strip():
                    raise DataError(f"{kind} {ident} has no 'name'", item.loc(None, ident))
                declared = item.get("object-type")
                if isinstance(declared, str) and declared != kind:
                    problems.warn(
                        f"listed under {key!r} but its object-type is {declared!r}", item.loc("object-type", ident)
                    )
                if ident in found[kind]:
                    first = found[kind][ident]
                    if kind == "technique":  # the same technique in several matrices: merge its tactics
                        merged = list(_ids(first.get("tactics"))) + [
                            t for t in _ids(item.get("tactics")) if t not in _ids(first.get("tactics"))
                        ]
                        first["tactics"] = merged
                    continue
                found[kind][ident] = item
    return found


def _ids(value: Any) -> list[str]:
    """The ids in a list that may hold strings or ``{id: ...}`` mappings."""
    out: list[str] = []
    for v in value if isinstance(value, list) else []:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get("id"), str):
            out.append(v["id"])
    return out


def _text(item: PosDict, key: str, ident: str) -> str | None:
    return check_text(item.get(key), item.loc(key, ident)) if isinstance(item.get(key), (str, int, float)) else None


def import_atlas(path: Path, name: str, ctx: Context, display: str | None = None) -> ImportResult:
    """Read an ``ATLAS.yaml`` file into the named graph ``import/{name}``."""
    shown = display or str(path)
    data = read_file(path, "an ATLAS YAML file")
    text = decode_text(data, shown, "an ATLAS YAML file (ATLAS.yaml)")
    doc = load_yaml_text(text, shown)
    if not isinstance(doc, PosDict):
        raise DataError("not an ATLAS data file: the top level is not a mapping", Location(shown, 1, 1))
    if "matrices" not in doc and not any(k.lower() in _SECTIONS for k in doc):
        keys = ", ".join(list(doc)[:8]) or "none"
        raise DataError(
            f"not an ATLAS data file: no 'matrices', 'tactics' or 'techniques' at the top level (found: {keys})",
            Location(shown, 1, 1),
        )
    problems = Problems()
    found = _collect(doc, problems)
    tactics, techniques = found["tactic"], found["technique"]
    if not techniques:
        raise DataError("not an ATLAS data file: it lists no techniques", Location(shown, 1, 1))

    version = doc.get("version")
    licence, basis = _licence(path)
    info = SourceInfo(
        title=f"MITRE ATLAS {version}" if version else "MITRE ATLAS",
        publisher="The MITRE Corporation",
        version=str(version) if version is not None else "unknown",
        licence=licence,
        attribution="MITRE ATLAS (Adversarial Threat Landscape for Artificial-Intelligence Systems), "
        "(c) The MITRE Corporation, used under the Apache License 2.0.",
        url=SITE,
        file=path.name,
        file_sha256=sha256(data),
        file_bytes=len(data),
        licence_basis=basis,
    )
    if version is None:
        problems.warn("the file states no 'version'", Location(shown, 1, 1))

    t = Triples(name)
    source_record(t, info)
    scheme = iri(str(scheme_iri(PREFIX)))
    if PREFIX not in ctx.schemes:
        _write_scheme(t, scheme, info, len(tactics) + len(techniques))
    counts = {"tactics": len(tactics), "tactics already curated": 0, "techniques": 0, "sub-techniques": 0}

    def concept(ident: str, item: PosDict, page: str) -> str:
        c = iri(str(risk_iri(PREFIX, ident)))
        if str(risk_iri(PREFIX, ident)) in ctx.concepts:
            return c  # curated already: only hierarchy links are added
        for cls in (ar("RiskCategory"), C["Concept"]):
            t.add(c, P["type"], cls)
        t.add(c, P["inScheme"], scheme)
        t.add(c, P["notation"], lit(ident))
        t.add(c, P["identifier"], lit(f"{PREFIX}:{ident}"))
        t.text(c, P["prefLabel"], item["name"])
        t.text(c, P["label"], item["name"])
        desc = _text(item, "description", ident)
        t.text(c, P["definition"], desc)
        t.text(c, P["description"], desc)
        t.add(c, P["source"], t.source)
        t.add(c, P["page"], url_term(f"{SITE}/{page}/{ident}"))
        for key, prop in (("created_date", "created"), ("modified_date", "modified")):
            if item.get(key) is not None:
                t.add(c, P[prop], date_lit(str(item[key])))
        if isinstance(item.get("maturity"), str):
            t.add(c, ar("maturity"), lit(item["maturity"]))
        ref = item.get("ATT&CK-reference")
        if isinstance(ref, dict):
            t.add(c, P["seeAlso"], url_term(ref.get("url")))
        return c

    for ident, item in tactics.items():
        c = concept(ident, item, "tactics")
        if str(risk_iri(PREFIX, ident)) in ctx.concepts:
            counts["tactics already curated"] += 1
        else:
            t.add(c, P["topConceptOf"], scheme)
            t.add(scheme, P["hasTopConcept"], c)

    known_tactics = set(tactics) | {code for (pfx, code, _l) in ctx.concepts.values() if pfx == PREFIX}
    for ident, item in techniques.items():
        c = concept(ident, item, "techniques")
        parent = item.get("subtechnique-of")
        broader: list[str] = []
        if parent is not None:
            if not isinstance(parent, str) or parent not in techniques:
                problems.error(
                    f"sub-technique of {parent!r}, which the file does not define", item.loc("subtechnique-of", ident)
                )
                continue
            broader = [parent]
            counts["sub-techniques"] += 1
        else:
            counts["techniques"] += 1
            for tac in _ids(item.get("tactics")):
                if tac not in known_tactics:
                    problems.error(
                        f"refers to tactic {tac!r}, which neither the file nor the curated data defines",
                        item.loc("tactics", ident),
                    )
                broader.append(tac)
            if not broader:
                problems.warn("technique lists no tactic; imported as a top concept", item.loc(None, ident))
                t.add(c, P["topConceptOf"], scheme)
                t.add(scheme, P["hasTopConcept"], c)
        for b in broader:
            parent_iri = iri(str(risk_iri(PREFIX, b)))
            t.add(c, P["broader"], parent_iri)
            t.add(parent_iri, P["narrower"], c)

    counts.update(_mitigations(t, found["mitigation"], techniques, ctx, problems, shown))
    counts.update(_case_studies(t, found["case-study"], techniques, known_tactics, problems))
    problems.raise_errors()
    return ImportResult(
        kind=KIND,
        name=name,
        ntriples=t.ntriples(),
        counts=counts,
        source=info,
        problems=problems.items,
        prefixes={"atlas-cs": IMPORT_PREFIXES["atlas-cs"]},
    )


def _write_scheme(t: Triples, scheme: str, info: SourceInfo, count: int) -> None:
    """The ``atlas`` taxonomy itself, written only when the curated data does not define it."""
    t.add(scheme, P["type"], ar("Taxonomy"))
    t.add(scheme, P["type"], C["ConceptScheme"])
    t.text(scheme, P["title"], "MITRE ATLAS")
    t.text(scheme, P["label"], "MITRE ATLAS")
    t.text(scheme, P["publisher"], info.publisher, lang=False)
    t.text(scheme, P["versionInfo"], info.version, lang=False)
    t.text(scheme, P["license"], info.licence, lang=False)
    t.add(scheme, P["page"], url_term(SITE))
    t.add(scheme, ar("prefix"), lit(PREFIX))
    t.add(scheme, ar("publishedConceptCount"), lit(count))
    t.add(scheme, P["source"], t.source)


def _mitigations(
    t: Triples,
    items: dict[str, PosDict],
    techniques: dict[str, PosDict],
    ctx: Context,
    problems: Problems,
    shown: str,
) -> dict[str, int]:
    links = 0
    types: set[str] = set()
    for ident, item in items.items():
        m = iri(str(entity_iri("mitigation", "atlas-" + slug(ident))))
        for cls in (ar("Mitigation"), C["Concept"]):
            t.add(m, P["type"], cls)
        t.add(m, P["inScheme"], iri(str(scheme_iri("mitigations"))))
        t.add(m, P["identifier"], lit("atlas-" + slug(ident)))
        t.add(m, P["notation"], lit(ident))
        t.text(m, P["label"], item["name"])
        t.text(m, P["prefLabel"], item["name"])
        t.text(m, P["description"], _text(item, "description", ident))
        t.add(m, P["source"], t.source)
        t.add(m, P["page"], url_term(f"{SITE}/mitigations/{ident}"))
        categories = (
            [c for c in (item.get("category") or []) if isinstance(c, str)]
            if isinstance(item.get("category"), list)
            else []
        )
        if isinstance(item.get("category"), str):
            categories = [item["category"]]
        category = categories[0] if categories else "Uncategorised"
        if len(categories) > 1:
            problems.warn(f"several categories {categories}; typed by the first", item.loc("category", ident))
        mtype = "atlas-" + slug(category)
        types.add(category)
        t.add(m, ar("mitigationType"), iri(str(entity_iri("mitigation_type", mtype))))
        stages = item.get("ml-lifecycle")
        for stage in stages if isinstance(stages, list) else []:
            if isinstance(stage, str):
                t.add(m, ar("lifecycleStage"), lit(stage))
        uses = item.get("techniques")
        if not isinstance(uses, list) or not uses:
            problems.warn("mitigation lists no techniques", item.loc(None, ident))
            continue
        seen: set[str] = set()
        for i, use in enumerate(uses):
            tid = use.get("id") if isinstance(use, dict) else use if isinstance(use, str) else None
            line = uses.item_pos[i][0] if isinstance(uses, PosList) else None
            if not isinstance(tid, str) or tid not in techniques:
                problems.error(
                    f"refers to technique {tid!r}, which the file does not define",
                    Location(shown, line, None, ident, "techniques"),
                )
                continue
            note = (
                check_text(use.get("use"), Location(shown, line, None, ident, "use")) if isinstance(use, dict) else None
            )
            t.claim(
                m,
                ar("mitigatesRisk"),
                iri(str(risk_iri(PREFIX, tid))),
                note=note or f"ATLAS lists {ident} as a mitigation of {tid}.",
                locator=f"{shown}:{line}" if line else None,
            )
            if tid in seen:  # listed twice: one link, whose evidence keeps both texts
                problems.warn(
                    f"lists technique {tid} twice; imported as one link",
                    Location(shown, line, None, ident, "techniques"),
                )
            else:
                seen.add(tid)
                links += 1
    for category in sorted(types):
        mt = iri(str(entity_iri("mitigation_type", "atlas-" + slug(category))))
        for cls in (ar("MitigationType"), C["Concept"]):
            t.add(mt, P["type"], cls)
        t.add(mt, P["inScheme"], iri(str(scheme_iri("mitigation-types"))))
        t.add(mt, P["identifier"], lit("atlas-" + slug(category)))
        t.text(mt, P["label"], f"ATLAS mitigation category: {category}")
        t.text(mt, P["prefLabel"], f"ATLAS mitigation category: {category}")
        t.add(mt, P["source"], t.source)
    return {"mitigations": len(items), "mitigation links": links, "mitigation categories": len(types)}


def _case_studies(
    t: Triples,
    items: dict[str, PosDict],
    techniques: dict[str, PosDict],
    tactics: set[str],
    problems: Problems,
) -> dict[str, int]:
    links = 0
    for ident, item in items.items():
        cs = iri(mint(IMPORT_PREFIXES["atlas-cs"], ident))
        for cls in (ar("Source"), ar("CaseStudy"), C["BibliographicResource"], C["ProvEntity"]):
            t.add(cs, P["type"], cls)
        t.add(cs, P["identifier"], lit(ident))
        t.text(cs, P["title"], item["name"])
        t.text(cs, P["label"], item["name"])
        t.text(cs, P["description"], _text(item, "summary", ident))
        t.add(cs, P["page"], url_term(f"{SITE}/studies/{ident}"))
        t.add(cs, P["source"], t.source)
        t.add(cs, ar("sourceKind"), lit("case-study"))
        if item.get("incident-date") is not None:
            granularity = str(item.get("incident-date-granularity") or "").upper()
            when = str(item["incident-date"])[: {"YEAR": 4, "MONTH": 7}.get(granularity, 10)]
            t.add(cs, P["date"], date_lit(when))
        for key, prop in (("case-study-type", "caseStudyType"), ("actor", "actor"), ("target", "targetSystem")):
            value = _text(item, key, ident)
            if value:
                t.add(cs, ar(prop), lit(value))
        refs = item.get("references")
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict):
                t.add(cs, P["seeAlso"], url_term(ref.get("url")))
        steps = item.get("procedure")
        done: set[str] = set()
        for i, step in enumerate(steps if isinstance(steps, PosList) else []):
            if not isinstance(step, PosDict):
                continue
            tid = step.get("technique")
            if not isinstance(tid, str):
                continue
            if tid not in techniques:
                problems.error(
                    f"procedure step {i + 1} uses technique {tid!r}, which the file does not define",
                    step.loc("technique", ident),
                )
                continue
            if tid in done:
                continue
            done.add(tid)
            desc = (
                check_text(step.get("description"), step.loc("description", ident))
                if isinstance(step.get("description"), str)
                else None
            )
            t.claim(
                cs,
                ar("documentsRisk"),
                iri(str(risk_iri(PREFIX, tid))),
                note=_shorten(desc) if desc else f"Procedure step {i + 1} of {ident} uses {tid}.",
                locator=f"{step.file}:{step.line}",
            )
            links += 1
            tac = step.get("tactic")
            if isinstance(tac, str) and tac not in tactics:
                problems.warn(
                    f"procedure step {i + 1} names tactic {tac!r}, which is not defined", step.loc("tactic", ident)
                )
    return {"case studies": len(items), "case-study links": links}


def _shorten(text: str, limit: int = 600) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
