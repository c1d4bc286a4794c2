"""Practice coverage: the test methods that published evaluation reports say they ran.

A third baseline beside the whole catalogue ("what the field could test") and an inventory ("what
we test"): *practice* is what the published reports show was tested, optionally narrowed to a
publication window, a kind of tester, tester organisations, tested models or open-weight models.

:func:`practice` reads the reports once from the store (through SPARQL, so it runs on a remote
store too) and returns a :class:`Practice`; :meth:`Practice.to_inventory` turns it into the same
:class:`~graph.inventory.model.Inventory` an inventory file gives the rules, so every analysis
(gaps, plan, what-if, compare) takes practice as it takes an inventory, and each catalogue entry
names the reports behind it (shown as the evidence's reports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graph.core.errors import AiriskError
from graph.coverage.rules import STATUS_NOT_APPLICABLE
from graph.index.data import CoverageData
from graph.index.reports import ReportData, ReportInfo, report_data
from graph.inventory.model import Inventory, InventoryEntry

#: The ``source`` of a practice inventory (what tells it apart from an inventory file).
PRACTICE_SOURCE = "published evaluation reports"
#: The tester kinds a filter accepts (``independent`` = government institutes and third parties).
TESTER_KINDS = ("developer", "government-institute", "third-party", "joint", "independent")

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class PracticeFilter:
    """Which reports count. Every criterion given must hold; ``None``/empty means any.

    ``since`` and ``until`` are ``YYYY[-MM[-DD]]`` and inclusive; a report published in a period
    (a year or a month) counts when the period overlaps the window. ``tester_kinds`` are tester
    kinds (``independent`` = government institutes and third parties); ``orgs`` are tester
    organisation ids (a report counts when any of its testers is one); ``models`` model ids (any
    tested model); ``open_weights`` True keeps reports that tested an open-weight model, False
    reports that tested a model whose weights are not open.
    """

    since: str | None = None
    until: str | None = None
    tester_kinds: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    open_weights: bool | None = None

    def describe(self) -> str:
        """A short name, e.g. ``practice (2025-01.., independent, org uk-aisi)``."""
        parts: list[str] = []
        if self.since or self.until:
            parts.append(f"{self.since or ''}..{self.until or ''}")
        parts.extend(self.tester_kinds)
        parts.extend(f"org {o}" for o in self.orgs)
        parts.extend(f"model {m}" for m in self.models)
        if self.open_weights is not None:
            parts.append("open weights" if self.open_weights else "closed weights")
        return "practice" + (f" ({', '.join(parts)})" if parts else "")


@dataclass
class Practice:
    """The reports a filter keeps and the catalogue methods they ran."""

    filter: PracticeFilter
    reports: list[ReportInfo]
    method_reports: dict[str, tuple[str, ...]]  # test-method IRI -> report ids (publication order)
    data: ReportData

    @property
    def name(self) -> str:
        return self.filter.describe()

    def to_inventory(self, coverage: CoverageData) -> Inventory:
        """The practice as an inventory: one ``done`` entry per method, naming its reports."""
        entries: list[InventoryEntry] = []
        by_id = {r.id: r for r in self.reports}
        for iri, report_ids in self.method_reports.items():
            test = coverage.tests.get(iri)
            if test is None:
                continue
            latest = max(by_id[r].published for r in report_ids)
            entries.append(
                InventoryEntry(
                    test_method=test.id,
                    test_iri=iri,
                    test_id=test.id,
                    name=test.label,
                    status="done",
                    date=latest,
                    notes="reported by " + ", ".join(report_ids),
                    matched_by="report",
                    reports=report_ids,
                    cells={
                        "test_method": test.id,
                        "status": "done",
                        "date": latest,
                        "notes": "reported by " + ", ".join(report_ids),
                    },
                )
            )
        entries.sort(key=lambda e: e.test_id or "")
        return Inventory(self.name, entries, source=PRACTICE_SOURCE)

    def counts(self) -> dict[str, dict[str, int]]:
        """Reports per publication year and per tester kind."""
        years: dict[str, int] = {}
        kinds: dict[str, int] = {}
        for r in self.reports:
            years[r.year] = years.get(r.year, 0) + 1
            kinds[r.tester_kind] = kinds.get(r.tester_kind, 0) + 1
        return {"per_year": dict(sorted(years.items())), "per_tester_kind": dict(sorted(kinds.items()))}


def _bounds(text: str) -> tuple[str, str]:
    """The first and last day of a ``YYYY[-MM[-DD]]`` period, as ``YYYY-MM-DD`` strings."""
    if len(text) == 4:
        return f"{text}-01-01", f"{text}-12-31"
    if len(text) == 7:
        return f"{text}-01", f"{text}-31"
    return text, text


def check_filter(pf: PracticeFilter, data: ReportData) -> None:
    """Raise :class:`AiriskError` naming the first unknown value of ``pf`` (with what is known)."""
    for name, value in (("since", pf.since), ("until", pf.until)):
        if value is not None and not _DATE.match(value):
            raise AiriskError(f"--{name} {value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    if pf.since and pf.until and _bounds(pf.until)[1] < _bounds(pf.since)[0]:
        raise AiriskError(f"--until {pf.until} is before --since {pf.since}")
    kinds = data.kinds or {k: {k} for k in TESTER_KINDS}
    for kind in pf.tester_kinds:
        if kind not in kinds:
            raise AiriskError(f"unknown tester kind {kind!r} (known: {', '.join(sorted(kinds))})")
    for org in pf.orgs:
        if org not in data.orgs:
            known = ", ".join(sorted(data.orgs)) or "none"
            raise AiriskError(f"no report names {org!r} as a tester (testers: {known})")
    for model in pf.models:
        if model not in data.models:
            raise AiriskError(f"unknown model {model!r} (see airisk query reports-timeline)")


def keeps(pf: PracticeFilter, report: ReportInfo, data: ReportData) -> bool:
    """Whether ``report`` passes every criterion of ``pf``."""
    if pf.since or pf.until:
        if not report.published:
            return False
        lo, hi = _bounds(report.published)
        if pf.since and hi < _bounds(pf.since)[0]:
            return False
        if pf.until and lo > _bounds(pf.until)[1]:
            return False
    if pf.tester_kinds:
        allowed = set().union(*(data.kinds.get(k, {k}) for k in pf.tester_kinds))
        if report.tester_kind not in allowed:
            return False
    if pf.orgs and not set(pf.orgs) & set(report.testers):
        return False
    if pf.models and not set(pf.models) & set(report.models):
        return False
    if pf.open_weights is not None:
        flags = [data.models[m].open_weights for m in report.models if m in data.models]
        if pf.open_weights not in flags:
            return False
    return True


def practice(coverage: CoverageData, pf: PracticeFilter | None = None) -> Practice:
    """The reports ``pf`` keeps (default: every report) and the catalogue methods they ran."""
    pf = pf or PracticeFilter()
    data = report_data(coverage)
    check_filter(pf, data)
    kept = [r for r in data.reports if keeps(pf, r, data)]
    methods: dict[str, list[str]] = {}
    for r in kept:
        for m in r.methods:
            if m in coverage.tests:
                methods.setdefault(m, []).append(r.id)
    return Practice(pf, kept, {m: tuple(ids) for m, ids in sorted(methods.items())}, data)


_SPEC_KEYS = {"since", "until", "tester", "org", "model", "open-weights", "closed-weights"}


def parse_filter(text: str) -> PracticeFilter:
    """Read a practice filter written ``key=value,key=value`` (for ``airisk compare``).

    Keys: ``since``, ``until``, ``tester``, ``org``, ``model`` (repeatable) and the flags
    ``open-weights``, ``closed-weights``. An empty text is the whole of practice.
    """
    values: dict[str, list[str]] = {}
    flags: set[str] = set()
    for n, part in enumerate((p.strip() for p in text.split(",")), 1):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if key not in _SPEC_KEYS:
            raise AiriskError(
                f"practice filter {text!r}, item {n}: unknown key {key!r} (use {', '.join(sorted(_SPEC_KEYS))})"
            )
        if key in ("open-weights", "closed-weights"):
            if sep:
                raise AiriskError(f"practice filter {text!r}, item {n}: {key} takes no value")
            flags.add(key)
            continue
        if not value:
            raise AiriskError(f"practice filter {text!r}, item {n}: {key} needs a value ({key}=...)")
        if key in ("since", "until") and key in values:
            raise AiriskError(f"practice filter {text!r}, item {n}: {key} given twice")
        values.setdefault(key, []).append(value)
    if flags == {"open-weights", "closed-weights"}:
        raise AiriskError(f"practice filter {text!r}: open-weights and closed-weights exclude each other")
    return PracticeFilter(
        since=values.get("since", [None])[0],
        until=values.get("until", [None])[0],
        tester_kinds=tuple(values.get("tester", ())),
        orgs=tuple(values.get("org", ())),
        models=tuple(values.get("model", ())),
        open_weights=True if "open-weights" in flags else False if "closed-weights" in flags else None,
    )


def practice_matrix(coverage: CoverageData, pf: PracticeFilter | None = None) -> list[dict[str, Any]]:
    """Model x risk domain: one row per (model, domain) with its testers, tester kinds and reports."""
    p = practice(coverage, pf)
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in p.reports:
        for m in r.models:
            for d in r.domains:
                cell = cells.setdefault((m, d), {"testers": set(), "kinds": set(), "reports": []})
                cell["testers"].update(r.testers)
                cell["kinds"].add(r.tester_kind)
                cell["reports"].append(r.id)
    rows = []
    for (m, d), cell in sorted(cells.items()):
        node = coverage.risks.get(d)
        model = p.data.models.get(m)
        rows.append(
            {
                "model": m,
                "model_label": model.label if model else m,
                "open_weights": model.open_weights if model else None,
                "domain": node.curie if node else d,
                "domain_label": node.label if node else d,
                "testers": sorted(cell["testers"]),
                "tester_kinds": sorted(cell["kinds"]),
                "reports": cell["reports"],
            }
        )
    return rows


def severe_assessed(report: Any, min_severity: int = 4) -> tuple[int, int]:
    """How many applicable risks rated ``min_severity`` or more a coverage report assesses, of how many."""
    severe = [r for r in report.risks if (r.severity or 0) >= min_severity and r.status != STATUS_NOT_APPLICABLE]
    return sum(1 for r in severe if r.assessed), len(severe)


#: Practice baselines worth offering by name: label -> filter (``parse_filter`` syntax).
PRESETS: dict[str, str] = {
    "every published report": "",
    "independent testers": "tester=independent",
    "developers' own reports": "tester=developer",
    "UK AI Security Institute": "org=uk-aisi",
    "US CAISI (AI Safety Institute)": "org=us-aisi",
    "open-weight models": "open-weights",
}


def presets(coverage: CoverageData) -> dict[str, str]:
    """The named practice baselines that apply to this graph (and one per publication year)."""
    data = report_data(coverage)
    out = {}
    for label, spec in PRESETS.items():
        pf = parse_filter(spec)
        if all(o in data.orgs for o in pf.orgs):
            out[label] = spec
    for year in sorted({r.year for r in data.reports if r.year}):
        out[f"published in {year}"] = f"since={year},until={year}"
    return out
