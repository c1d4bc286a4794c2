"""The query worker pool on its own: both kinds of embedded copy, outcomes, a worker that dies."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph.sandbox.formats import JSON_RESULTS
from graph.sandbox.pool import Job, StoreSpec, WorkerPool

QUERY = "SELECT ?c ?label WHERE { ?c a ar:Capability ; rdfs:label ?label }"


def copy(kg: Any, tmp: Path, kind: str) -> StoreSpec:
    quads = kg.store.raw.quads_for_pattern(None, None, None, None)
    if kind == "embedded":
        path = tmp / "graph.nq"
        ox.serialize(quads, str(path), format=ox.RdfFormat.N_QUADS)
    else:
        path = tmp / "store"
        disk = ox.Store(str(path))
        disk.bulk_extend(quads)
        disk.flush()
        del disk
    return StoreSpec(kind, str(path), dict(kg.prefixes))


@pytest.fixture(params=["embedded", "embedded-disk"])
def pool(request: pytest.FixtureRequest, kg: Any, tmp_path: Path) -> Iterator[WorkerPool]:
    p = WorkerPool(copy(kg, tmp_path, request.param), size=1, timeout=30, short_lane=0)
    p.start()
    yield p
    p.close()


def test_answers_equal_the_embedded_store(pool: WorkerPool, kg: Any) -> None:
    outcome = pool.run(Job(QUERY, None, 100))
    assert outcome.status == "ok" and outcome.answer is not None
    assert sorted(map(sorted, (r.items() for r in outcome.answer.rows))) == sorted(
        map(sorted, (r.items() for r in kg.select(QUERY).rows))
    )
    serialised = pool.run(Job(QUERY, JSON_RESULTS, 100))
    assert serialised.status == "ok" and serialised.body.startswith(b'{"head":{"vars":["c","label"]}')


def test_outcomes(pool: WorkerPool) -> None:
    assert pool.run(Job("SELECT * WHERE { ?s ?p }", None, 10)).status == "syntax"
    big = pool.run(Job("SELECT * WHERE { ?s ?p ?o }", None, 10))
    assert big.status == "too-large" and "more than 10 rows" in big.message
    assert pool.run(Job("ASK { ?s ?p ?o }", None, 10)).answer.boolean is True  # type: ignore[union-attr]


def test_a_worker_that_dies_is_replaced(pool: WorkerPool) -> None:
    (worker,) = list(pool._all)
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.join(10)
    lost = pool.run(Job(QUERY, None, 100))
    assert lost.status == "crashed"
    assert "stopped unexpectedly" in lost.message
    assert pool.run(Job(QUERY, None, 100)).status == "ok"  # the replacement answers
    assert pool.restarts == 1


def test_close_stops_every_worker(kg: Any, tmp_path: Path) -> None:
    p = WorkerPool(copy(kg, tmp_path, "embedded"), size=2, timeout=30)
    p.start()
    processes = [w.process for w in p._all]
    assert len(processes) == 3 and all(proc.is_alive() for proc in processes)  # 2 + the short lane
    p.close()
    assert not any(proc.is_alive() for proc in processes)


def test_heavy_queries_are_kept_out_of_the_short_lane(kg: Any, tmp_path: Path) -> None:
    p = WorkerPool(copy(kg, tmp_path, "embedded"), size=1, timeout=30, short_lane=1, heavy_after=0.05)
    p.start()
    try:
        cheap = Job("ASK { ?s ?p ?o }", JSON_RESULTS, 10)
        heavy = Job(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) < STR(?f)) }", JSON_RESULTS, 10
        )
        assert p.run(cheap).status == "ok" and p.run(heavy).status == "ok"
        assert not p._known_long(p._fingerprint(cheap))
        assert p._known_long(p._fingerprint(heavy))
        # A known heavy query waits for the general worker; the short lane takes the cheap one.
        # (A worker that ran past the short limit is being replaced: wait for the general one.)
        assert p._acquire(True, time.monotonic() + 60) is not None
        assert p._acquire(True, time.monotonic()) is None
    finally:
        p.close()


def test_large_copies_raise_the_memory_limit_and_larger_graphs_go_to_disk(
    kg: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.sandbox import worker

    triples = kg.store.triple_count()
    assert worker.worker_spec(kg.store, dict(kg.prefixes), str(tmp_path), 1000).memory_mb == 1000
    monkeypatch.setattr(worker, "COPY_ALLOWANCE_FROM", triples - 1)
    big = worker.worker_spec(kg.store, dict(kg.prefixes), str(tmp_path), 1000)
    assert big.kind == "embedded" and big.memory_mb == 1000 + triples * worker.COPY_BYTES_PER_TRIPLE // 2**20
    monkeypatch.setattr(worker, "MEMORY_COPY_LIMIT", triples - 1)
    (tmp_path / "disk").mkdir()
    assert worker.worker_spec(kg.store, dict(kg.prefixes), str(tmp_path / "disk"), 1000).kind == "embedded-disk"
