"""Lenses: which risks an analysis counts, and how risks joined by exact or close matches count once.

Every coverage analysis (gaps, plan, what-if, compare, the app's pages) runs over a lens. A lens
is one taxonomy, or a union of taxonomies in which risks joined by ``skos:exactMatch`` or
``skos:closeMatch`` mappings form a *cluster* that counts once: its weight is the highest member
severity, shared by its members (its score is their mean), and it is listed once, as its weakest
member, with the others. Without the
deduplication a large taxonomy would drive every total (the AIR 2024 categorisation alone has 65
concepts against 7 in Anthropic's policy).

The default lens is the first available one of :data:`DEFAULT_LENS_ORDER` (or the id in the
``AIRISK_LENS`` environment variable): the EU General-Purpose AI Code of Practice's systemic
risks when the graph holds that taxonomy, else the frontier safety frameworks' categories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from graph.core.errors import NotFound
from graph.index.data import NOT_APPLICABLE_SCHEMES, CoverageData

#: "every taxonomy coverage applies to" (all prefixes but the causal taxonomy).
EVERY = "*"
#: The raw view: every concept of every taxonomy once, not deduplicated (the library's default).
EVERY_CONCEPT = "every"


@dataclass(frozen=True)
class LensSpec:
    """A configured lens: its taxonomies (prefixes) and why a planner would use it."""

    id: str
    label: str
    taxonomies: tuple[str, ...]
    note: str


#: The configured lenses; every taxonomy prefix is also a lens of its own.
LENS_SPECS: tuple[LensSpec, ...] = (
    LensSpec(
        "eu-gpai-cop",
        "EU GPAI Code of Practice: systemic risks",
        ("eu-gpai-cop",),
        "The systemic risks that providers of general-purpose models with systemic risk must assess "
        "under the EU Code of Practice; the obligation a safety institute checks first.",
    ),
    LensSpec(
        "frontier",
        "Frontier safety frameworks (Anthropic, OpenAI, Google DeepMind)",
        ("anthropic-rsp", "openai-pf", "gdm-fsf"),
        "The capability categories the three frontier developers track with thresholds (CBRN, cyber, "
        "AI R&D, autonomy, misalignment, manipulation), deduplicated across the three frameworks.",
    ),
    LensSpec(
        "all",
        "Every taxonomy, deduplicated",
        (EVERY,),
        "Every risk taxonomy in the graph; risks joined by exact or close matches count once.",
    ),
)

#: The default lens: the first of these whose taxonomies the graph holds.
DEFAULT_LENS_ORDER: tuple[str, ...] = ("eu-gpai-cop", "frontier", "all")
LENS_ENV = "AIRISK_LENS"


@dataclass(frozen=True)
class Lens:
    """A lens resolved against the data: its clusters of risk indexes (one per counted risk)."""

    id: str
    label: str
    note: str
    taxonomies: tuple[str, ...]  # prefixes present in the data, in lens order
    versions: tuple[tuple[str, str, str], ...]  # (prefix, title, version) of each taxonomy used
    clusters: tuple[tuple[int, ...], ...]  # model indexes; the first member leads

    @property
    def indexes(self) -> list[int]:
        """Every risk index the lens counts (all members of every cluster)."""
        return sorted(i for c in self.clusters for i in c)

    @property
    def deduplicated(self) -> bool:
        return len(self.taxonomies) > 1

    def describe(self) -> str:
        """One line naming the lens and the taxonomy versions it uses."""
        parts = [f"{title} {version}".strip() for _, title, version in self.versions]
        return f"{self.label} ({'; '.join(parts)})" if parts else self.label

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "note": self.note,
            "taxonomies": [{"prefix": p, "title": t, "version": v} for p, t, v in self.versions],
            "deduplicated": self.deduplicated,
            "n_counted": len(self.clusters),
            "n_concepts": sum(len(c) for c in self.clusters),
        }


def lens_specs(data: CoverageData) -> list[LensSpec]:
    """Every lens available on ``data``: the configured ones whose taxonomies exist, then one per taxonomy."""
    prefixes = _prefixes(data)
    out = [s for s in LENS_SPECS if s.taxonomies == (EVERY,) or any(p in prefixes for p in s.taxonomies)]
    known = {s.id for s in out}
    title = {p: data.taxonomies.get(p, (p, ""))[0] for p in prefixes}
    out += [LensSpec(p, title[p], (p,), f"Only the risks of {title[p]}.") for p in prefixes if p not in known]
    return out


def default_lens_id(data: CoverageData) -> str:
    """The id of the default lens on ``data`` (``$AIRISK_LENS`` if set, else the first available of the order)."""
    wanted = os.environ.get(LENS_ENV, "").strip()
    available = {s.id for s in lens_specs(data)}
    if wanted:
        if wanted not in available:
            raise NotFound(f"{LENS_ENV}={wanted!r} is not a lens (known: {', '.join(sorted(available))})")
        return wanted
    return next(i for i in (*DEFAULT_LENS_ORDER, "all") if i in available)


def resolve_lens(data: CoverageData, index: dict[str, int], lens: str | None) -> Lens:
    """The :class:`Lens` with id ``lens`` (``None``: the default), clustered over the model ``index``."""
    specs = {s.id: s for s in lens_specs(data)}
    key = default_lens_id(data) if lens is None else lens
    spec = specs.get(key)
    if spec is None:
        raise NotFound(f"no lens {key!r} (known: {', '.join([*specs, EVERY_CONCEPT])})")
    prefixes = _prefixes(data)
    chosen = tuple(prefixes) if spec.taxonomies == (EVERY,) else tuple(p for p in spec.taxonomies if p in prefixes)
    order = {p: n for n, p in enumerate(chosen)}
    members = [iri for iri, r in data.risks.items() if r.prefix in order]
    groups = _clusters(data, members) if len(chosen) > 1 else [[m] for m in members]

    def rank(iri: str) -> tuple[int, int]:
        return (order[data.risks[iri].prefix], index[iri])

    for group in groups:
        group.sort(key=rank)
    groups.sort(key=lambda g: rank(g[0]))
    versions = tuple((p, *data.taxonomies.get(p, (p, ""))) for p in chosen)
    clusters = tuple(tuple(index[iri] for iri in g) for g in groups)
    return Lens(spec.id, spec.label, spec.note, chosen, versions, clusters)


def _prefixes(data: CoverageData) -> list[str]:
    """Taxonomy prefixes coverage applies to, in the data's order."""
    seen: dict[str, None] = {}
    for r in data.risks.values():
        if r.prefix and r.prefix not in NOT_APPLICABLE_SCHEMES:
            seen.setdefault(r.prefix, None)
    return list(seen)


def _clusters(data: CoverageData, members: list[str]) -> list[list[str]]:
    """Connected components of ``members`` under exact and close matches (union-find)."""
    parent = {m: m for m in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, pred, b in data.mappings:
        if pred in ("exactMatch", "closeMatch") and a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(find(m), []).append(m)
    return list(groups.values())


def choose_lens(data: CoverageData, index: dict[str, int], lens: str | None, taxonomy: str | None) -> Lens:
    """The lens an analysis runs over.

    ``lens``: a lens id (``"default"``: the default lens). Else ``taxonomy``: that taxonomy alone.
    Else the library's raw view, lens ``"every"``: every concept of every taxonomy once, not
    deduplicated (the CLI and the app always pass a lens).
    """
    if lens is not None and lens != EVERY_CONCEPT:
        return resolve_lens(data, index, None if lens == "default" else lens)
    if taxonomy is not None and lens is None:
        title, version = data.taxonomies.get(taxonomy, (taxonomy, ""))
        rows = tuple((i,) for iri, i in index.items() if data.risks[iri].prefix == taxonomy)
        return Lens(taxonomy, title, f"Only the risks of {title}.", (taxonomy,), ((taxonomy, title, version),), rows)
    prefixes = sorted({r.prefix for r in data.risks.values()})
    versions = tuple((p, *data.taxonomies.get(p, (p, ""))) for p in prefixes)
    return Lens(
        EVERY_CONCEPT,
        "Every concept of every taxonomy (not deduplicated)",
        "Each concept of each taxonomy counts once; matched risks of different taxonomies count separately.",
        tuple(prefixes),
        versions,
        tuple((i,) for i in sorted(index.values())),
    )
