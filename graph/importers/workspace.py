"""The import workspace: imported data kept on disk, one named graph per import, without loss.

Layout of a workspace folder (default ``~/.local/share/airisk``, or ``$AIRISK_WORKSPACE``; see
:func:`graph.core.resources.default_workspace`)::

    manifest.json              what is imported: name -> graph, data file, checksum, counts, licence ...
    graphs/NAME-SHA16.nt       the N-Triples of one import (content-addressed: the name carries its hash)
    .lock                      fcntl lock file: writers hold it exclusively, readers shared

How a change is made (``docs/decisions/0006-import-workspace.md``): the new data file is written
to a temporary file, fsync'ed, renamed into place and the folder fsync'ed; then a new manifest is
written the same way and renamed over the old one. That rename is the single commit point: a
process killed before it leaves the old manifest, which still names the old data files (they are
only deleted after the commit, under the lock), so the workspace is always the old state or the
new one, never a mixture. Readers take the shared lock while they read the manifest and the data
files, so they never see a data file disappear under them. Data files are checked against the
SHA-256 in the manifest when they are read.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from graph.core.errors import NotFound, StoreError
from graph.importers.common import ImportResult, check_name, graph_iri, sha256
from graph.store.kg import KnowledgeGraph, Progress
from graph.store.oxigraph import OxigraphStore

MANIFEST = "manifest.json"
LOCK = ".lock"
GRAPHS = "graphs"
FORMAT = 1
#: How many warnings of an import the manifest keeps (the count is always kept).
KEEP_WARNINGS = 200


@dataclass
class ImportInfo:
    """One import as the manifest records it."""

    name: str
    kind: str
    graph: str
    file: str
    sha256: str
    triples: int
    bytes: int
    imported_at: str
    counts: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    airisk_version: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportInfo:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


# ---------------------------------------------------------------------------------------------- low level
def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and rename; on any error nothing changes."""
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def _locked(ws: Path, exclusive: bool) -> Iterator[bool]:
    """Hold the workspace lock; yields False when a shared lock is asked of a workspace with no lock file."""
    lock = ws / LOCK
    with contextlib.ExitStack() as stack:
        fh: IO[bytes] | None = None
        try:
            if exclusive:
                ws.mkdir(parents=True, exist_ok=True)
                fh = stack.enter_context(open(lock, "ab"))
            elif lock.exists():
                fh = stack.enter_context(open(lock, "rb"))
        except OSError as exc:
            raise StoreError(f"cannot open the import workspace lock {lock}: {exc.strerror}") from None
        if fh is None:
            yield False
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read_manifest(ws: Path) -> dict[str, ImportInfo]:
    path = ws / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StoreError(f"cannot read the import workspace manifest {path}: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("imports"), dict):
            raise ValueError("not an AI Risk Graph workspace manifest (format 1)")
        return {name: ImportInfo.from_dict(item) for name, item in doc["imports"].items()}
    except (ValueError, TypeError) as exc:
        raise StoreError(f"the import workspace manifest {path} is damaged ({exc})") from None


def _manifest_bytes(imports: dict[str, ImportInfo]) -> bytes:
    doc = {"format": FORMAT, "imports": {name: asdict(imports[name]) for name in sorted(imports)}}
    return (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _commit(ws: Path, imports: dict[str, ImportInfo]) -> None:
    """Replace the manifest (the commit point), then delete data files it no longer names."""
    _write_atomic(ws / MANIFEST, _manifest_bytes(imports))
    keep = {info.file for info in imports.values()}
    folder = ws / GRAPHS
    for path in folder.iterdir() if folder.is_dir() else []:
        if path.name not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
    for path in ws.glob(f".tmp-{MANIFEST}-*"):
        with contextlib.suppress(OSError):
            path.unlink()


def _read_data(ws: Path, info: ImportInfo) -> bytes:
    path = ws / GRAPHS / info.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreError(
            f"import {info.name!r}: cannot read {path}: {exc.strerror} (remove it with `airisk remove {info.name}`)"
        ) from None
    if sha256(data) != info.sha256:
        raise StoreError(
            f"import {info.name!r}: {path} does not match its checksum in the manifest (damaged or edited); "
            f"import the file again or remove it with `airisk remove {info.name}`"
        )
    return data


# ---------------------------------------------------------------------------------------------- API
def list_imports(workspace: Path) -> list[ImportInfo]:
    """Every import of the workspace, by name (an absent workspace has none)."""
    with _locked(Path(workspace), exclusive=False):
        return [info for _name, info in sorted(_read_manifest(Path(workspace)).items())]


def get_import(workspace: Path, name: str) -> ImportInfo:
    """The manifest entry of import ``name``; :class:`NotFound` when there is none."""
    for info in list_imports(workspace):
        if info.name == name:
            return info
    names = ", ".join(i.name for i in list_imports(workspace)) or "none"
    raise NotFound(f"no import called {name!r} in {workspace} (imports: {names})")


def read_imports(workspace: Path) -> list[tuple[ImportInfo, bytes]]:
    """Every import with its N-Triples, read consistently under the shared lock and checksum-verified.

    This is how a workspace is opened; it first removes the temporary files that a killed import
    or save left behind (:func:`remove_stale_temporaries`).
    """
    ws = Path(workspace)
    with _locked(ws, exclusive=False) as held:
        if held:
            remove_stale_temporaries(ws)
        return [(info, _read_data(ws, info)) for _name, info in sorted(_read_manifest(ws).items())]


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists (another user's): leave its file alone
    return True


def remove_stale_temporaries(workspace: Path) -> list[Path]:
    """Delete temporary files of writers that died (a killed import or inventory save); return them.

    Temporary files name their writer's process id (``.tmp-{name}-{pid}-{random}``, and
    ``.{name}.{pid}.{random}.partial`` for saved inventories); a file whose process no longer
    exists is stale. Writers hold the workspace lock, so none of them runs while a reader holds it.
    """
    ws = Path(workspace)
    removed: list[Path] = []
    candidates = [*ws.glob(".tmp-*"), *(ws / GRAPHS).glob(".tmp-*"), *(ws / "inventories").glob(".*.partial")]
    for path in candidates:
        parts = path.name.removesuffix(".partial").replace(".", "-").split("-")
        pids = [int(p) for p in parts[-2:-1] if p.isdigit()]
        if pids and _pid_alive(pids[0]):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def save_import(workspace: Path, result: ImportResult, now: datetime | None = None) -> ImportInfo:
    """Store ``result`` as import ``result.name``, replacing any import of that name, in one step.

    The result must have been validated already (:func:`graph.importers.build_import`). On any
    failure (disk full, killed process) the workspace keeps its previous state.
    """
    from graph.core.resources import VERSION as __version__

    check_name(result.name)
    ws = Path(workspace)
    digest = sha256(result.ntriples)
    warnings = [str(p) for p in result.warnings]
    info = ImportInfo(
        name=result.name,
        kind=result.kind,
        graph=graph_iri(result.name),
        file=f"{result.name}-{digest[:16]}.nt",
        sha256=digest,
        triples=result.triples,
        bytes=len(result.ntriples),
        imported_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        counts=dict(result.counts),
        entities=dict(result.entities),
        source=result.source.as_dict(),
        prefixes=dict(result.prefixes),
        warnings=warnings[:KEEP_WARNINGS],
        warning_count=len(warnings),
        airisk_version=__version__,
    )
    try:
        with _locked(ws, exclusive=True):
            imports = _read_manifest(ws)
            folder = ws / GRAPHS
            folder.mkdir(exist_ok=True)
            target = folder / info.file
            created = False
            if not (target.is_file() and sha256(target.read_bytes()) == digest):
                _write_atomic(target, result.ntriples)
                created = True
            imports[info.name] = info
            try:
                _commit(ws, imports)
            except BaseException:
                if created and not any(i.file == info.file for i in _read_manifest(ws).values()):
                    with contextlib.suppress(OSError):
                        target.unlink()
                raise
    except OSError as exc:
        raise StoreError(
            f"cannot write the import workspace {ws}: {exc.strerror or exc}; nothing was changed"
        ) from None
    return info


def remove_import(workspace: Path, name: str) -> ImportInfo:
    """Remove import ``name`` (its manifest entry, then its data file); :class:`NotFound` if absent."""
    ws = Path(workspace)
    if not (ws / MANIFEST).is_file():  # nothing to remove: do not create a workspace to say so
        raise NotFound(f"no import called {name!r} in {ws} (imports: none)")
    try:
        with _locked(ws, exclusive=True):
            imports = _read_manifest(ws)
            if name not in imports:
                names = ", ".join(sorted(imports)) or "none"
                raise NotFound(f"no import called {name!r} in {ws} (imports: {names})")
            info = imports.pop(name)
            _commit(ws, imports)
    except OSError as exc:
        raise StoreError(
            f"cannot write the import workspace {ws}: {exc.strerror or exc}; nothing was changed"
        ) from None
    return info


def attach_imports(kg: KnowledgeGraph, workspace_dir: Path, progress: Progress | None = None) -> list[ImportInfo]:
    """Load every saved import's named graph into ``kg.store`` (and its CURIE prefixes into ``kg.prefixes``)."""
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    loaded = read_imports(Path(workspace_dir))
    for info, data in loaded:
        say(f"loading import {info.name} ({info.triples} triples)")
        store = kg.store
        if isinstance(store, OxigraphStore):
            import pyoxigraph as ox

            store.drop_graph(info.graph)
            store.load(data, ox.RdfFormat.N_TRIPLES, info.graph)
        else:
            store.replace_graph(info.graph, data.decode("utf-8"))
        for prefix, ns in info.prefixes.items():
            kg.prefixes.setdefault(prefix, ns)
    if loaded:
        kg.timings.steps["imports"] = time.perf_counter() - t0
    return [info for info, _data in loaded]
