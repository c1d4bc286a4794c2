"""Fixtures of the coverage tests: the small fixture graph (tests/fixtures/coverage/basic), loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.coverage.report import CoverageReport, compute_coverage
from graph.index.data import CoverageData, gather
from graph.inventory.match import inventory_from_tests
from graph.store.kg import KnowledgeGraph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "coverage"
BASIC = FIXTURES / "basic"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cov_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(data=BASIC)


@pytest.fixture(scope="session")
def cov_data(cov_kg: KnowledgeGraph) -> CoverageData:
    return gather(cov_kg)


def covered_by(data: CoverageData, *tests: str, **kwargs: object) -> CoverageReport:
    """Coverage when only ``tests`` (catalogue ids) are run."""
    return compute_coverage(data, inventory_from_tests(data, list(tests), "t"), **kwargs)  # type: ignore[arg-type]
