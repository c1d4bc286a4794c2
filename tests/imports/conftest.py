"""Fixtures of the importer tests: the fixture curated data, the real external files, a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from graph import KnowledgeGraph

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
CURATED = FIXTURES / "curated"
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external"
ATLAS = EXTERNAL / "mitre-atlas" / "ATLAS.yaml"
MIT = EXTERNAL / "mit-ai-risk-repository" / "The AI Risk Repository V3_26_03_2025.xlsx"
INSPECT = EXTERNAL / "inspect-evals"


def need_external() -> None:
    if not EXTERNAL.is_dir():
        pytest.skip(f"the shared external files are not here ({EXTERNAL}); they are always present in CI")


@pytest.fixture(scope="session")
def curated_kg() -> KnowledgeGraph:
    """The fixture curated graph (read-only use: build imports against it, never write into it)."""
    return KnowledgeGraph.load(data=CURATED)


@pytest.fixture()
def fresh_kg() -> KnowledgeGraph:
    """A fixture curated graph of its own, for tests that load imports into the store."""
    return KnowledgeGraph.load(data=CURATED)


@pytest.fixture()
def ws() -> Path:
    """The test's own import workspace (the root conftest points AIRISK_WORKSPACE at a tmp folder)."""
    return Path(os.environ["AIRISK_WORKSPACE"])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes: byte-for-byte comparison of a workspace."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def cli() -> Callable[..., Result]:
    """Run ``airisk --data <fixture curated> ARGS`` in process (the real Typer app)."""
    runner = CliRunner()

    def invoke(*args: str, data: Path | None = CURATED) -> Result:
        argv = (["--data", str(data)] if data else []) + [str(a) for a in args]
        return runner.invoke(__import__("graph.cli.main", fromlist=["app"]).app, argv)

    return invoke
