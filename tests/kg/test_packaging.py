"""`pip install .` (not editable) works from any directory: ontology, data and queries ship inside."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-w", str(out), "-q"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (whl,) = out.glob("airisk_graph-*.whl")
    return whl


def test_wheel_contains_data_ontology_and_queries(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "graph/_ontology/airisk.ttl" in names and "graph/_ontology/shapes.ttl" in names
    assert "graph/_data/taxonomies/mit.yaml" in names and "graph/_data/test-methods.yaml" in names
    assert "graph/queries/crosswalk.rq" in names
    assert "graph/importers/inspect_links.yaml" in names
    assert any(n.startswith("graph/vendor/vis-network/") for n in names)


def test_installed_package_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel), "-q"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    code = (
        "import graph, graph.core.resources as r; from graph import KnowledgeGraph;"
        "assert str(r.data_dir()).startswith(%r), r.data_dir();"
        "kg = KnowledgeGraph.load(); print(kg.stats()['classes']['ar:Taxonomy'])".replace("%r", repr(str(target)))
    )
    # -I would drop PYTHONPATH; -P keeps the cwd (and so the checkout) off sys.path
    r = subprocess.run([sys.executable, "-P", "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) >= 12
