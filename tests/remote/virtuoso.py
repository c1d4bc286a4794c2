"""A real Virtuoso Open Source server (Debian's ``virtuoso-opensource``) on loopback, for the tests.

Each server gets free ports, its own database folder and a configuration written here: HTTP and
SQL bound to 127.0.0.1 only, the default result-row cap raised (exports read the whole graph), and
SPARQL Update granted to the endpoint's ``SPARQL`` user (what ``airisk load --store`` writes with).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
INI = """[Database]
DatabaseFile = db/virtuoso.db
ErrorLogFile = db/virtuoso.log
LockFile = db/virtuoso.lck
TransactionFile = db/virtuoso.trx
xa_persistent_file = db/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = db/virtuoso-temp.db
TransactionFile = db/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
{server_root}ServerThreads = 8
MaxClientConnections = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@dataclass
class VirtuosoServer:
    """A running ``virtuoso-t``: SPARQL at ``/sparql``, the Graph Store Protocol at ``/sparql-graph-crud``."""

    folder: Path
    http_port: int
    sql_port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def gsp_url(self) -> str:
        return self.base + "/sparql-graph-crud"

    def start(self, wait: float = 90.0) -> VirtuosoServer:
        assert VIRTUOSO and ISQL, "Virtuoso is not installed (make virtuoso: Debian's virtuoso-opensource)"
        (self.folder / "db").mkdir(parents=True, exist_ok=True)
        root = f"ServerRoot = {VSP}\n" if VSP.is_dir() else ""
        ini = INI.format(sql_port=self.sql_port, http_port=self.http_port, server_root=root)
        (self.folder / "virtuoso.ini").write_text(ini)
        cmd = [VIRTUOSO, "+foreground", "+configfile", "virtuoso.ini"]
        self.proc = subprocess.Popen(cmd, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.folder / "db" / "virtuoso.log"
                raise RuntimeError(f"virtuoso exited: {log.read_text()[-2000:] if log.exists() else ''}")
            try:
                if httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            self.kill()
            raise RuntimeError("virtuoso did not start")
        grant = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if grant.returncode != 0:
            self.kill()
            raise RuntimeError(f"cannot grant SPARQL_UPDATE: {grant.stdout} {grant.stderr}")
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_virtuoso(folder: Path) -> VirtuosoServer:
    """Start Virtuoso on free loopback ports (retrying if a port was taken meanwhile)."""
    from endpoint.servers import free_port

    last: Exception | None = None
    for _ in range(3):
        server = VirtuosoServer(folder, free_port(), free_port())
        try:
            return server.start()
        except RuntimeError as exc:
            last = exc
            shutil.rmtree(folder / "db", ignore_errors=True)
    raise RuntimeError(f"virtuoso did not start: {last}")
