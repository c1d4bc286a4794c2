"""Query workers never run the host's main script (Streamlit runs ``app.py`` as ``__main__``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOST = r"""
import sys, types
from pathlib import Path
import pyoxigraph as ox
from graph.sandbox.pool import Job, StoreSpec, WorkerPool

out = Path(sys.argv[1])
script = out / "page.py"
script.write_text("from pathlib import Path\nPath(%r).write_text('ran')\n" % str(out / "ran.txt"))
# what Streamlit does for a script run: a fresh module, named __main__, with the script's file
fake = types.ModuleType("__main__")
fake.__file__ = str(script)
sys.modules["__main__"] = fake
store = ox.Store()
store.add(ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("x")))
ox.serialize(store.quads_for_pattern(None, None, None, None), str(out / "g.nq"), format=ox.RdfFormat.N_QUADS)
pool = WorkerPool(StoreSpec("embedded", str(out / "g.nq"), {}), size=1, timeout=30)
pool.start()
print(pool.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", None, 10)).status)
pool.close()
assert sys.modules["__main__"] is fake  # the host's module is back
"""


def test_workers_start_without_the_hosts_main_script(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", HOST, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "ran.txt").exists(), "a query worker ran the host's main script"
