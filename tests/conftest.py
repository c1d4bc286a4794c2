"""Shared test fixtures: paths, and the fixture knowledge graph (built once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXTERNAL = ROOT.parent / "shared" / "external"


@pytest.fixture(autouse=True)
def _isolated_workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reads or writes the user's real import workspace."""
    if "AIRISK_WORKSPACE" not in os.environ or not os.environ["AIRISK_WORKSPACE"].startswith(
        str(tmp_path_factory.getbasetemp())
    ):
        monkeypatch.setenv("AIRISK_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))
    if "AIRISK_CACHE_DIR" not in os.environ:  # nor the user's cache of built stores (one per test worker)
        monkeypatch.setenv("AIRISK_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "store-cache"))


@pytest.fixture(scope="session")
def fixture_data() -> Path:
    return FIXTURES / "kg"


@pytest.fixture(scope="session")
def fixture_kg(fixture_data: Path):  # type: ignore[no-untyped-def]
    from graph import KnowledgeGraph

    return KnowledgeGraph.load(data=fixture_data)
