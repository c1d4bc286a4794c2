"""One evaluation report for its page: :func:`report_view` returns a :class:`ReportView`.

The report (``report:{id}``) and its testing exercise are read with four SPARQL queries: the
report's own facts, the exercise's parties (testers, models, domains), the method uses with the
note, locator and sources of each, and the outcomes with their verdicts and sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.core.errors import NotFound
from graph.core.namespaces import curie, entity_iri

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph
    from graph.store.oxigraph import Term

Q_HEAD = """SELECT ?title ?published ?url ?description ?type ?kind ?access ?ex ?start ?end WHERE {
  <{{r}}> a ar:EvaluationReport ; prov:wasGeneratedBy ?ex .
  OPTIONAL { <{{r}}> dcterms:title ?title }
  OPTIONAL { <{{r}}> dcterms:issued ?published }
  OPTIONAL { <{{r}}> foaf:page ?url }
  OPTIONAL { <{{r}}> dcterms:description ?description }
  OPTIONAL { <{{r}}> ar:reportType/rdfs:label ?type }
  OPTIONAL { ?ex ar:testerKind/rdfs:label ?kind }
  OPTIONAL { ?ex ar:access/rdfs:label ?access }
  OPTIONAL { ?ex prov:startedAtTime ?start }
  OPTIONAL { ?ex prov:endedAtTime ?end }
} LIMIT 1"""

Q_PARTIES = """SELECT ?role ?x ?label ?open ?developer WHERE {
  VALUES ?role { prov:wasAssociatedWith ar:commissionedBy ar:testedModel ar:referenceModel ar:coversRisk
                 ar:coversCapability }
  <{{ex}}> ?role ?x .
  OPTIONAL { ?x rdfs:label ?label }
  OPTIONAL { ?x ar:openWeights ?open }
  OPTIONAL { ?x ar:developer/rdfs:label ?developer }
}"""

Q_USES = """SELECT ?m ?label ?type ?note ?locator ?src ?srcTitle ?srcUrl WHERE {
  <{{ex}}> ar:usedTestMethod ?m .
  OPTIONAL { ?m rdfs:label ?label }
  OPTIONAL { ?m ar:methodType/rdfs:label ?type }
  OPTIONAL {
    ?ax owl:annotatedSource <{{ex}}> ; owl:annotatedProperty ar:usedTestMethod ; owl:annotatedTarget ?m .
    OPTIONAL { ?ax rdfs:comment ?note }
    OPTIONAL { ?ax ar:locator ?locator }
    OPTIONAL { ?ax dcterms:source ?src . OPTIONAL { ?src dcterms:title ?srcTitle } OPTIONAL { ?src foaf:page ?srcUrl } }
  }
}"""

Q_OUTCOMES = """SELECT ?o ?about ?aboutLabel ?verdict ?note ?src ?srcTitle ?srcUrl WHERE {
  <{{r}}> ar:statesOutcome ?o .
  OPTIONAL { ?o ar:verdict/rdfs:label ?verdict }
  OPTIONAL { ?o rdfs:comment ?note }
  { ?o ar:aboutRisk ?about } UNION { ?o ar:aboutCapability ?about }
  OPTIONAL { ?about rdfs:label ?aboutLabel }
  OPTIONAL { ?o dcterms:source ?src . OPTIONAL { ?src dcterms:title ?srcTitle } OPTIONAL { ?src foaf:page ?srcUrl } }
}"""

Q_SOURCES = """SELECT ?src ?title ?url WHERE {
  <{{r}}> dcterms:source ?src .
  OPTIONAL { ?src dcterms:title ?title }
  OPTIONAL { ?src foaf:page ?url }
}"""


@dataclass(frozen=True)
class Cited:
    """A source cited for a fact of the report."""

    curie: str
    title: str
    url: str
    publisher: str = ""
    date: str = ""


@dataclass(frozen=True)
class Party:
    """A tester, commissioner, model, domain or capability of the report."""

    curie: str
    label: str
    open_weights: bool | None = None
    developer: str = ""


@dataclass(frozen=True)
class MethodUse:
    """A catalogue method the report says was run, with our note and its sources."""

    curie: str
    label: str
    method_type: str
    note: str
    locator: str
    sources: tuple[Cited, ...]


@dataclass(frozen=True)
class OutcomeView:
    """What the report concluded about one risk or capability."""

    about: str
    about_label: str
    verdict: str
    note: str
    sources: tuple[Cited, ...]


@dataclass
class ReportView:
    """Everything the report's page shows."""

    curie: str
    title: str
    published: str
    url: str
    description: str
    report_type: str
    tester_kind: str
    access: str
    exercise: str
    testing_start: str
    testing_end: str
    testers: list[Party] = field(default_factory=list)
    commissioned_by: list[Party] = field(default_factory=list)
    models: list[Party] = field(default_factory=list)
    reference_models: list[Party] = field(default_factory=list)
    domains: list[Party] = field(default_factory=list)
    capabilities: list[Party] = field(default_factory=list)
    methods: list[MethodUse] = field(default_factory=list)
    outcomes: list[OutcomeView] = field(default_factory=list)
    sources: list[Cited] = field(default_factory=list)


_ROLES = {
    "wasAssociatedWith": "testers",
    "commissionedBy": "commissioned_by",
    "testedModel": "models",
    "referenceModel": "reference_models",
    "coversRisk": "domains",
    "coversCapability": "capabilities",
}


def report_view(kg: KnowledgeGraph, ident: str) -> ReportView:
    """The page of report ``ident`` (an id or ``report:`` CURIE); NotFound if there is none."""
    rid = ident.split(":", 1)[1] if ident.startswith("report:") else ident
    r = str(entity_iri("report", rid))
    head = kg.select(Q_HEAD.replace("{{r}}", r))
    if not head.rows:
        raise NotFound(f"no evaluation report {ident!r}")
    row = head.rows[0]

    def val(name: str) -> str:
        return _text(row, name)

    ex = val("ex")
    pfx = kg.prefixes
    view = ReportView(
        curie(r, pfx), val("title"), val("published"), val("url"), val("description"), val("type"),
        val("kind"), val("access"), curie(ex, pfx), val("start"), val("end"),
    )  # fmt: skip
    for p in kg.select(Q_PARTIES.replace("{{ex}}", ex)).rows:
        bucket: list[Party] = getattr(view, _ROLES[p["role"].value.rsplit("#", 1)[-1]])
        x = p["x"].value
        bucket.append(
            Party(
                curie(x, pfx),
                _text(p, "label") or curie(x, pfx),
                p["open"].py if "open" in p else None,
                _text(p, "developer"),
            )
        )
    for name in _ROLES.values():
        getattr(view, name).sort(key=lambda party: party.label.casefold())
    uses: dict[str, tuple[str, str, str, str]] = {}
    use_sources: dict[str, dict[str, Cited]] = {}
    for u in kg.select(Q_USES.replace("{{ex}}", ex)).rows:
        m = u["m"].value
        uses.setdefault(
            m, (_text(u, "label") or curie(m, pfx), _text(u, "type"), _text(u, "note"), _text(u, "locator"))
        )
        _cite(use_sources.setdefault(m, {}), u, pfx)
    view.methods = sorted(
        (MethodUse(curie(m, pfx), *fields, tuple(use_sources[m].values())) for m, fields in uses.items()),
        key=lambda mu: mu.label.casefold(),
    )
    outcomes: dict[str, tuple[str, str, str, str]] = {}
    out_sources: dict[str, dict[str, Cited]] = {}
    for o in kg.select(Q_OUTCOMES.replace("{{r}}", r)).rows:
        node, about = o["o"].value, curie(o["about"].value, pfx)
        outcomes.setdefault(node, (about, _text(o, "aboutLabel") or about, _text(o, "verdict"), _text(o, "note")))
        _cite(out_sources.setdefault(node, {}), o, pfx)
    view.outcomes = sorted(
        (OutcomeView(*fields, tuple(out_sources[n].values())) for n, fields in outcomes.items()),
        key=lambda ov: ov.about,
    )
    cited: dict[str, Cited] = {}
    for s in kg.select(Q_SOURCES.replace("{{r}}", r)).rows:
        src = s["src"].value
        cited[src] = Cited(
            curie(src, pfx), s["title"].value if "title" in s else "", s["url"].value if "url" in s else ""
        )
    view.sources = sorted(cited.values(), key=lambda c: c.curie)
    return view


def _text(row: dict[str, Term], name: str) -> str:
    return row[name].value if name in row else ""


def _cite(bucket: dict[str, Cited], row: dict[str, Term], pfx: dict[str, str]) -> None:
    if "src" in row:
        src = row["src"].value
        bucket.setdefault(src, Cited(curie(src, pfx), _text(row, "srcTitle"), _text(row, "srcUrl")))
