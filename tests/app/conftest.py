"""Fixtures of the app tests: the app fixture data (with a hostile label) and its graph."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_DATA = ROOT / "tests" / "fixtures" / "app"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def app_data() -> Path:
    return APP_DATA


@pytest.fixture(scope="session")
def app_kg():  # type: ignore[no-untyped-def]
    from graph.store.kg import KnowledgeGraph

    return KnowledgeGraph.load(data=APP_DATA)
