"""``airisk serve`` as a command: loopback by default, clear errors, a clean shutdown."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from .servers import FIXTURE_DATA, ROOT, free_port, start_endpoint


def processes_with(marker: str) -> list[int]:
    """Pids of the processes whose environment carries ``marker`` (the server and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_binds_to_loopback_allows_cors_when_asked_and_shuts_down_cleanly(tmp_path: Path) -> None:
    marker = f"AIRISK_TEST_MARKER={uuid.uuid4()}"
    key, value = marker.split("=", 1)
    srv = start_endpoint("--cors", env_extra={"TMPDIR": str(tmp_path), key: value})
    assert srv.base.startswith("http://127.0.0.1:")
    # --cors: a page of another origin (a hosted YASGUI) may query it
    origin = {"Origin": "https://yasgui.example"}
    preflight = httpx.options(
        srv.sparql,
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    answer = httpx.get(srv.sparql, params={"query": "ASK {}"}, headers=origin)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert len(processes_with(marker)) >= 3  # the server and its two query workers
    assert list(tmp_path.glob("airisk-endpoint-*"))  # the on-disk copy the workers read
    srv.stop()
    assert srv.proc.returncode == 0
    assert not list(tmp_path.glob("airisk-endpoint-*"))
    # The workers are gone; the multiprocessing fork server notices its parent left and follows.
    for _ in range(100):
        if not processes_with(marker):
            break
        time.sleep(0.1)
    assert processes_with(marker) == []


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "graph", "--data", str(FIXTURE_DATA), "serve", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, env=dict(os.environ))


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = serve("--port", str(port))
    assert out.returncode == 1
    assert out.stderr.strip().startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in out.stderr


def test_other_interfaces_only_when_asked_and_with_a_warning() -> None:
    out = serve("--host", "0.0.0.0", "--store", f"http://127.0.0.1:{free_port()}/query")
    assert "warning: listening on 0.0.0.0: other machines can reach this endpoint" in out.stderr
    assert out.returncode == 1  # the store is not there: a clear error, no server
    assert "error: cannot connect to the SPARQL store" in out.stderr
