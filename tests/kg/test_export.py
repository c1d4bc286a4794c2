"""Export then re-parse gives an isomorphic graph; GraphML and CSV carry the same content."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.safeio.text import safe_cell
from graph.store.export import export_bytes, export_graph, graph_ntriples


@pytest.fixture(scope="module")
def reference(fixture_kg) -> Graph:  # type: ignore[no-untyped-def]
    g = Graph()
    g.parse(data=graph_ntriples(fixture_kg), format="nt")
    return g


@pytest.mark.parametrize("fmt,rdflib_fmt", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")])
def test_rdf_round_trip_is_isomorphic(fixture_kg, reference: Graph, fmt: str, rdflib_fmt: str) -> None:  # type: ignore[no-untyped-def]
    data = export_bytes(fixture_kg, fmt)
    g = Graph()
    g.parse(data=data, format=rdflib_fmt)
    assert len(g) == len(reference) == fixture_kg.triple_count()
    assert isomorphic(g, reference)


def test_graphml_has_entities_and_relations(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    g = nx.read_graphml(io.BytesIO(export_bytes(fixture_kg, "graphml")))
    wmdp = "https://w3id.org/airisk/id/test-method/wmdp"
    assert g.nodes[wmdp]["label"] == "WMDP" and g.nodes[wmdp]["kind"] == "test_method"
    assert "assessesRisk" in g.edges[wmdp, "https://w3id.org/airisk/id/risk/mit/4.2"]["relation"]


def test_csv_has_one_row_per_triple(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(export_bytes(fixture_kg, "csv").decode())))
    assert rows[0] == ["subject", "predicate", "object", "object_kind", "object_datatype", "object_lang"]
    assert len(rows) - 1 == fixture_kg.triple_count()


def test_export_is_atomic(tmp_path: Path, fixture_kg) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "g.nt"
    out.write_text("previous")
    export_graph(fixture_kg, "nt", out)
    assert out.read_text().count("\n") == fixture_kg.triple_count()
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx"])
def test_safe_cell_defuses_formulas(value: str) -> None:
    assert safe_cell(value).startswith("'")
    assert safe_cell("plain") == "plain"
