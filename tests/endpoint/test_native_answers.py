"""SELECT answers in JSON written by the engine: byte for byte what the Python writer gives.

The worker asks the engine to write a SELECT answer as SPARQL JSON results (no Python object
per term); the remote store's answers go through :func:`results_json`. Both must give the same
bytes, so that the embedded and the remote endpoint answer alike, and the row and byte caps
must hold on the fast path as on the row-by-row one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph import KnowledgeGraph
from graph.core.errors import QueryError
from graph.sandbox import worker as worker_mod
from graph.sandbox.formats import JSON_RESULTS, results_json
from graph.sandbox.worker import EmbeddedRunner, Job, run_job
from graph.store.guard import check_read_only

NASTY = r"""SELECT ?a ?b ?c ?d ?e WHERE {
  VALUES (?a ?b ?c ?d) {
    ("x\u0001\n\t\"\\ é \u2028 </> & {}"@en-GB 1 <http://example.org/x?a=1&b=2> UNDEF)
    (UNDEF "2.50"^^<http://www.w3.org/2001/XMLSchema#decimal> "\u007f\u0000" true)
    ("日本語"@ja "-0"^^<http://www.w3.org/2001/XMLSchema#double> "" "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date>)
  }
  BIND(IRI(CONCAT("http://example.org/", ENCODE_FOR_URI(STR(?b)))) AS ?e)
}"""


@pytest.fixture(scope="module")
def shipped() -> KnowledgeGraph:
    return KnowledgeGraph.load()


def runner_for(kg: Any, tmp: Path) -> EmbeddedRunner:
    path = tmp / "graph.nq"
    ox.serialize(kg.store.raw.quads_for_pattern(None, None, None, None), str(path), format=ox.RdfFormat.N_QUADS)
    return EmbeddedRunner("embedded", str(path), dict(kg.prefixes))


def both(runner: EmbeddedRunner, query: str, prefixes: dict[str, str]) -> tuple[bytes, bytes]:
    info = check_read_only(query, prefixes)
    native = runner.json_results(query, info, 1_000_000)
    assert native is not None
    return native[0], results_json(runner.answer(query, info, 1_000_000))


def test_every_catalogue_query_gives_the_same_bytes(shipped: KnowledgeGraph, tmp_path: Path) -> None:
    runner = runner_for(shipped, tmp_path)
    compared = answered = 0
    for name, q in shipped.catalogue().items():
        try:
            text = q.render({}, shipped.prefixes)
        except QueryError:
            continue
        if check_read_only(text, shipped.prefixes).form != "SELECT":
            continue
        native, python = both(runner, text, shipped.prefixes)
        assert native == python, name
        answered += bool(json.loads(native)["results"]["bindings"])
        compared += 1
    assert compared >= 20 and answered >= compared - 3


def test_awkward_terms_give_the_same_bytes(fixture_kg: Any, tmp_path: Path) -> None:
    runner = runner_for(fixture_kg, tmp_path)
    native, python = both(runner, NASTY, fixture_kg.prefixes)
    assert native == python
    rows = json.loads(native)["results"]["bindings"]
    assert rows[0]["a"] == {"type": "literal", "value": 'x\u0001\n\t"\\ é \u2028 </> & {}', "xml:lang": "en-gb"}
    assert "a" not in rows[1] and rows[1]["d"]["datatype"].endswith("#boolean")


def test_the_caps_hold_on_the_fast_path(fixture_kg: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = runner_for(fixture_kg, tmp_path)
    prefixes = dict(fixture_kg.prefixes)
    everything = "SELECT * WHERE { ?s ?p ?o }"
    total = len(fixture_kg.select(everything).rows)
    whole = run_job(runner, Job(everything, JSON_RESULTS, total), prefixes)
    assert whole.status == "ok" and len(json.loads(whole.body)["results"]["bindings"]) == total
    over = run_job(runner, Job(everything, JSON_RESULTS, total - 1), prefixes)
    assert over.status == "too-large" and f"more than {total - 1} rows" in over.message
    tight = run_job(runner, Job(everything, JSON_RESULTS, total, max_bytes=len(whole.body) - 1), prefixes)
    assert tight.status == "too-large" and "bytes" in tight.message
    # Past the engine writer's size the answer is read row by row: the same answer, the same caps.
    monkeypatch.setattr(worker_mod, "NATIVE_ANSWER_BYTES", 1000)
    info = check_read_only(everything, prefixes)
    assert runner.json_results(everything, info, total) is None
    again = run_job(runner, Job(everything, JSON_RESULTS, total), prefixes)
    assert again.status == "ok" and again.body == whole.body
    assert run_job(runner, Job(everything, JSON_RESULTS, total - 1), prefixes).status == "too-large"


def test_errors_while_writing_are_query_failures(fixture_kg: Any, tmp_path: Path) -> None:
    runner = runner_for(fixture_kg, tmp_path)
    bad = run_job(runner, Job("SELECT * WHERE { ?s ?p }", JSON_RESULTS, 10), dict(fixture_kg.prefixes))
    assert bad.status == "syntax"


def test_json_selects_are_written_by_the_engine(
    fixture_kg: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = runner_for(fixture_kg, tmp_path)

    def unused(*args: Any, **kwargs: Any) -> bytes:
        raise ValueError("the Python writer was used")

    monkeypatch.setattr(worker_mod, "serialize_answer", unused)
    query = "SELECT ?c ?label WHERE { ?c a ar:Capability ; rdfs:label ?label }"
    assert run_job(runner, Job(query, JSON_RESULTS, 1000), dict(fixture_kg.prefixes)).status == "ok"
    assert run_job(runner, Job(query, "text/csv", 1000), dict(fixture_kg.prefixes)).status == "failed"
