"""A built store kept on disk, so that a command does not rebuild the graph on every start.

Building the graph (reading the YAML with positions, checking it, building RDF, filling the store)
is most of what a command costs on the shipped data. :func:`cached_store` keeps the result as an
N-Quads file plus a small JSON description (the prefixes, the graphs and a checksum), under a key
that is the SHA-256 of everything the build reads: every file of the data and ontology folders
(names and bytes), the import workspace's manifest (which holds each import's checksum), and the
code version (the bytes of the package's own modules). A change to any of them gives a new key, so
a stale entry is never used.

Safety:

- an entry is built in a temporary folder next to the cache and renamed into place in one step, so
  a reader sees a whole entry or none;
- the builders of one key take an exclusive ``flock`` on its lock file: when two processes start
  together, one builds and the other waits and then reads the finished entry;
- an entry whose file does not match its checksum, or cannot be parsed, is removed and rebuilt;
- when the cache folder cannot be written (read-only home), the store is built in memory as before.

The cache lives in ``$AIRISK_CACHE_DIR`` (``off`` disables it), else ``$XDG_CACHE_HOME/airisk``,
else ``~/.cache/airisk``. Only the newest :data:`KEEP` entries are kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

FORMAT = 1
KEEP = 4
STORE_FILE = "store.nq"
META_FILE = "meta.json"
CODE_ROOT = Path(__file__).resolve().parents[1]
CODE_SUFFIXES = (".py", ".rq", ".yaml", ".ttl")


@dataclass
class CacheEntry:
    """What an entry holds besides the quads: the prefixes and the named graphs' sizes."""

    prefixes: dict[str, str] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)


def cache_root() -> Path | None:
    """The cache folder, or None when caching is switched off."""
    env = os.environ.get("AIRISK_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "airisk"


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_file():
        yield folder
        return
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def code_version() -> str:
    """SHA-256 of the package's own files that shape the graph (modules, queries, import tables)."""
    h = hashlib.sha256()
    for path in _files(CODE_ROOT):
        if path.suffix in CODE_SUFFIXES:
            h.update(str(path.relative_to(CODE_ROOT)).encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(folders: Iterable[Path], extra: Iterable[bytes] = ()) -> str:
    """The key of a build that reads ``folders`` (every file, by name and bytes) and ``extra``."""
    h = hashlib.sha256(f"airisk-store-cache {FORMAT}\0{code_version()}\0".encode())
    for folder in folders:
        h.update(b"folder\0")
        for path in _files(folder):
            h.update(str(path.relative_to(folder) if path != folder else path.name).encode() + b"\0")
            try:
                data = path.read_bytes()
            except FileNotFoundError:  # removed meanwhile (an import replaced): a key of its own
                data = b"\0gone"
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
    for blob in extra:
        h.update(b"extra\0" + len(blob).to_bytes(8, "big") + blob)
    return h.hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_entry(root: Path, key: str) -> tuple[ox.Store, CacheEntry] | None:
    """The cached store of ``key``, or None when there is none or it is damaged (then it is removed)."""
    folder = root / key
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("key") != key:
            raise ValueError("not an entry of this version")
        path = folder / STORE_FILE
        if path.stat().st_size != meta["size"] or _sha256_file(path) != meta["sha256"]:
            raise ValueError("checksum mismatch")
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        entry = CacheEntry(dict(meta["prefixes"]), {str(k): int(v) for k, v in meta["graphs"].items()})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, SyntaxError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    os.utime(folder)  # most recently used
    return store, entry


def write_entry(root: Path, key: str, store: ox.Store, entry: CacheEntry) -> None:
    """Write the entry of ``key`` atomically (temporary folder, fsync, rename); keep the newest few."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        path = tmp / STORE_FILE
        store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
        meta = {
            "format": FORMAT,
            "key": key,
            "size": path.stat().st_size,
            "sha256": _sha256_file(path),
            "prefixes": entry.prefixes,
            "graphs": entry.graphs,
        }
        (tmp / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        for name in (STORE_FILE, META_FILE):
            with (tmp / name).open("rb") as f:
                os.fsync(f.fileno())
        try:
            os.rename(tmp, root / key)
        except OSError:  # another process renamed its entry first: keep that one
            shutil.rmtree(tmp, ignore_errors=True)
            return
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(root)


def _prune(root: Path) -> None:
    entries = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
        with contextlib.suppress(OSError):
            (root / f"{old.name}.lock").unlink()


@contextlib.contextmanager
def _locked(root: Path, key: str) -> Iterator[None]:
    with (root / f"{key}.lock").open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def cached_store(
    key: str, build: Callable[[], tuple[ox.Store, CacheEntry]], root: Path | None = None
) -> tuple[ox.Store, CacheEntry, bool]:
    """The store of ``key`` from the cache, else ``build()`` it and cache it; True when it was a hit."""
    root = root if root is not None else cache_root()
    if root is None:
        return (*build(), False)
    found = read_entry(root, key)
    if found is not None:
        return (*found, True)
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = _locked(root, key)
        lock.__enter__()
    except OSError:  # cannot write the cache folder: build without it
        return (*build(), False)
    try:
        found = read_entry(root, key)  # built by another process while this one waited
        if found is not None:
            return (*found, True)
        store, entry = build()
        with contextlib.suppress(OSError):
            write_entry(root, key, store, entry)
        return store, entry, False
    finally:
        lock.__exit__(None, None, None)
