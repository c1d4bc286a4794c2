"""The Versions page under ``streamlit.testing.v1.AppTest`` on the versioned fixture (``mit2`` revises ``mit``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "tests" / "fixtures" / "versions"


@pytest.fixture(scope="module", autouse=True)
def _env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in ("AIRISK_DATA", "AIRISK_WORKSPACE")}
    os.environ["AIRISK_DATA"] = str(DATA)
    os.environ["AIRISK_WORKSPACE"] = str(tmp_path_factory.mktemp("versions-workspace"))
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/versions.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_versions_page_defaults_to_the_declared_succession_and_lists_changes() -> None:
    at = run_page()
    assert at.selectbox(key="ver-old").value == "mit" and at.selectbox(key="ver-new").value == "mit2"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["split"] == "1" and metrics["merged"] == "1" and metrics["added"] == "1"
    changes = at.dataframe[0].value
    split = changes[changes["change"] == "split"].iloc[0]
    assert split["old"] == "mit:4.2" and split["new"] == "mit2:4.2a, mit2:4.2b" and split["basis"] == "declared"
    assert set(changes[changes["basis"] == "code"]["old"]) == {"mit:4"}
    mappings = at.dataframe[1].value
    assert set(mappings["status"]) == {"carried", "not carried"}


def test_versions_page_on_two_unrelated_taxonomies_says_how_it_matched() -> None:
    at = run_page()
    at.selectbox(key="ver-old").set_value("nist600")
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "does not declare that it revises" in text.replace("\\", "")
    at.selectbox(key="ver-new").set_value("nist600")
    at.run()
    assert [w.value for w in at.warning] == ["Pick two different taxonomies."]
