"""The published evaluation reports read into Python: who tested which models with which methods, when.

:func:`report_data` runs four SELECT queries (reports, their exercises' relations, models, tester
kinds) once per :class:`~graph.index.data.CoverageData` and caches a :class:`ReportData` on it,
so practice coverage (:mod:`graph.coverage.practice`) and the app read the same objects, on the
embedded store or a remote one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from graph.index.data import CoverageData, select_rows

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph

Q_REPORTS = """SELECT ?report ?id ?title ?published ?ex ?kind ?type ?access ?url WHERE {
  ?report a ar:EvaluationReport ; prov:wasGeneratedBy ?ex .
  OPTIONAL { ?report dcterms:identifier ?id }
  OPTIONAL { ?report dcterms:title ?title }
  OPTIONAL { ?report dcterms:issued ?published }
  OPTIONAL { ?report foaf:page ?url }
  OPTIONAL { ?ex ar:testerKind/skos:notation ?kind }
  OPTIONAL { ?report ar:reportType/skos:notation ?type }
  OPTIONAL { ?ex ar:access/skos:notation ?access }
}"""

#: Testers, models, methods and domains of every exercise: one linear scan (ids are the IRIs' last segment).
Q_RELATIONS = """SELECT ?ex ?p ?o WHERE {
  VALUES ?p { prov:wasAssociatedWith ar:testedModel ar:usedTestMethod ar:coversRisk ar:commissionedBy }
  ?ex ?p ?o .
}"""

Q_MODELS = """SELECT ?m ?id ?label ?open ?developer WHERE {
  ?m a ar:AIModel .
  OPTIONAL { ?m dcterms:identifier ?id }
  OPTIONAL { ?m rdfs:label ?label }
  OPTIONAL { ?m ar:openWeights ?open }
  OPTIONAL { ?m ar:developer/dcterms:identifier ?developer }
}"""

Q_KINDS = """SELECT ?notation ?broader WHERE {
  ?k a ar:TesterKind ; skos:notation ?notation .
  OPTIONAL { ?k skos:broader/skos:notation ?broader }
}"""


@dataclass(frozen=True)
class ReportInfo:
    """One published evaluation report, as practice coverage sees it."""

    id: str
    iri: str
    title: str
    published: str
    tester_kind: str
    report_type: str
    access: str
    url: str
    testers: tuple[str, ...]  # organisation ids
    models: tuple[str, ...]  # model ids
    methods: tuple[str, ...]  # test-method IRIs
    domains: tuple[str, ...]  # risk IRIs in scope
    commissioned_by: tuple[str, ...] = ()

    @property
    def year(self) -> str:
        return self.published[:4]


@dataclass(frozen=True)
class ModelInfo:
    """A model as practice coverage sees it."""

    id: str
    iri: str
    label: str
    open_weights: bool | None
    developer: str | None


@dataclass
class ReportData:
    """Every report, model and tester kind of the graph (read once, cached on the coverage data)."""

    reports: list[ReportInfo] = field(default_factory=list)
    models: dict[str, ModelInfo] = field(default_factory=dict)  # id -> model
    kinds: dict[str, set[str]] = field(default_factory=dict)  # kind -> itself and its narrower kinds
    orgs: set[str] = field(default_factory=set)  # tester organisation ids


def report_data(coverage: CoverageData) -> ReportData:
    """The reports of the graph behind ``coverage`` (queried once, then cached on it)."""
    cached = coverage.cache.get("reports")
    if isinstance(cached, ReportData):
        return cached
    out = ReportData()
    kg = coverage.kg
    if kg is not None:
        out = _read_reports(kg)
    coverage.cache["reports"] = out
    return out


def _read_reports(kg: KnowledgeGraph) -> ReportData:
    out = ReportData()
    broader: dict[str, set[str]] = {}
    for notation, parent in select_rows(kg, Q_KINDS):
        if notation:
            broader.setdefault(notation, set())
            if parent:
                broader[notation].add(parent)
    for kind in broader:
        out.kinds[kind] = {k for k in broader if k == kind or kind in _ancestors(k, broader)}
    model_ids: dict[str, str] = {}
    for m_iri, m_id, label, open_w, developer in select_rows(kg, Q_MODELS):
        if m_iri is None or m_iri in model_ids:
            continue
        mid = m_id or m_iri.rsplit("/", 1)[-1]
        model_ids[m_iri] = mid
        flag = None if open_w is None else open_w in ("true", "1")
        out.models[mid] = ModelInfo(mid, m_iri, label or mid, flag, developer)
    rel: dict[str, dict[str, set[str]]] = {}
    for act, p, o in select_rows(kg, Q_RELATIONS):
        if act is None or p is None or o is None:
            continue
        key = p.rsplit("#", 1)[-1]
        value = o if key in ("usedTestMethod", "coversRisk") else unquote(o.rsplit("/", 1)[-1])
        rel.setdefault(act, {}).setdefault(key, set()).add(value)
    seen: set[str] = set()
    for iri, ident, title, published, ex, tk, rtype, access, url in select_rows(kg, Q_REPORTS):
        if iri is None or ex is None or iri in seen:
            continue
        seen.add(iri)
        r = rel.get(ex, {})
        report = ReportInfo(
            id=ident or iri.rsplit("/", 1)[-1],
            iri=iri,
            title=title or ident or iri,
            published=published or "",
            tester_kind=tk or "",
            report_type=rtype or "",
            access=access or "",
            url=url or "",
            testers=tuple(sorted(r.get("wasAssociatedWith", ()))),
            models=tuple(sorted(r.get("testedModel", ()))),
            methods=tuple(sorted(r.get("usedTestMethod", ()))),
            domains=tuple(sorted(r.get("coversRisk", ()))),
            commissioned_by=tuple(sorted(r.get("commissionedBy", ()))),
        )
        out.reports.append(report)
        out.orgs.update(report.testers)
    out.reports.sort(key=lambda r: (r.published, r.id))
    return out


def _ancestors(kind: str, broader: dict[str, set[str]]) -> set[str]:
    todo, found = list(broader.get(kind, ())), set()
    while todo:
        k = todo.pop()
        if k not in found:
            found.add(k)
            todo.extend(broader.get(k, ()))
    return found
