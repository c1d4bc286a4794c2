"""The kernel's wall alone: a confined process cannot connect anywhere, whatever the engine is asked.

These tests do not use the guard at all: they run every generated SERVICE spelling straight on
pyoxigraph in a fresh process, once confined (the listener must receive nothing) and once not (the
control: the same script does reach the listener, so the test can fail).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from .listener import Listener
from .spellings import service_spellings

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, socket, sys
    import pyoxigraph as ox
    from graph.sandbox.confine import confine

    queries = json.load(open(sys.argv[1]))
    confined = sys.argv[2] == "confined"
    if confined:
        c = confine(1 << 30)
        print("blocked" if c.network_blocked else "not-blocked: " + c.detail)
    store = ox.Store()
    ran = 0
    for q in queries:
        try:
            res = store.query(q)
            if hasattr(res, "__iter__"):
                list(res)
            ran += 1
        except SyntaxError:
            pass
        except Exception:
            ran += 1  # the engine tried (and failed) to evaluate it
    print("ran", ran)
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=2).close()
        print("python-connect allowed")
    except OSError as exc:
        print("python-connect refused", exc.errno)
    """
)


def _run(tmp_path: Path, mode: str, listener: Listener, queries: list[str]) -> str:
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(queries))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), mode, str(listener.port)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_confined_engine_cannot_reach_a_loopback_listener(tmp_path: Path) -> None:
    with Listener() as listener:
        queries = service_spellings(listener.url)
        assert len(queries) >= 300
        out = _run(tmp_path, "confined", listener, queries)
        assert "blocked" in out.splitlines()[0], out
        ran = int(next(line for line in out.splitlines() if line.startswith("ran ")).split()[1])
        assert ran >= 200  # most spellings are ones the engine parses and would evaluate
        assert "python-connect refused" in out
        assert listener.connections == 0


def test_control_unconfined_engine_does_reach_the_listener(tmp_path: Path) -> None:
    """Without the kernel's wall the same queries do connect: the test above can fail."""
    with Listener() as listener:
        out = _run(tmp_path, "open", listener, service_spellings(listener.url)[:20])
        assert "python-connect allowed" in out
        assert listener.connections >= 2
