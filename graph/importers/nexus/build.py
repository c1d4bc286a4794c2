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

from pathlib import Path

from graph.core.errors import DataError, Location
from graph.importers.common import (
    ImportResult,
    P,
    Problems,
    SourceInfo,
    iri,
    sha256,
    source_record,
)
from graph.importers.context import Context
from graph.importers.nexus.links import Links
from graph.importers.nexus.measures import Measures
from graph.importers.nexus.read import Release, read_release
from graph.importers.nexus.state import AGENT, KIND


class _Builder(Measures, Links):
    """The whole import: taxonomies, measures, evaluations, links and mappings."""


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
    b.link_status()
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
