"""The import workspace: persistence, replace by name, remove, idempotency, damage, disk full."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from graph import KnowledgeGraph, NotFound, StoreError
from graph.importers import build_import
from graph.importers.session import open_graph
from graph.importers.workspace import (
    GRAPHS,
    MANIFEST,
    attach_imports,
    list_imports,
    read_imports,
    remove_import,
    save_import,
)

from .conftest import CURATED, FIXTURES, snapshot

ATLAS_SMALL = FIXTURES / "atlas-small.yaml"
SSSOM_SMALL = FIXTURES / "mappings-small.sssom.tsv"
INSPECT_SMALL = FIXTURES / "inspect-small"
AIRISK = Path(sys.executable).with_name("airisk")


def big_atlas(path: Path, techniques: int = 1500) -> Path:
    """An ATLAS-shaped file with many techniques (its import is about a megabyte of N-Triples)."""
    lines = [
        "id: ATLAS",
        "version: 1.0.0",
        "matrices:",
        "- id: ATLAS",
        "  tactics:",
        "  - {id: AML.TA0002, name: Reconnaissance}",
        "  techniques:",
    ]
    for i in range(techniques):
        lines.append(
            f"  - {{id: AML.T{i:05d}, name: Technique {i}, description: 'Generated technique number {i} "
            f"with a longer description to make the file bigger.', tactics: [AML.TA0002]}}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_imports_survive_restarts_and_list_with_counts(ws: Path, cli: Callable[..., Result]) -> None:
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    assert cli("import", "sssom", SSSOM_SMALL).exit_code == 0
    assert cli("import", "inspect-evals", INSPECT_SMALL, "--name", "evals", "--source-version", "0.1.0").exit_code == 0
    listing = cli("imports", "-f", "json")
    items = {i["name"]: i for i in json.loads(listing.stdout)}
    assert set(items) == {"atlas", "sssom-mappings-small", "evals"}
    assert items["atlas"]["counts"]["techniques"] == 2 and items["atlas"]["counts"]["sub-techniques"] == 1
    assert items["atlas"]["entities"]["RiskCategory"] == 4  # 3 techniques and the new tactic
    assert items["evals"]["source"]["version"] == "0.1.0" and items["evals"]["source"]["licence"] == "MIT"
    assert items["atlas"]["source"]["licence"] == "Apache-2.0" and items["atlas"]["imported_at"]
    table = cli("imports", "-f", "csv").stdout.splitlines()
    assert table[0] == "name,kind,version,licence,triples,counts,imported at"
    assert [line.split(",")[0] for line in table[1:]] == ["atlas", "evals", "sssom-mappings-small"]
    assert table[1].startswith(f"atlas,atlas,9.9.0,Apache-2.0,{items['atlas']['triples']},")
    detail = cli("imports", "atlas").stdout
    assert "licence:     Apache-2.0" in detail and "ar:RiskCategory" in detail

    # a new process (a restart) sees every import in its graph
    env = {**os.environ, "AIRISK_WORKSPACE": str(ws)}
    out = subprocess.run(
        [
            str(AIRISK),
            "--data",
            str(CURATED),
            "query",
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    graphs = {r["g"]: r["n"] for r in json.loads(out.stdout)}
    for name in ("atlas", "sssom-mappings-small", "evals"):
        assert graphs[f"https://w3id.org/airisk/id/graph/import/{name}"] == items[name]["triples"]


def test_reimport_is_idempotent_and_name_replaces(ws: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    first = snapshot(ws)
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    second = snapshot(ws)
    data = {k: v for k, v in first.items() if k.startswith(GRAPHS)}
    assert data == {k: v for k, v in second.items() if k.startswith(GRAPHS)}  # same file, same triples, same IRIs
    # a different file under the same name replaces it: the old graph file is gone, the new one named
    changed = tmp_path / "changed.yaml"
    changed.write_text(ATLAS_SMALL.read_text().replace("Fixture Technique Two", "Renamed Technique"))
    assert cli("import", "atlas", changed).exit_code == 0
    (info,) = list_imports(ws)
    assert sorted(p.name for p in (ws / GRAPHS).iterdir()) == [info.file]
    kg = open_graph(data=CURATED, workspace=ws)
    labels = kg.select("SELECT ?l WHERE { <https://w3id.org/airisk/id/risk/atlas/AML.T9001> rdfs:label ?l }").values(
        "l"
    )
    assert labels == ["Renamed Technique"]


def test_remove(ws: Path, cli: Callable[..., Result]) -> None:
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    assert cli("import", "sssom", SSSOM_SMALL, "--name", "maps").exit_code == 0
    result = cli("remove", "atlas")
    assert result.exit_code == 0 and "removed import 'atlas'" in result.stdout
    assert [i.name for i in list_imports(ws)] == ["maps"]
    assert len(list((ws / GRAPHS).iterdir())) == 1
    kg = open_graph(data=CURATED, workspace=ws)
    assert "https://w3id.org/airisk/id/graph/import/atlas" not in kg.store.graphs()
    assert "https://w3id.org/airisk/id/graph/import/maps" in kg.store.graphs()
    before = snapshot(ws)
    result = cli("remove", "atlas")
    assert result.exit_code == 1 and "no import called 'atlas'" in result.stderr and "imports: maps" in result.stderr
    assert snapshot(ws) == before


def test_curated_data_is_never_modified(tmp_path: Path, ws: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(CURATED, data)
    files_before = snapshot(data)
    kg = KnowledgeGraph.load(data=data)
    curated_before = kg.select(
        "SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/airisk/id/graph/curated> { ?s ?p ?o } }"
    )
    from graph.importers import run_import

    for kind, path in (("atlas", ATLAS_SMALL), ("sssom", SSSOM_SMALL), ("inspect-evals", INSPECT_SMALL)):
        run_import(kind, path, kg, workspace=ws)
    curated_after = kg.select("SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/airisk/id/graph/curated> { ?s ?p ?o } }")
    assert sorted(map(str, curated_before.rows)) == sorted(map(str, curated_after.rows))
    assert snapshot(data) == files_before


def test_damaged_data_file_and_manifest_are_reported(ws: Path, cli: Callable[..., Result]) -> None:
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    (info,) = list_imports(ws)
    path = ws / GRAPHS / info.file
    path.write_bytes(path.read_bytes().replace(b"Fixture", b"Fixturf", 1))
    result = cli("stats")
    assert result.exit_code == 1
    assert (
        f"import 'atlas': {path} does not match its checksum" in result.stderr
        and "airisk remove atlas" in result.stderr
    )
    assert cli("remove", "atlas").exit_code == 0  # the way out works without reading the damaged file
    (ws / MANIFEST).write_text("{not json")
    result = cli("imports")
    assert result.exit_code == 1 and "manifest" in result.stderr and "damaged" in result.stderr


def test_attach_imports_loads_every_graph(ws: Path, curated_kg: KnowledgeGraph) -> None:
    for kind, path in (("atlas", ATLAS_SMALL), ("sssom", SSSOM_SMALL)):
        save_import(ws, _checked(kind, path, curated_kg))
    kg = KnowledgeGraph.load(data=CURATED)
    infos = attach_imports(kg, ws)
    assert [i.name for i in infos] == ["atlas", "sssom-mappings-small"]
    for info in infos:
        n = kg.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{info.graph}> {{ ?s ?p ?o }} }}").values("n")
        assert n == [info.triples]
    assert kg.prefixes["atlas-cs"] == "https://w3id.org/airisk/id/case-study/atlas/"
    assert attach_imports(KnowledgeGraph.load(data=CURATED), ws.parent / "no-such-workspace") == []


def _checked(kind: str, path: Path, kg: KnowledgeGraph):  # type: ignore[no-untyped-def]
    return build_import(kind, path, kg)


def test_remove_unknown_in_empty_workspace(ws: Path) -> None:
    with pytest.raises(NotFound, match="imports: none"):
        remove_import(ws / "absent", "nothing")
    assert not (ws / "absent").exists()  # asking does not create a workspace


def _limit_file_size() -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_disk_full_leaves_the_workspace_unchanged(ws: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    """A write that fails (here: the file-size limit, as a full disk would) changes nothing."""
    assert cli("import", "atlas", ATLAS_SMALL).exit_code == 0
    before = snapshot(ws)
    big = big_atlas(tmp_path / "big.yaml")
    env = {**os.environ, "AIRISK_WORKSPACE": str(ws)}
    out = subprocess.run(
        [str(AIRISK), "--data", str(CURATED), "import", "atlas", str(big)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=_limit_file_size,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "error: cannot write the import workspace" in out.stderr and "nothing was changed" in out.stderr
    assert snapshot(ws) == before
    # and without the limit the same import works
    out = subprocess.run(
        [str(AIRISK), "--data", str(CURATED), "import", "atlas", str(big)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert list_imports(ws)[0].counts["techniques"] == 1500
    assert [p.name for p in (ws / GRAPHS).iterdir()] == [list_imports(ws)[0].file]


def test_read_imports_verifies_against_manifest(ws: Path, curated_kg: KnowledgeGraph) -> None:
    save_import(ws, _checked("atlas", ATLAS_SMALL, curated_kg))
    ((info, data),) = read_imports(ws)
    assert data.count(b"\n") == info.triples
    (ws / GRAPHS / info.file).unlink()
    with pytest.raises(StoreError, match="cannot read"):
        read_imports(ws)
