"""The previous way of reading and scoring the coverage data: the reference of ``test_fast_path``.

Kept small on purpose, and only for the tests: one query over a ``VALUES`` list of every link
predicate (with the predicate in each row) and one over every entity class, dispatched row by
row; each test method's levels derived from its fully built contributions; scores over every
narrower risk with the applicable test inside the loop; one :class:`RiskCoverage` per cluster
through the general (cluster) arithmetic, built by keyword. The library's fast path must give
exactly these answers.
"""

from __future__ import annotations

from typing import Any

from graph.coverage.lens import choose_lens
from graph.coverage.report import _EvidenceLoader, inventory_items
from graph.coverage.rules import (
    DIRECT,
    EPS,
    NO_TYPES,
    STATUS_NOT_TESTABLE,
    STATUS_STRONG,
    STATUS_WEAK,
    STRONG_POINTS,
    Clusters,
    Item,
    Model,
    Scores,
    as_clusters,
    combine,
    own_points,
    status_of,
)
from graph.coverage.types import RiskCoverage
from graph.coverage.why import Explainer
from graph.index.data import (
    METHOD_TYPE_ORDER,
    CoverageData,
    TestNode,
    _local,
    _read_claim_notes,
    _read_risks,
    select_rows,
)
from graph.index.sparql import (
    MAPPING_PREDICATES,
    NOT_TESTABLE_DEFAULT,
    P_ASSESSES,
    P_BROADER,
    P_ENABLES,
    P_MEASURES,
    P_METHOD_TYPE,
    P_MITIGATES,
    P_NARROWER,
    P_NOT_APPLICABLE,
    P_SEVERITY,
    Q_CLAIM_NOTES,
    Q_ENTRIES,
    Q_RISKS,
    Q_TAXONOMIES,
)
from graph.inventory.model import Inventory
from graph.store.kg import KnowledgeGraph

Q_LINKS = """SELECT ?s ?p ?o WHERE {
  VALUES ?p { ar:assessesRisk ar:measuresCapability ar:enablesRisk ar:mitigatesRisk ar:methodType
              ar:severity ar:notApplicable skos:broader skos:narrower
              skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?s ?p ?o .
}"""

Q_ENTITIES = """SELECT ?e ?kind ?id ?label WHERE {
  VALUES ?kind { ar:TestMethod ar:Capability ar:Mitigation ar:MethodType }
  ?e a ?kind .
  OPTIONAL { ?e dcterms:identifier ?id }
  OPTIONAL { ?e rdfs:label ?label }
}"""


def gather(kg: KnowledgeGraph) -> CoverageData:
    """The :class:`CoverageData` of ``kg``, read the previous way."""
    data = CoverageData(prefixes=dict(kg.prefixes))
    for prefix, title, version in select_rows(kg, Q_TAXONOMIES):
        if prefix and prefix not in data.taxonomies:
            data.taxonomies[prefix] = (title or prefix, version or "")
    _read_risks(data, select_rows(kg, Q_RISKS))
    labels_mt: dict[str, str] = {}
    for iri, kind, ident, label in select_rows(kg, Q_ENTITIES):
        assert iri is not None and kind is not None
        ident = ident or _local(iri)
        name = _local(kind)
        if name == "TestMethod" and iri not in data.tests:
            data.tests[iri] = TestNode(iri, ident, label or ident, None)
        elif name == "Capability":
            data.capabilities.setdefault(iri, (ident, label or ident))
        elif name == "Mitigation":
            data.mitigations.setdefault(iri, (ident, label or ident))
        elif name == "MethodType":
            labels_mt.setdefault(_local(iri), label or ident)
    order = {m: i for i, m in enumerate(METHOD_TYPE_ORDER)}
    for mt in sorted(labels_mt, key=lambda m: (order.get(m, len(order)), m)):
        data.method_types[mt] = labels_mt[mt]
    data.tests = dict(sorted(data.tests.items(), key=lambda kv: kv[1].id))
    _read_links(data, select_rows(kg, Q_LINKS))
    _read_claim_notes(data, select_rows(kg, Q_CLAIM_NOTES))
    for risk, n in select_rows(kg, Q_ENTRIES):
        if risk in data.risks and n is not None:
            data.entries[risk] = int(n)
    return data


def _read_links(data: CoverageData, rows: list[tuple[str | None, ...]]) -> None:
    risks = data.risks
    parents: dict[str, set[str]] = {}
    lists: dict[str, dict[str, list[str]]] = {P_ASSESSES: {}, P_MEASURES: {}, P_ENABLES: {}, P_MITIGATES: {}}
    for s, p, o in rows:
        assert s is not None and p is not None and o is not None
        if p in (P_ASSESSES, P_ENABLES, P_MITIGATES) and o not in risks:
            continue
        if p == P_MITIGATES:
            lists[p].setdefault(o, []).append(s)
        elif p in lists:
            lists[p].setdefault(s, []).append(o)
        elif p == P_METHOD_TYPE and s in data.tests:
            data.tests[s].method_type = _local(o)
        elif p == P_SEVERITY and s in risks:
            try:
                level = int(float(o))
            except ValueError:
                continue
            if 1 <= level <= 5:
                risks[s].severity = level
        elif p == P_NOT_APPLICABLE and s in risks and o in ("true", "1"):
            risks[s].not_applicable = NOT_TESTABLE_DEFAULT
        elif p in (P_BROADER, P_NARROWER) and s in risks and o in risks and s != o:
            child, parent = (s, o) if p == P_BROADER else (o, s)
            parents.setdefault(child, set()).add(parent)
        elif p in MAPPING_PREDICATES and s in risks and o in risks:
            data.mappings.append((s, MAPPING_PREDICATES[p], o))
    data.parents = {k: sorted(v) for k, v in parents.items()}
    data.assesses, data.measures, data.enables, data.mitigates = (
        {k: sorted(set(v)) for k, v in lists[p].items()} for p in (P_ASSESSES, P_MEASURES, P_ENABLES, P_MITIGATES)
    )
    data.mappings = sorted(set(data.mappings))


def eager_model(data: CoverageData) -> Model:
    """The rules model of ``data`` with every item's contributions built and its levels derived from them."""
    model = Model(data)
    return model.with_items({k: Item(k, it.type_key, list(it.contributions)) for k, it in model.items.items()})


def evaluate(model: Model, keys: set[str] | frozenset[str]) -> Scores:
    """The scores of ``keys``, computed the previous way."""
    n = len(model.iris)
    direct: dict[int, set[str]] = {}
    indirect: dict[int, set[str]] = {}
    methods: dict[int, set[str]] = {}
    for key in sorted(set(keys)):
        item = model.items.get(key)
        if item is None:
            continue
        for risk, level in item.levels.items():
            (direct if level == DIRECT else indirect).setdefault(risk, set()).add(item.type_key)
            methods.setdefault(risk, set()).add(key)
    points, own, rollup, score = [0.0] * n, [0.0] * n, [0.0] * n, [0.0] * n
    for i in methods:
        points[i] = own_points(direct.get(i, NO_TYPES), indirect.get(i, NO_TYPES))
        own[i] = min(1.0, points[i] / STRONG_POINTS)
    for i in model.topo:
        if model.child_weight[i] > 0:
            total = 0.0
            for c in model.children[i]:
                if model.applicable[c]:
                    total += model.weight[c] * score[c]
            rollup[i] = total / model.child_weight[i]
        score[i] = combine(own[i], rollup[i])
    return Scores(direct, indirect, methods, points, own, rollup, score)


def gap(model: Model, scores: Scores, clusters: Clusters) -> float:
    """The total gap, through the cluster arithmetic for every cluster."""
    total = 0.0
    for c in clusters:
        w = model.cluster_weight(c)
        if w > 0:
            total += w * (1.0 - model.cluster_score(scores.score, c))
    return total


def rows(model: Model, scores: Scores, clusters: Clusters, inventory: Inventory | None) -> list[RiskCoverage]:
    """The ranked rows, built the previous way (by keyword, every cluster through the general case)."""
    data = model.data
    loader = _EvidenceLoader(model, scores, inventory)
    out: list[RiskCoverage] = []
    for cluster in as_clusters(clusters):
        live = [c for c in cluster if model.applicable[c]]
        i = min(live, key=lambda c: (scores.score[c], live.index(c))) if live else cluster[0]
        iri = model.iris[i]
        node = data.risks[iri]
        applicable = model.applicable[i]
        score = model.cluster_score(scores.score, cluster) if live else scores.score[i]
        weight = model.cluster_weight(cluster) if live else model.weight[i]
        others = tuple(c for c in cluster if c != i)
        status = status_of(score, applicable)
        kind = ""
        if applicable and not model.mitigated[i]:
            kind = "assessed but unmitigated" if status in (STATUS_WEAK, STATUS_STRONG) else "unmitigated"
        kids = model.live_children[i]
        out.append(
            RiskCoverage(
                id=node.curie,
                iri=iri,
                label=node.label,
                taxonomy=node.prefix,
                code=node.code,
                broader=tuple(model.curies[p] for p in model.parents[i]),
                narrower=tuple(model.curies[c] for c in model.children[i]),
                depth=model.depth[i],
                severity=node.severity,
                severity_rated=node.severity is not None,
                weight=weight,
                status=status,
                strength=score,
                points=scores.points[i],
                own_score=scores.own[i],
                rollup_score=scores.rollup[i],
                n_methods=len(scores.methods.get(i, ())),
                method_types=tuple(sorted(scores.direct.get(i, set()) | scores.indirect.get(i, set()))),
                direct=bool(scores.direct.get(i)),
                gap_score=weight * (1.0 - score) if applicable else 0.0,
                mitigated=model.mitigated[i],
                mitigations=model.mitigation_ids[i],
                mitigation_gap=bool(kind),
                mitigation_gap_kind=kind,
                not_applicable_reason=model.na_reason[i],
                narrower_covered=sum(1 for c in kids if scores.score[c] > EPS),
                narrower_total=len(kids),
                documented_entries=data.entries.get(iri, 0),
                members=tuple(model.curies[c] for c in others),
                member_iris=tuple(model.iris[c] for c in others),
                _loader=loader,
            )
        )
    position = {iri: n for n, iri in enumerate(model.iris)}
    out.sort(key=lambda r: (r.status == STATUS_NOT_TESTABLE, -r.gap_score, -r.weight, position[r.iri]))
    for n, r in enumerate(out, 1):
        r.rank = 0 if r.status == STATUS_NOT_TESTABLE else n
    return out


def report(data: CoverageData, inventory: Inventory | None = None, lens: str | None = None) -> dict[str, Any]:
    """``{"risks": [row as JSON, with evidence and reasons], "gap_total": float}``, the previous way."""
    model, keys = inventory_items(eager_model(data), inventory, None)
    scores = evaluate(model, keys)
    clusters = choose_lens(data, model.index, lens, None).clusters
    out = rows(model, scores, clusters, inventory)
    explainer = Explainer(model, scores, frozenset(keys), clusters)
    for r in out:
        r._why_loader = explainer
    return {"risks": [r.to_dict() for r in out], "gap_total": gap(model, scores, clusters)}
