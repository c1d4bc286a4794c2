"""The plain data of coverage reports: evidence, per-risk coverage, summary numbers and the rubric text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from graph.coverage.rules import (
    DEFAULT_WEIGHT,
    INDIRECT_CAP,
    INDIRECT_FACTOR,
    INTERACTIVE_TYPES,
    STATUS_NOT_ASSESSED,
    STATUS_NOT_TESTABLE,
    STATUS_STRONG,
    STATUS_WEAK,
    STRONG_POINTS,
)


@dataclass(frozen=True, slots=True)
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
    member: str = ""  # on a cluster's row: the member risk (CURIE) this evidence is for; "" for the row's own
    reports: tuple[str, ...] = ()  # practice: the evaluation reports (ids) that ran the test method

    def describe(self) -> str:
        """A one-line explanation, e.g. ``cybench via capability cyber-offense``."""
        if self.member:
            return Evidence.describe(replace(self, member="")) + f" [for {self.member}]"
        if self.path == "direct":
            text = f"{self.test_id} (direct)"
        elif self.path == "capability":
            text = f"{self.test_id} via capability {self.via}"
        else:
            text = f"{self.test_id} via mapping {self.mapping}"
        return text + (f" [reported by {', '.join(self.reports)}]" if self.reports else "")


@dataclass(slots=True)
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
    documented_entries: int = 0
    members: tuple[str, ...] = ()  # the other risks of its cluster (CURIEs) on a deduplicated lens
    member_iris: tuple[str, ...] = ()
    _evidence: tuple[Evidence, ...] | None = field(default=None, repr=False, compare=False)
    _loader: Callable[[RiskCoverage], tuple[Evidence, ...]] | None = field(default=None, repr=False, compare=False)
    _why: Any = field(default=None, repr=False, compare=False)
    _why_loader: Callable[[RiskCoverage], Any] | None = field(default=None, repr=False, compare=False)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The test methods that count for this risk and the path through which each counts."""
        if self._evidence is None:
            self._evidence = self._loader(self) if self._loader is not None else ()
        return self._evidence

    @property
    def why(self) -> Any:
        """The :class:`graph.coverage.why.Why`: the reason in words and the methods that would raise it."""
        if self._why is None and self._why_loader is not None:
            self._why = self._why_loader(self)
        return self._why

    @property
    def not_testable(self) -> bool:
        return self.status == STATUS_NOT_TESTABLE

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
        why = self.why
        if why is not None:
            d["why"] = why.to_dict()
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
    n_not_applicable: int  # = n_not_testable (the former name)
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

    @property
    def n_not_testable(self) -> int:
        """Risks not testable by model evaluation: counted apart, never ranked."""
        return self.n_not_applicable

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["n_not_testable"] = self.n_not_applicable
        return d


def summarise(risks: list[RiskCoverage], n_tests: int, by_taxonomy: bool = True) -> CoverageSummary:
    """Count statuses and weigh coverage by severity."""
    applicable = [r for r in risks if r.status != STATUS_NOT_TESTABLE]
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


RUBRIC = {
    "points": "direct evidence: 2 per interactive method type, 1 per other type; indirect evidence "
    f"(capability, mapping): half, at most {INDIRECT_CAP} in total",
    "interactive_types": sorted(INTERACTIVE_TYPES),
    "own_score": f"min(1, points / {STRONG_POINTS:g})",
    "capability_role": "only capability links with the role 'evidence' carry test evidence; 'context' links do not",
    "rollup_share": "severity-weighted mean score of the applicable narrower risks (an only narrower risk counts "
    "at most half)",
    "score": "1 - (1 - own score) x (1 - roll-up share)",
    "status": "not assessed = 0; assessed: strong = 1; assessed: weak = in between; not testable by model "
    "evaluation = sourced claim (never ranked)",
    "lens": "a deduplicated lens counts a cluster of exact/close matches once: highest member weight, mean score",
    "gap_score": f"weight x (1 - score); weight = severity 1..5, {DEFAULT_WEIGHT:g} when unrated",
    "indirect_factor": INDIRECT_FACTOR,
}
