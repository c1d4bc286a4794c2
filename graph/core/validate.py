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


def run_shacl(data: Graph, locations: dict[str, Location], shapes: Graph | None = None) -> list[Problem]:
    """Validate ``data`` against the shapes; map each result to where its focus node was defined."""
    from pyshacl import validate as shacl_validate

    conforms, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes if shapes is not None else load_shapes(), inference="none", advanced=True
    )
    problems: list[Problem] = []
    if conforms:
        return problems
    if not isinstance(results_graph, Graph):
        raise AiriskError(f"the SHACL shapes could not be applied: {results_graph}")
    for result in results_graph.subjects(SH.resultSeverity, None):
        focus = results_graph.value(result, SH.focusNode)
        path = results_graph.value(result, SH.resultPath)
        message = results_graph.value(result, SH.resultMessage)
        severity = results_graph.value(result, SH.resultSeverity)
        value = results_graph.value(result, SH.value)
        base = locations.get(str(focus), Location(record=str(focus)))
        field_name = FIELD_OF_PROPERTY.get(str(path)) if isinstance(path, URIRef) else None
        loc = Location(base.file, base.line, base.column, base.record or str(focus), field_name or base.field)
        text = str(message) if message else "does not conform to its shape"
        if value is not None and str(value) not in text:
            text += f" (value: {value})"
        problems.append(
            Problem(
                f"SHACL: {text}",
                loc,
                severity="error" if severity == SH.Violation else "warning",
                check="shacl",
            )
        )
    problems.sort(key=lambda p: (p.severity != "error", p.location.file or "", p.location.line or 0))
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
