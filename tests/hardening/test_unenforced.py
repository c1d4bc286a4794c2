"""Where the machine cannot enforce the network block, every face says so loudly.

The seccomp binding is replaced by one that fails to load, as on a machine without libseccomp
(``without_seccomp/`` first on ``PYTHONPATH``, inherited by the workers).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from endpoint.servers import ROOT, start_endpoint

FIXTURE_DATA = ROOT / "tests" / "fixtures" / "endpoint"
WITHOUT = Path(__file__).parent / "without_seccomp"


def _env() -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(WITHOUT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def test_endpoint_logs_and_describes_the_missing_block() -> None:
    srv = start_endpoint("--workers", "1", data=FIXTURE_DATA, env_extra=_env())
    try:
        r = httpx.get(srv.sparql, headers={"Accept": "text/turtle"}, timeout=30, trust_env=False)
        assert "WARNING: this machine cannot enforce the network block" in r.text
        assert "libseccomp" in r.text
        # the guard still refuses SERVICE
        q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"
        assert httpx.get(srv.sparql, params={"query": q}, timeout=30, trust_env=False).status_code == 400
    finally:
        srv.stop()
    assert srv.proc.stderr is not None
    assert "WARNING: this machine cannot enforce the network block" in srv.proc.stderr.read()


def test_cli_query_file_warns(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?s ?p ?o }")
    out = subprocess.run(
        [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "query", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, **_env()},
    )
    assert out.returncode == 0 and out.stdout.strip() == "true"
    assert "WARNING: this machine cannot enforce the network block" in out.stderr
