"""Commands import only the libraries they use: ``--help`` none of the heavy ones, a warm start no RDF builder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "rdflib", "pyoxigraph", "networkx", "pyshacl", "pydantic", "yaml", "openpyxl", "numpy", "httpx")
PROBE = """
import json, sys
sys.argv = ["airisk", *sys.argv[1:]]
from graph.cli.main import entry
try:
    entry()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("\\n" + json.dumps({{"code": code, "heavy": heavy, "rich_markdown": "rich.markdown" in sys.modules}}))
"""


def imported(*args: str, env: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    report: dict = json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    assert report["code"] in (0, None), proc.stderr
    return report


def test_help_imports_no_heavy_library() -> None:
    report = imported("--help")
    assert report["heavy"] == []
    assert not report["rich_markdown"]
    assert imported("gaps", "--help")["heavy"] == []


@pytest.mark.parametrize("command", [["stats"], ["gaps"], ["query", "taxonomies"]])
def test_a_warm_start_reads_the_cache_without_rdflib_pandas_or_yaml(
    command: list[str], fixture_data: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "AIRISK_CACHE_DIR": str(tmp_path / "cache")}
    args = ["--data", str(fixture_data), *command]
    cold = imported(*args, env=env)
    assert "rdflib" in cold["heavy"]  # the first start builds the graph
    warm = imported(*args, env=env)
    assert warm["heavy"] == ["pyoxigraph"]
