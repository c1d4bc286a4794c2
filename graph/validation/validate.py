"""Validation: record shape, cross-record integrity, and the SHACL data contract (pySHACL).

:func:`validate_data` returns a :class:`ValidationReport`; ``report.ok`` is False when any error
was found. SHACL findings are traced back to the file, line and record that defined the focus
node, and to the YAML field behind the property path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from graph.core.build import BuildResult, build_graph
from graph.core.errors import AiriskError, Location, Problem
from graph.core.integrity import check_integrity
from graph.core.load import Dataset, load_dataset
from graph.core.resources import data_dir, ontology_dir
from graph.validation.sparql_checks import SparqlCheck, data_store, run_sparql_checks, split_shapes

#: Property IRI -> the YAML field that produced it, for SHACL messages.
FIELD_OF_PROPERTY = {
    "http://purl.org/dc/terms/source": "sources",
    "http://www.w3.org/2000/01/rdf-schema#label": "name",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
    "http://www.w3.org/2004/02/skos/core#definition": "description",
    "http://purl.org/dc/terms/description": "description",
    "https://w3id.org/airisk/ontology#methodType": "method_type",
    "https://w3id.org/airisk/ontology#mitigationType": "mitigation_type",
    "https://w3id.org/airisk/ontology#assessesRisk": "assesses",
    "https://w3id.org/airisk/ontology#measuresCapability": "measures",
    "https://w3id.org/airisk/ontology#enablesRisk": "enables",
    "https://w3id.org/airisk/ontology#mitigatesRisk": "mitigates",
    "https://w3id.org/airisk/ontology#severity": "severity",
    "http://purl.org/dc/terms/date": "date",
    "http://www.w3.org/ns/prov#wasAssociatedWith": "organisations",
    "http://xmlns.com/foaf/0.1/page": "url",
    "http://purl.org/dc/terms/title": "title",
    "http://www.w3.org/2004/02/skos/core#broader": "broader",
}


@dataclass
class ValidationReport:
    """Everything validation found, errors first."""

    problems: list[Problem] = field(default_factory=list)
    triples: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def load_shapes(folder: Path | None = None) -> Graph:
    """Parse the SHACL shapes graph."""
    shapes = Graph()
    shapes.parse(str((folder or ontology_dir()) / "shapes.ttl"), format="turtle")
    return shapes


def _problem(
    focus: str, path: object, message: str, severity: str, value: object, locations: dict[str, Location]
) -> Problem:
    base = locations.get(focus, Location(record=focus))
    field_name = FIELD_OF_PROPERTY.get(str(path)) if isinstance(path, URIRef) else None
    loc = Location(base.file, base.line, base.column, base.record or focus, field_name or base.field)
    text = message or "does not conform to its shape"
    if value is not None and str(value) not in text:
        text += f" (value: {value})"
    return Problem(
        f"SHACL: {text}", loc, severity="error" if severity == str(SH.Violation) else "warning", check="shacl"
    )


def run_shacl(
    data: Graph, locations: dict[str, Location], shapes: Graph | None = None, sparql_per_focus: bool = False
) -> list[Problem]:
    """Validate ``data`` against the shapes; map each result to where its focus node was defined.

    pySHACL checks every shape except the ``sh:sparql`` constraints, which run as one whole-graph
    query each on Oxigraph (:mod:`graph.validation.sparql_checks`; same results, far faster). With
    ``sparql_per_focus`` pySHACL runs them too, once per focus node (the reference behaviour).
    """
    from pyshacl import validate as shacl_validate

    shapes = shapes if shapes is not None else load_shapes()
    checks: list[SparqlCheck] = []
    if not sparql_per_focus:
        shapes, checks = split_shapes(shapes)
    # In place: no inference and no rules (sh:rule) in the shapes, so nothing is added to ``data``,
    # and pySHACL's copy of the whole graph (a third of its time) is saved.
    conforms, results_graph, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True, inplace=True)
    problems: list[Problem] = []
    if not conforms:
        if not isinstance(results_graph, Graph):
            raise AiriskError(f"the SHACL shapes could not be applied: {results_graph}")
        for result in results_graph.subjects(SH.resultSeverity, None):
            message = results_graph.value(result, SH.resultMessage)
            problems.append(
                _problem(
                    str(results_graph.value(result, SH.focusNode)),
                    results_graph.value(result, SH.resultPath),
                    str(message) if message else "",
                    str(results_graph.value(result, SH.resultSeverity)),
                    results_graph.value(result, SH.value),
                    locations,
                )
            )
    if checks:
        for f in run_sparql_checks(data_store(data), checks):
            problems.append(_problem(f.focus, None, f.message, f.severity, f.value, locations))
    problems.sort(key=lambda p: (p.severity != "error", p.location.file or "", p.location.line or 0, p.message))
    return problems


def validate_data(data: Path | None = None, shapes: Path | None = None, shacl: bool = True) -> ValidationReport:
    """Validate the curated data folder completely: shape, integrity, then SHACL."""
    ds = load_dataset(data or data_dir())
    return validate_dataset(ds, shapes, shacl)


def validate_dataset(ds: Dataset, shapes: Path | None = None, shacl: bool = True) -> ValidationReport:
    """Validate an already-read dataset."""
    report = ValidationReport(list(ds.problems))
    report.problems.extend(check_integrity(ds))
    built: BuildResult = build_graph(ds)
    report.triples = len(built.graph)
    if shacl and not report.errors:
        report.problems.extend(run_shacl(built.graph, built.locations, load_shapes(shapes)))
    report.problems.sort(key=lambda p: (p.severity != "error", p.location.file or "", p.location.line or 0))
    return report
