"""The endpoint works offline: its processes refuse outbound connections, and it makes none."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx

from .servers import ROOT


def test_the_guard_refuses_non_loopback_and_allows_loopback(tmp_path: Path) -> None:
    """The audit-hook guard that every server and worker process installs, in a fresh process."""
    log = tmp_path / "net.log"
    script = textwrap.dedent(
        f"""
        import socket
        from graph.sandbox.netguard import install
        listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
        install((), {str(log)!r})
        socket.create_connection(listener.getsockname(), timeout=2).close()   # loopback: allowed
        for target in (("192.0.2.1", 9), ("2001:db8::1", 9)):                  # documentation ranges
            try:
                socket.create_connection(target, timeout=2)
            except PermissionError as exc:
                print("refused", target[0], exc)
        raw = socket.socket()
        try:
            raw.connect(("192.0.2.1", 9))                                      # no lookup: the connect itself
        except PermissionError:
            print("refused connect")
        try:
            socket.getaddrinfo("example.org", 80)
        except PermissionError:
            print("refused lookup")
        import urllib.request
        try:
            urllib.request.urlopen("http://example.org/", timeout=2)
        except PermissionError:
            print("refused urllib")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "refused 192.0.2.1 outbound connection to 192.0.2.1" in out.stdout
    assert "refused connect" in out.stdout
    assert "refused 2001:db8::1" in out.stdout
    assert "refused lookup" in out.stdout
    assert "refused urllib" in out.stdout
    lines = log.read_text().splitlines()
    assert any(line.endswith("\tallowed") and "127.0.0.1" in line for line in lines)
    assert any(line.split("\t")[1:] == ["socket.connect", "192.0.2.1:9", "refused"] for line in lines)
    assert sum(line.endswith("\trefused") for line in lines) >= 5


def test_serving_every_kind_of_page_makes_no_outbound_connection(
    client: httpx.Client, endpoint_audit_log: Path, kg: Any
) -> None:
    """Entity pages in every format (JSON-LD included), queries, the service description, refusals."""
    for path, accept in [
        ("/id/risk/mit/4.2", "text/html"),
        ("/id/risk/mit/4.2", "application/ld+json"),
        ("/id/test-method/wmdp", "text/turtle"),
        ("/id/source/src-a", "application/n-triples"),
        ("/ontology", "application/ld+json"),
        ("/sparql", "text/turtle"),
        ("/sparql", "text/html"),
        ("/", "text/html"),
    ]:
        assert client.get(path, headers={"Accept": accept}).status_code == 200
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a ar:TestMethod ; ?p ?o }"
    assert client.get("/sparql", params={"query": q}, headers={"Accept": "application/ld+json"}).status_code == 200
    refused = client.get("/sparql", params={"query": "SELECT * { SERVICE <http://192.0.2.1/sparql> { ?s ?p ?o } }"})
    assert refused.status_code == 400
    if endpoint_audit_log.exists():
        lines = endpoint_audit_log.read_text().splitlines()
        assert [line for line in lines if not line.endswith("\tallowed")] == []
