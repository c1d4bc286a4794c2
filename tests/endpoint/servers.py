"""Real servers for the endpoint and remote-store tests: ``airisk serve`` and the Oxigraph server.

Both run as subprocesses on 127.0.0.1 with a free port (safe under pytest-xdist).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "endpoint"
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Endpoint:
    """A running ``airisk serve``."""

    proc: subprocess.Popen[str]
    base: str
    audit_log: Path | None = None
    output: list[str] = field(default_factory=list)

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_endpoint(
    *args: str,
    data: Path = FIXTURE_DATA,
    audit_log: Path | None = None,
    global_args: tuple[str, ...] = (),
    wait: float = 90.0,
    env_extra: dict[str, str] | None = None,
) -> Endpoint:
    """Start ``airisk --data DATA serve --port 0 ARGS`` and wait until it listens."""
    env = {**os.environ, **(env_extra or {})}
    if audit_log is not None:
        env["AIRISK_NET_AUDIT_LOG"] = str(audit_log)
    cmd = [sys.executable, "-m", "graph", "--data", str(data), *global_args, "serve", "--port", "0", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"(http://[^ ]+)/sparql", line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=reader, daemon=True).start()
    ready.wait(wait)
    if not found:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        raise RuntimeError(f"airisk serve did not start: {''.join(lines)}{err}")
    return Endpoint(proc, found[0], audit_log, lines)


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve`` on loopback."""

    location: Path
    port: int
    union: bool = True
    read_only: bool = False
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    def start(self, wait: float = 20.0) -> OxigraphServer:
        assert OXIGRAPH, "the oxigraph server (pip install oxigraph) is not installed"
        cmd = [OXIGRAPH, "serve-read-only" if self.read_only else "serve", "--location", str(self.location)]
        cmd += ["--bind", f"127.0.0.1:{self.port}"]
        if self.union:
            cmd.append("--union-default-graph")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"oxigraph exited: {err}")
            try:
                httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def start_oxigraph(location: Path, union: bool = True, read_only: bool = False) -> OxigraphServer:
    """Start an Oxigraph server on a free loopback port (retrying if the port was taken meanwhile)."""
    last: Exception | None = None
    for _ in range(5):
        server = OxigraphServer(location, free_port(), union, read_only)
        try:
            return server.start()
        except RuntimeError as exc:
            last = exc
    raise RuntimeError(f"could not start oxigraph: {last}")
