"""What the app keeps between runs: the graph and what the pages derive from it, under the graph's
key (the store cache key of the data, ontology, imports and code).

The coverage evidence is gathered once for every page that shows it, and an edit to the data while
the app runs is shown on the next run (a new key: a new graph, new derived values).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "tests" / "fixtures" / "app"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the app fixture data (the tests edit it), its own workspace and store cache."""
    root = tmp_path_factory.mktemp("app-caching")
    copy = root / "data"
    shutil.copytree(DATA, copy)
    env = {"AIRISK_DATA": str(copy), "AIRISK_WORKSPACE": str(root / "ws"), "AIRISK_CACHE_DIR": str(root / "cache")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield copy
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def gathered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The key of the graph each time the coverage evidence is gathered (the real query runs)."""
    from app_pages import coverage_common

    real = coverage_common.gather
    keys: list[str] = []

    def counting(kg: Any) -> Any:
        keys.append(kg.key)
        return real(kg)

    monkeypatch.setattr(coverage_common, "gather", counting)
    return keys


def run(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"app_pages/{name}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def taxonomy_titles(at: AppTest) -> list[str]:
    return [str(t) for t in at.dataframe[1].value["title"]]


def test_the_evidence_is_gathered_once_for_every_page_and_an_edit_is_seen(data: Path, gathered: list[str]) -> None:
    from app_pages import common

    first = run("overview")
    assert "Fixture domain taxonomy" in taxonomy_titles(first)
    summary = {m.label: m.value for m in first.metric}
    for name in ("coverage", "plan", "compare", "overview"):
        at = run(name)
    assert {m.label: m.value for m in at.metric} == summary
    assert len(gathered) == 1  # one graph: every page (and the warm-up) shares its evidence
    key = gathered[0]
    assert key == common.graph_key()

    taxonomy = data / "taxonomies" / "mit.yaml"
    taxonomy.write_text(taxonomy.read_text().replace("Fixture domain taxonomy", "Edited domain taxonomy"))
    edited = run("overview")
    titles = taxonomy_titles(edited)
    assert "Edited domain taxonomy" in titles and "Fixture domain taxonomy" not in titles
    assert common.graph_key() != key
    assert gathered[-1] == common.graph_key() and gathered.count(common.graph_key()) == 1
    run("coverage")
    assert gathered.count(common.graph_key()) == 1
