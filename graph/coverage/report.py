"""Coverage reports: per-risk status, strength, gap score and the evidence behind each number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from graph.core.errors import AiriskError
from graph.coverage.lens import Lens, choose_lens
from graph.coverage.matrix import report_matrix
from graph.coverage.rules import (
    DIRECT,
    EPS,
    STATUS_NOT_TESTABLE,
    STATUS_STRONG,
    STATUS_WEAK,
    Clusters,
    Contribution,
    Model,
    Scores,
    as_clusters,
    status_of,
)
from graph.coverage.types import RUBRIC, CoverageSummary, Evidence, RiskCoverage, summarise
from graph.coverage.why import Explainer
from graph.index.data import CoverageData, Source, as_data, paused_gc
from graph.inventory.model import ENTRY_STATUSES, STATUS_SYNONYMS, Inventory

if TYPE_CHECKING:
    import pandas as pd


@paused_gc()
def model_for(data: CoverageData) -> Model:
    """The indexed rules model of ``data`` (built once and cached on it)."""
    model = data.cache.get("model")
    if not isinstance(model, Model):
        model = Model(data)
        data.cache["model"] = model
    return model


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
    lens: Lens | None = None
    #: prefix -> (title, version) of every taxonomy the reported risks belong to
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)

    def version_note(self) -> str:
        """The taxonomy versions the report covers, as one line (``mit (v3 (2025-03-26)); ...``)."""
        return "; ".join(f"{p} ({v or 'no version'})" for p, (_t, v) in sorted(self.versions.items()))

    def prefetch_evidence(self, risks: list[RiskCoverage] | None = None) -> None:
        """Fetch the evidence (links and sources) of ``risks`` (default: all) with as few queries as possible."""
        todo = [r for r in (self.risks if risks is None else risks) if r._evidence is None]
        loader = todo[0]._loader if todo else None
        if isinstance(loader, _EvidenceLoader):
            loader.prefetch(todo)

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
        rows = [r for r in self.risks if r.gap_score > EPS and (not leaves_only or not r.narrower)][:n]
        self.prefetch_evidence(rows)
        return rows

    def to_frame(self, evidence: bool = True) -> pd.DataFrame:
        """One row per risk, in rank order (``evidence``: a column explaining each risk's evidence)."""
        import pandas as pd

        if evidence:
            self.prefetch_evidence()
        rows = []
        for r in self.risks:
            d = r.to_dict(evidence=False)
            for key in ("broader", "narrower", "method_types", "mitigations"):
                d[key] = "; ".join(d[key])
            d["evidence"] = "; ".join(e.describe() for e in r.evidence) if evidence else ""
            d["members"] = "; ".join(r.members)
            why = r.why
            d["why"] = why.reason if why is not None else ""
            d["would_raise_it"] = why.best if why is not None and why.kinds[0] not in ("strong", "not-testable") else ""
            rows.append(d)
        return pd.DataFrame(rows, columns=list(_FRAME_COLUMNS))

    def evidence_frame(self) -> pd.DataFrame:
        """One row per (risk, evidence item): the drill-down table."""
        import pandas as pd

        self.prefetch_evidence()
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
                        "reports": "; ".join(e.reports),
                        "test_iri": e.test_iri,
                    }
                )
        cols = ["risk", "risk_label", "test_method", "test_label", "method_type", "path", "via", "mapping", "links",
                "sources", "custom", "note", "reports", "test_iri"]  # fmt: skip
        return pd.DataFrame(rows, columns=cols)

    def matrix(
        self,
        level: int | None = None,
        values: str = "state",
        aggregate: bool = True,
        by: str = "type",
        sort: str = "tree",
    ) -> pd.DataFrame:
        """Risk x method type (or ``by="family"``) with cell words of their own; see :mod:`graph.coverage.matrix`."""
        return report_matrix(self, level, values, aggregate, by, sort)

    def why(self, risk_id: str) -> Any:
        """The explanation (:class:`graph.coverage.why.Why`) of the risk ``risk_id`` (a member CURIE works too)."""
        for r in self.risks:
            if r.id == risk_id or risk_id in r.members:
                return r.why
        raise KeyError(risk_id)

    def to_json(self) -> dict[str, Any]:
        """``{"inventory", "taxonomy", "lens", "versions", "rubric", "summary", "risks"}`` as plain data."""
        self.prefetch_evidence()
        return {
            "inventory": self.inventory,
            "taxonomy": self.taxonomy,
            "lens": self.lens.to_dict() if self.lens else None,
            "versions": {p: {"title": t, "version": v} for p, (t, v) in sorted(self.versions.items())},
            "rubric": RUBRIC,
            "summary": self.summary().to_dict(),
            "risks": [r.to_dict() for r in self.risks],
        }


_FRAME_COLUMNS = (
    "rank", "id", "label", "taxonomy", "code", "depth", "broader", "narrower", "severity", "severity_rated", "weight",
    "status", "strength", "points", "own_score", "rollup_score", "n_methods", "method_types", "direct", "gap_score",
    "mitigated", "mitigations", "mitigation_gap", "mitigation_gap_kind", "not_applicable_reason",
    "narrower_covered", "narrower_total", "documented_entries", "members", "why", "would_raise_it", "evidence", "iri",
)  # fmt: skip


# ---------------------------------------------------------------------------------- computing


def inventory_items(
    model: Model, inventory: Inventory | None, statuses: Iterable[str] | None
) -> tuple[Model, set[str]]:
    """The item keys an inventory counts (catalogue tests and custom tests) and the model with them."""
    if inventory is None:
        return model, set(model.data.tests)
    wanted: set[str] | None = None
    if statuses:
        wanted = set()
        for s in statuses:
            status = STATUS_SYNONYMS.get(s.strip().lower())
            if status is None:
                raise AiriskError(f"unknown status {s!r}: use {', '.join(ENTRY_STATUSES)}")
            wanted.add(status)
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


@paused_gc()
def compute_coverage(
    source: Source,
    inventory: Inventory | None = None,
    taxonomy: str | None = None,
    statuses: Iterable[str] | None = None,
    lens: str | None = None,
) -> CoverageReport:
    """Compute the coverage of every risk a lens counts.

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
    lens
        A lens id (``"frontier"``, ``"all"``, a taxonomy prefix, ``"default"``): its risks, a
        cluster of exact/close matches counted once. ``None`` with ``taxonomy``: that taxonomy;
        ``None`` without: every concept once (lens ``"every"``).

    Returns
    -------
    CoverageReport
        Ranked by gap score; every number with its evidence.
    """
    data = as_data(source)
    base = model_for(data)
    check_taxonomy(data, taxonomy)
    model, keys = inventory_items(base, inventory, statuses)
    scores = model.evaluate(keys)
    chosen = choose_lens(data, model.index, lens, taxonomy)
    risks = build_risks(model, scores, keys, chosen.clusters, inventory)
    n_tests = len({k for k in keys if k in model.items})
    report = CoverageReport(
        risks,
        inventory.name if inventory else None,
        taxonomy,
        dict(data.method_types),
        n_tests,
        model.gap(scores, chosen.clusters),
        scores,
        model,
        frozenset(keys),
        chosen,
        {r.taxonomy: data.taxonomies.get(r.taxonomy, (r.taxonomy, "")) for r in risks},
    )
    explainer = Explainer(model, scores, frozenset(keys), chosen.clusters)
    for r in risks:
        r._why_loader = explainer
    return report


def check_taxonomy(data: CoverageData, taxonomy: str | None) -> None:
    """Raise NotFound (with the known prefixes) unless ``taxonomy`` is None or a prefix of the data."""
    if taxonomy is not None and taxonomy not in {r.prefix for r in data.risks.values()}:
        from graph.core.errors import NotFound

        known = ", ".join(sorted({r.prefix for r in data.risks.values()}))
        raise NotFound(f"no taxonomy with prefix {taxonomy!r} (known: {known})")


def scope_indexes(data: CoverageData, model: Model, taxonomy: str | None, lens: str | None = None) -> Clusters:
    """The clusters of risk indexes in scope (one per counted risk) for a lens or a taxonomy."""
    return choose_lens(data, model.index, lens, taxonomy).clusters


def build_risks(
    model: Model, scores: Scores, keys: set[str], scope: list[int] | Clusters, inventory: Inventory | None
) -> list[RiskCoverage]:
    """Turn scores into ranked :class:`RiskCoverage` rows, one per cluster (evidence built when first read).

    A cluster's row is its weakest applicable member (where the gap is), with the cluster's weight (highest
    member severity), the mean score of its members and the others in ``members``. Not-testable rows: last, rank 0.
    """
    data, loader = model.data, _EvidenceLoader(model, scores, inventory)
    out: list[RiskCoverage] = []
    risks, iris, curies, applicable_of, entries = data.risks, model.iris, model.curies, model.applicable, data.entries
    score_of, points, own, rollup = scores.score, scores.points, scores.own, scores.rollup
    direct_of, indirect_of, methods_of = scores.direct, scores.indirect, scores.methods
    for cluster in as_clusters(scope):
        if len(cluster) > 1:  # the row is the weakest member: where the cluster's gap is; the score is the mean
            live = [c for c in cluster if applicable_of[c]]
            i = min(live, key=lambda c: (score_of[c], live.index(c))) if live else cluster[0]
            applicable = applicable_of[i]
            score = model.cluster_score(score_of, cluster) if live else score_of[i]
            weight = model.cluster_weight(cluster) if live else model.weight[i]
            others = tuple(c for c in cluster if c != i)
        else:  # most rows: no members, the risk's own numbers
            i, others = cluster[0], ()
            applicable, score, weight = applicable_of[i], score_of[i], model.weight[i]
        iri, status, mitigated = iris[i], status_of(score, applicable), model.mitigated[i]
        node = risks[iri]
        gap_kind = ""
        if applicable and not mitigated:
            gap_kind = "assessed but unmitigated" if status in (STATUS_WEAK, STATUS_STRONG) else "unmitigated"
        kids = model.live_children[i]
        direct, indirect, methods = direct_of.get(i), indirect_of.get(i), methods_of.get(i)
        types = direct | indirect if direct and indirect else direct or indirect or ()
        out.append(
            RiskCoverage(  # positional, in the order of its fields (about a fifth cheaper than keywords)
                node.curie,
                iri,
                node.label,
                node.prefix,
                node.code,
                tuple([curies[p] for p in model.parents[i]]),
                tuple([curies[c] for c in model.children[i]]),
                model.depth[i],
                node.severity,
                node.severity is not None,
                weight,
                status,
                score,
                points[i],
                own[i],
                rollup[i],
                len(methods) if methods else 0,
                tuple(sorted(types)) if len(types) > 1 else tuple(types),
                bool(direct),
                weight * (1.0 - score) if applicable else 0.0,
                mitigated,
                model.mitigation_ids[i],
                bool(gap_kind),
                gap_kind,
                model.na_reason[i],
                sum([1 for c in kids if score_of[c] > EPS]) if kids else 0,
                len(kids),
                0,
                entries.get(iri, 0) if entries else 0,
                tuple([curies[c] for c in others]),
                tuple([iris[c] for c in others]),
                None,
                loader,
            )
        )
    # ties: higher severity first, then taxonomy and code order (the model's index order)
    position = model.index
    out.sort(key=lambda r: (r.status == STATUS_NOT_TESTABLE, -r.gap_score, -r.weight, position[r.iri]))
    for n, r in enumerate(out, 1):
        r.rank = 0 if r.status == STATUS_NOT_TESTABLE else n
    return out


class _EvidenceLoader:
    """Builds the evidence of a risk on demand, from the test methods the scores found for it."""

    def __init__(self, model: Model, scores: Scores, inventory: Inventory | None):
        self.model = model
        self.methods = scores.methods
        self.custom: dict[str, tuple[str, str | None, str]] = {}
        self.reports: dict[str, tuple[str, ...]] = {}  # test IRI -> the reports that ran it (practice)
        if inventory is not None:
            for e in inventory.entries:
                if e.custom:
                    self.custom[e.custom_iri(inventory.name)] = (e.name, e.method_type, f"custom test, row {e.row}")
                elif e.test_iri and e.reports:
                    self.reports[e.test_iri] = tuple(dict.fromkeys((*self.reports.get(e.test_iri, ()), *e.reports)))

    def contributions(self, i: int) -> list[tuple[str, Contribution]]:
        items = self.model.items
        return [(key, c) for key in sorted(self.methods.get(i, ())) for c in items[key].contributions if c.risk == i]

    def prefetch(self, risks: list[RiskCoverage]) -> None:
        """Fetch the evidence nodes and sources of these risks' evidence in one go."""
        index = self.model.index
        hops = [
            h
            for r in risks
            for iri in (r.iri, *r.member_iris)
            for _, c in self.contributions(index[iri])
            for h in c.hops
        ]
        self.model.data.ensure_evidence(hops)

    def __call__(self, risk: RiskCoverage) -> tuple[Evidence, ...]:
        """The evidence of a row: its own, then (for a cluster) each member's, marked with the member."""
        self.prefetch([risk])
        index = self.model.index
        out: list[Evidence] = []
        for iri, member in ((risk.iri, ""), *zip(risk.member_iris, risk.members, strict=True)):
            items = [
                _evidence(self.model, key, c, self.custom, self.reports, member)
                for key, c in self.contributions(index[iri])
            ]
            out += sorted(items, key=lambda e: (e.level, e.path, e.test_label.lower(), e.via or ""))
        return tuple(out)


def _evidence(
    model: Model,
    key: str,
    c: Contribution,
    custom: dict[str, tuple[str, str | None, str]],
    reports: dict[str, tuple[str, ...]],
    member: str = "",
) -> Evidence:
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
        ident, label, mtype, is_custom = test.id, test.label, test.method_type, False
        note = "reported by " + ", ".join(reports[key]) if key in reports else ""
    else:
        ident, mtype, note = custom.get(key, (key, None, "custom test"))
        label, is_custom = ident, True
    return Evidence(
        ident,
        key,
        label,
        mtype,
        c.path,
        "direct" if c.level == DIRECT else "indirect",
        via,
        c.via,
        via_label,
        c.mapping,
        links,
        sources,
        is_custom,
        note,
        member,
        reports.get(key, ()),
    )


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
        import pandas as pd

        return pd.DataFrame([asdict(c) for c in self.changes], columns=list(RiskChange.__dataclass_fields__))


def compare_reports(before: CoverageReport, after: CoverageReport) -> list[RiskChange]:
    """The risks whose status or strength differs between two reports."""
    old = before.by_id
    changes = []
    for r in after.risks:
        b = old.get(r.id)
        if b is None or (b.status == r.status and abs(b.strength - r.strength) < 1e-9):
            continue
        changes.append(RiskChange(r.id, r.label, b.status, r.status, b.strength, r.strength, b.gap_score, r.gap_score))
    changes.sort(key=lambda c: (-(c.gap_before - c.gap_after), c.id))
    return changes
