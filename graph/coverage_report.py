"""Coverage reports: per-risk status, strength, gap score and the evidence behind each number."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Callable, Iterable, Union

import pandas as pd

from .coverage_data import CoverageData, gather
from .coverage_rules import (
    DEFAULT_WEIGHT,
    DIRECT,
    EPS,
    INDIRECT_CAP,
    INDIRECT_FACTOR,
    INTERACTIVE_TYPES,
    STATUS_NOT_APPLICABLE,
    STATUS_NOT_ASSESSED,
    STATUS_STRONG,
    STATUS_WEAK,
    STRONG_POINTS,
    Contribution,
    Item,
    Model,
    Scores,
    status_of,
)
from .inventory_model import Inventory

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

Source = Union["KnowledgeGraph", CoverageData]


def as_data(source: Source) -> CoverageData:
    """The :class:`CoverageData` of ``source`` (run the queries if given a KnowledgeGraph)."""
    if isinstance(source, CoverageData):
        return source
    return gather(source)


def model_for(data: CoverageData) -> Model:
    """The indexed rules model of ``data`` (built once and cached on it)."""
    model = data.cache.get("model")
    if not isinstance(model, Model):
        model = Model(data)
        data.cache["model"] = model
    return model


@dataclass(frozen=True)
class Evidence:
    """One reason a risk counts as assessed: a test method and the path through which it counts."""

    test_id: str
    test_iri: str
    test_label: str
    method_type: str | None
    path: str  # "direct" | "capability" | "mapping"
    level: str  # "direct" | "indirect"
    via: str | None = None  # capability id or mapped risk CURIE
    via_iri: str | None = None
    via_label: str | None = None
    mapping: str | None = None
    links: tuple[str, ...] = ()  # evidence nodes (link:...) of every hop
    sources: tuple[str, ...] = ()  # source IRIs of every hop
    custom: bool = False
    note: str = ""

    def describe(self) -> str:
        """A one-line explanation, e.g. ``cybench via capability cyber-offense``."""
        if self.path == "direct":
            return f"{self.test_id} (direct)"
        if self.path == "capability":
            return f"{self.test_id} via capability {self.via}"
        return f"{self.test_id} via mapping {self.mapping}"


@dataclass
class RiskCoverage:
    """The coverage of one risk category.

    ``evidence`` is built on first access (with the sources of every claim it rests on).
    """

    id: str
    iri: str
    label: str
    taxonomy: str
    code: str
    broader: tuple[str, ...]
    narrower: tuple[str, ...]
    depth: int
    severity: int | None
    severity_rated: bool
    weight: float
    status: str
    strength: float
    points: float
    own_score: float
    rollup_score: float
    n_methods: int
    method_types: tuple[str, ...]
    direct: bool
    gap_score: float
    mitigated: bool
    mitigations: tuple[str, ...]
    mitigation_gap: bool
    mitigation_gap_kind: str
    not_applicable_reason: str
    narrower_covered: int
    narrower_total: int
    rank: int = 0
    _evidence: tuple[Evidence, ...] | None = field(default=None, repr=False, compare=False)
    _loader: Callable[[RiskCoverage], tuple[Evidence, ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The test methods that count for this risk and the path through which each counts."""
        if self._evidence is None:
            self._evidence = self._loader(self) if self._loader is not None else ()
        return self._evidence

    @property
    def assessed(self) -> bool:
        return self.status in (STATUS_WEAK, STATUS_STRONG)

    def to_dict(self, evidence: bool = True) -> dict[str, Any]:
        """Plain data for JSON (``airisk gaps --format json``)."""
        d: dict[str, Any] = {}
        for f in fields(self):
            if f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            d[f.name] = list(value) if isinstance(value, tuple) else value
        if evidence:
            d["evidence"] = [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(e).items()} for e in self.evidence
            ]
        return d


@dataclass
class CoverageSummary:
    """Headline numbers of a coverage report (over the risks in scope)."""

    n_risks: int
    n_applicable: int
    n_not_applicable: int
    n_assessed: int
    n_strong: int
    n_weak: int
    n_not_assessed: int
    share_assessed: float
    weighted_coverage: float
    total_gap: float
    n_unrated: int
    n_mitigation_gaps: int
    n_test_methods: int
    by_taxonomy: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(risks: list[RiskCoverage], n_tests: int, by_taxonomy: bool = True) -> CoverageSummary:
    """Count statuses and weigh coverage by severity."""
    applicable = [r for r in risks if r.status != STATUS_NOT_APPLICABLE]
    assessed = [r for r in applicable if r.assessed]
    weight = sum(r.weight for r in applicable)
    groups: dict[str, dict[str, float]] = {}
    if by_taxonomy:
        for prefix in sorted({r.taxonomy for r in risks}):
            sub = summarise([r for r in risks if r.taxonomy == prefix], n_tests, by_taxonomy=False)
            groups[prefix] = {k: v for k, v in sub.to_dict().items() if k not in ("by_taxonomy", "n_test_methods")}
    return CoverageSummary(
        n_risks=len(risks),
        n_applicable=len(applicable),
        n_not_applicable=len(risks) - len(applicable),
        n_assessed=len(assessed),
        n_strong=sum(1 for r in applicable if r.status == STATUS_STRONG),
        n_weak=sum(1 for r in applicable if r.status == STATUS_WEAK),
        n_not_assessed=sum(1 for r in applicable if r.status == STATUS_NOT_ASSESSED),
        share_assessed=len(assessed) / len(applicable) if applicable else 0.0,
        weighted_coverage=sum(r.weight * r.strength for r in applicable) / weight if weight else 0.0,
        total_gap=sum(r.gap_score for r in applicable),
        n_unrated=sum(1 for r in applicable if not r.severity_rated),
        n_mitigation_gaps=sum(1 for r in risks if r.mitigation_gap),
        n_test_methods=n_tests,
        by_taxonomy=groups,
    )


@dataclass
class CoverageReport:
    """Coverage of every risk in scope, ranked by gap score (highest first)."""

    risks: list[RiskCoverage]
    inventory: str | None
    taxonomy: str | None
    method_types: dict[str, str]
    n_test_methods: int
    gap_total: float = 0.0  # the total gap, unrounded (what the planner optimises)
    _scores: Scores | None = field(default=None, repr=False)
    _model: Model | None = field(default=None, repr=False)
    _keys: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def by_id(self) -> dict[str, RiskCoverage]:
        return {r.id: r for r in self.risks}

    def get(self, risk_id: str) -> RiskCoverage:
        """The coverage of the risk with CURIE ``risk_id``; KeyError if it is not in scope."""
        for r in self.risks:
            if r.id == risk_id:
                return r
        raise KeyError(risk_id)

    def summary(self) -> CoverageSummary:
        """Headline numbers: shares assessed, severity-weighted coverage, total gap."""
        return summarise(self.risks, self.n_test_methods)

    def top_gaps(self, n: int = 10, leaves_only: bool = False) -> list[RiskCoverage]:
        """The ``n`` risks with the highest gap scores (ties: higher severity, then CURIE)."""
        rows = [r for r in self.risks if r.gap_score > EPS and (not leaves_only or not r.narrower)]
        return rows[:n]

    def to_frame(self, evidence: bool = True) -> pd.DataFrame:
        """One row per risk, in rank order (``evidence``: a column explaining each risk's evidence)."""
        rows = []
        for r in self.risks:
            d = r.to_dict(evidence=False)
            for key in ("broader", "narrower", "method_types", "mitigations"):
                d[key] = "; ".join(d[key])
            d["evidence"] = "; ".join(e.describe() for e in r.evidence) if evidence else ""
            rows.append(d)
        return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))

    def evidence_frame(self) -> pd.DataFrame:
        """One row per (risk, evidence item): the drill-down table."""
        rows = []
        for r in self.risks:
            for e in r.evidence:
                rows.append(
                    {
                        "risk": r.id,
                        "risk_label": r.label,
                        "test_method": e.test_id,
                        "test_label": e.test_label,
                        "method_type": e.method_type,
                        "path": e.path,
                        "via": e.via,
                        "mapping": e.mapping,
                        "links": "; ".join(e.links),
                        "sources": "; ".join(e.sources),
                        "custom": e.custom,
                        "note": e.note,
                        "test_iri": e.test_iri,
                    }
                )
        cols = ["risk", "risk_label", "test_method", "test_label", "method_type", "path", "via", "mapping",
                "links", "sources", "custom", "note", "test_iri"]
        return pd.DataFrame(rows, columns=cols)

    def matrix(self, level: int | None = None, values: str = "state", aggregate: bool = True) -> pd.DataFrame:
        """Risk x method type.

        Parameters
        ----------
        level
            Keep risks down to this depth (1 = top concepts); None keeps every risk.
        values
            ``"state"``: ``direct``, ``indirect``, ``not assessed`` or ``not applicable``;
            ``"count"``: the number of test methods of that type.
        aggregate
            A row includes the evidence of every risk under it (default), else its own only.
        """
        if values not in ("state", "count"):
            raise ValueError("values must be 'state' or 'count'")
        model, scores = self._model, self._scores
        rows = [r for r in sorted(self.risks, key=_tree_key) if level is None or r.depth <= level]
        types = list(self.method_types)
        if model is None or scores is None:
            return pd.DataFrame(index=[r.id for r in rows], columns=types)
        cells = _type_cells(model, self._keys, aggregate)
        extra = sorted({t for cell in cells.values() for t in cell} - set(types))
        types += extra
        table: list[list[Any]] = []
        for r in rows:
            i = model.index[r.iri]
            cell = cells.get(i, {})
            if values == "count":
                table.append([len(cell[t][1]) if t in cell else 0 for t in types])
            elif r.status == STATUS_NOT_APPLICABLE:
                table.append([STATUS_NOT_APPLICABLE] * len(types))
            else:
                table.append(
                    [("direct" if cell[t][0] == DIRECT else "indirect") if t in cell else "not assessed" for t in types]
                )
        frame = pd.DataFrame(table, index=[r.id for r in rows], columns=types)
        frame.index.name = "risk"
        return frame

    def to_json(self) -> dict[str, Any]:
        """``{"inventory", "taxonomy", "rubric", "summary", "risks"}`` as plain data."""
        return {
            "inventory": self.inventory,
            "taxonomy": self.taxonomy,
            "rubric": RUBRIC,
            "summary": self.summary().to_dict(),
            "risks": [r.to_dict() for r in self.risks],
        }


_FRAME_COLUMNS = (
    "rank", "id", "label", "taxonomy", "code", "depth", "broader", "narrower", "severity", "severity_rated", "weight",
    "status", "strength", "points", "own_score", "rollup_score", "n_methods", "method_types", "direct", "gap_score",
    "mitigated", "mitigations", "mitigation_gap", "mitigation_gap_kind", "not_applicable_reason",
    "narrower_covered", "narrower_total", "evidence", "iri",
)  # fmt: skip

RUBRIC = {
    "points": "direct evidence: 2 per interactive method type, 1 per other type; indirect evidence "
    f"(capability, mapping): half, at most {INDIRECT_CAP} in total",
    "interactive_types": sorted(INTERACTIVE_TYPES),
    "own_score": f"min(1, points / {STRONG_POINTS:g})",
    "score": "min(1, own score + severity-weighted mean score of the applicable narrower risks)",
    "status": "not assessed = 0; assessed: strong = 1; assessed: weak = in between; not applicable = curated claim",
    "gap_score": f"weight x (1 - score); weight = severity 1..5, {DEFAULT_WEIGHT:g} when unrated",
    "indirect_factor": INDIRECT_FACTOR,
}


def _natural(text: str) -> tuple[tuple[int, object], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)


def _tree_key(r: RiskCoverage) -> tuple[str, tuple[tuple[int, object], ...]]:
    return (r.taxonomy, _natural(r.code))


def _type_cells(model: Model, keys: frozenset[str], aggregate: bool) -> dict[int, dict[str, tuple[int, set[str]]]]:
    """Per risk: method type -> (best level, test methods), optionally merged up the hierarchy."""
    cells: dict[int, dict[str, tuple[int, set[str]]]] = {}
    for key in keys:
        item = model.items.get(key)
        if item is None:
            continue
        for risk, level in item.levels.items():
            cell = cells.setdefault(risk, {})
            best, tests = cell.get(item.type_key, (level, set()))
            tests.add(key)
            cell[item.type_key] = (min(best, level), tests)
    if aggregate:
        for i in model.topo:
            own = cells.get(i)
            if not own:
                continue
            for p in model.parents[i]:
                target = cells.setdefault(p, {})
                for t, (lvl, tests) in own.items():
                    best, have = target.get(t, (lvl, set()))
                    target[t] = (min(best, lvl), have | tests)
    return cells


# ---------------------------------------------------------------------------------- computing


def inventory_items(model: Model, inventory: Inventory | None, statuses: Iterable[str] | None) -> tuple[Model, set[str]]:
    """The item keys an inventory counts (catalogue tests and custom tests) and the model with them."""
    if inventory is None:
        return model, set(model.data.tests)
    wanted = {s.strip().lower() for s in statuses} if statuses else None
    keys: set[str] = set()
    custom: dict[str, tuple[str, set[str], set[str]]] = {}
    cap_by_id = model.data.capability_by_id()
    by_curie = model.data.by_curie()
    for entry in inventory.entries:
        if wanted is not None and (entry.status or "") not in wanted:
            continue
        if entry.custom:
            key = entry.custom_iri(inventory.name)
            type_key, risks, caps = custom.setdefault(key, (entry.method_type or f"custom:{entry.name}", set(), set()))
            risks.update(by_curie[c] for c in entry.risks if c in by_curie)
            caps.update(cap_by_id[c] for c in entry.capabilities if c in cap_by_id)
            keys.add(key)
        elif entry.test_iri:
            keys.add(entry.test_iri)
    extra = {k: model.make_item(k, t, sorted(r), sorted(c)) for k, (t, r, c) in custom.items()}
    return (model.with_items(extra) if extra else model), keys


def compute_coverage(
    source: Source,
    inventory: Inventory | None = None,
    taxonomy: str | None = None,
    statuses: Iterable[str] | None = None,
) -> CoverageReport:
    """Compute the coverage of every risk.

    Parameters
    ----------
    source
        A ``KnowledgeGraph`` or the ``CoverageData`` of :func:`graph.coverage.gather`.
    inventory
        Only these test methods (and the inventory's custom tests) count. ``None``: the whole
        catalogue counts ("what the field can test").
    taxonomy
        A taxonomy prefix: report only its risks (evidence through mappings still counts).
    statuses
        Count only inventory entries with one of these statuses (``planned``, ``running``, ``done``).

    Returns
    -------
    CoverageReport
        Ranked by gap score; every number with its evidence.
    """
    data = as_data(source)
    base = model_for(data)
    if taxonomy is not None and taxonomy not in {r.prefix for r in data.risks.values()}:
        from .errors import NotFound

        known = ", ".join(sorted({r.prefix for r in data.risks.values()}))
        raise NotFound(f"no taxonomy with prefix {taxonomy!r} (known: {known})")
    model, keys = inventory_items(base, inventory, statuses)
    scores = model.evaluate(keys)
    scope = scope_indexes(data, model, taxonomy)
    risks = build_risks(model, scores, keys, scope, inventory)
    n_tests = len({k for k in keys if k in model.items})
    return CoverageReport(
        risks,
        inventory.name if inventory else None,
        taxonomy,
        dict(data.method_types),
        n_tests,
        model.gap(scores, scope),
        scores,
        model,
        frozenset(keys),
    )


def scope_indexes(data: CoverageData, model: Model, taxonomy: str | None) -> list[int]:
    """Indexes of the risks in scope."""
    return [i for i, iri in enumerate(model.iris) if taxonomy is None or data.risks[iri].prefix == taxonomy]


def build_risks(
    model: Model, scores: Scores, keys: set[str], scope: list[int], inventory: Inventory | None
) -> list[RiskCoverage]:
    """Turn scores into ranked :class:`RiskCoverage` rows (evidence built when first read)."""
    data = model.data
    loader = _EvidenceLoader(model, keys, inventory)
    out: list[RiskCoverage] = []
    for i in scope:
        iri = model.iris[i]
        node = data.risks[iri]
        applicable = model.applicable[i]
        score = scores.score[i]
        status = status_of(score, applicable)
        mitigations = _mitigations(model, i)
        mitigated = bool(mitigations)
        gap_kind = ""
        if applicable and not mitigated:
            gap_kind = "assessed but unmitigated" if status in (STATUS_WEAK, STATUS_STRONG) else "unmitigated"
        kids = [c for c in model.children[i] if model.applicable[c]]
        out.append(
            RiskCoverage(
                id=node.curie,
                iri=iri,
                label=node.label,
                taxonomy=node.prefix,
                code=node.code,
                broader=tuple(data.risks[model.iris[p]].curie for p in model.parents[i]),
                narrower=tuple(data.risks[model.iris[c]].curie for c in model.children[i]),
                depth=model.depth[i],
                severity=node.severity,
                severity_rated=node.severity is not None,
                weight=model.weight[i],
                status=status,
                strength=score,
                points=scores.points[i],
                own_score=scores.own[i],
                rollup_score=scores.rollup[i],
                n_methods=len(scores.methods[i]),
                method_types=tuple(sorted(scores.direct[i] | scores.indirect[i])),
                direct=bool(scores.direct[i]),
                gap_score=model.weight[i] * (1.0 - score) if applicable else 0.0,
                mitigated=mitigated,
                mitigations=mitigations,
                mitigation_gap=bool(gap_kind),
                mitigation_gap_kind=gap_kind,
                not_applicable_reason=model.na_reason[i],
                narrower_covered=sum(1 for c in kids if scores.score[c] > EPS),
                narrower_total=len(kids),
                _loader=loader,
            )
        )
    out.sort(key=lambda r: (r.status == STATUS_NOT_APPLICABLE, -r.gap_score, -r.weight, r.taxonomy, _natural(r.code)))
    for n, r in enumerate(out, 1):
        r.rank = n
    return out


class _EvidenceLoader:
    """Builds the evidence of one risk on demand (an index of contributions is made once)."""

    def __init__(self, model: Model, keys: set[str], inventory: Inventory | None):
        self.model = model
        self.keys = sorted(keys)
        self.found: dict[int, list[tuple[str, Contribution]]] | None = None
        self.custom: dict[str, tuple[str, str | None, str]] = {}
        if inventory is not None:
            for e in inventory.entries:
                if e.custom:
                    self.custom[e.custom_iri(inventory.name)] = (e.name, e.method_type, f"custom test, row {e.row}")

    def __call__(self, risk: RiskCoverage) -> tuple[Evidence, ...]:
        if self.found is None:
            found: dict[int, list[tuple[str, Contribution]]] = {}
            for key in self.keys:
                item = self.model.items.get(key)
                if item is not None:
                    for c in item.contributions:
                        found.setdefault(c.risk, []).append((key, c))
            self.found = found
        self.model.data.load_evidence()
        i = self.model.index[risk.iri]
        items = [_evidence(self.model, key, c, self.custom) for key, c in self.found.get(i, [])]
        return tuple(sorted(items, key=lambda e: (e.level, e.path, e.test_label.lower(), e.via or "")))


def _mitigations(model: Model, i: int) -> tuple[str, ...]:
    """Mitigation ids of a risk: its own, those of broader risks, and of exact/close matches."""
    names = model.data.mitigations
    return tuple(sorted(names.get(m, (m, m))[0] for m in model.mitigations[i]))


def _evidence(model: Model, key: str, c: Contribution, custom: dict[str, tuple[str, str | None, str]]) -> Evidence:
    data = model.data
    test = data.tests.get(key)
    links = tuple(data.links[h] for h in c.hops if h in data.links)
    sources = tuple(sorted({s for h in c.hops for s in data.link_sources.get(h, ())}))
    via = via_label = None
    if c.via is not None:
        if c.path == "capability":
            via, via_label = data.capabilities.get(c.via, (c.via, c.via))
        else:
            node = data.risks[c.via]
            via, via_label = node.curie, node.label
    if test is not None:
        return Evidence(test.id, key, test.label, test.method_type, c.path,
                        "direct" if c.level == DIRECT else "indirect", via, c.via, via_label, c.mapping, links, sources)
    name, mtype, note = custom.get(key, (key, None, "custom test"))
    return Evidence(name, key, name, mtype, c.path, "direct" if c.level == DIRECT else "indirect", via, c.via,
                    via_label, c.mapping, links, sources, True, note)


# ---------------------------------------------------------------------------------- what-if


@dataclass
class RiskChange:
    """How one risk changes in a what-if."""

    id: str
    label: str
    status_before: str
    status_after: str
    strength_before: float
    strength_after: float
    gap_before: float
    gap_after: float


@dataclass
class WhatIf:
    """Coverage before and after adding test methods to an inventory."""

    before: CoverageReport
    after: CoverageReport
    added: list[str]
    gain: float
    changes: list[RiskChange]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(c) for c in self.changes], columns=list(RiskChange.__dataclass_fields__))


def compare_reports(before: CoverageReport, after: CoverageReport) -> list[RiskChange]:
    """The risks whose status or strength differs between two reports."""
    old = before.by_id
    changes = []
    for r in after.risks:
        b = old.get(r.id)
        if b is None or (b.status == r.status and abs(b.strength - r.strength) < 1e-9):
            continue
        changes.append(
            RiskChange(r.id, r.label, b.status, r.status, b.strength, r.strength, b.gap_score, r.gap_score)
        )
    changes.sort(key=lambda c: (-(c.gap_before - c.gap_after), c.id))
    return changes
