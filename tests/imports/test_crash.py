"""Killed mid-write, many times, and raced by other writers and readers: never a mixture of states."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from graph.importers.common import ImportResult, SourceInfo
from graph.importers.workspace import GRAPHS, MANIFEST, list_imports, read_imports, save_import

from .conftest import CURATED, FIXTURES, snapshot

ROUNDS = 25
MAX_ROUNDS = 150
AIRISK = Path(sys.executable).with_name("airisk")


def payload(tag: str, lines: int = 20_000) -> bytes:
    """Distinct N-Triples of about 2 MB, so that a write takes long enough to be cut."""
    body = "".join(
        f'<https://example.org/{tag}/{i}> <https://example.org/p> "{tag} value {i} {"x" * 40}" .\n'
        for i in range(lines)
    )
    return body.encode()


def result(name: str, data: bytes) -> ImportResult:
    return ImportResult(
        "atlas", name, data, {"lines": data.count(b"\n")}, SourceInfo("t", "p", "1", "MIT", "", None, "f")
    )


def _fork() -> multiprocessing.context.BaseContext:
    warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
    return multiprocessing.get_context("fork")


def _writer(ws: str, name: str, payloads: list[bytes], ready: int, times: int = 0) -> None:
    os.write(ready, b"r")
    i = 0
    while times == 0 or i < times:
        save_import(Path(ws), result(name, payloads[i % len(payloads)]))
        i += 1


def state(ws: Path) -> dict[str, str]:
    """The logical state: import name -> SHA-256 of its data (read_imports verifies every file)."""
    return {info.name: hashlib.sha256(data).hexdigest() for info, data in read_imports(ws)}


def test_killed_mid_write_leaves_old_or_new_state(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    a, b = payload("a"), payload("b")
    keep = payload("keep", 500)
    save_import(ws, result("keep", keep))
    allowed = {hashlib.sha256(a).hexdigest(), hashlib.sha256(b).hexdigest()}
    keep_sha = hashlib.sha256(keep).hexdigest()
    ctx = _fork()
    rng = random.Random(1234)
    # Kill within the time of a few writes on this machine now (a loaded machine writes slower).
    probe = tmp_path / "probe"
    started = time.perf_counter()
    save_import(probe, result("x", a))
    window = max(0.12, 3 * (time.perf_counter() - started))
    seen: set[str] = set()
    cut_writes = 0
    rounds = 0
    while rounds < ROUNDS or (rounds < MAX_ROUNDS and (seen != allowed or not cut_writes)):
        rounds += 1
        r, w = os.pipe()
        proc = ctx.Process(target=_writer, args=(str(ws), "x", [a, b], w))  # type: ignore[attr-defined]
        proc.start()
        os.read(r, 1)
        os.close(r)
        os.close(w)
        time.sleep(rng.uniform(0, window))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        leftovers = [p for p in (ws / GRAPHS).iterdir() if p.name not in {i.file for i in list_imports(ws)}]
        cut_writes += bool(leftovers) or any(p.name.startswith(".tmp-") for p in ws.iterdir())
        now = state(ws)  # raises if a manifest names a missing or partial file
        assert now["keep"] == keep_sha  # an import nobody was writing is never touched
        if "x" in now:
            assert now["x"] in allowed  # the old state or the new one, never a mixture
            seen.add(now["x"])
    assert seen == allowed  # the kills landed in both states, so the test did exercise the writes
    assert cut_writes >= 1, "no kill landed in the middle of a write"
    print(f"{rounds} kills, {cut_writes} in the middle of a write")
    # stray temporary files of killed writers are garbage that the next write clears
    save_import(ws, result("x", a))
    names = {p.name for p in (ws / GRAPHS).iterdir()}
    assert names == {i.file for i in list_imports(ws)}
    assert not [p for p in ws.iterdir() if p.name.startswith(".tmp-")]


def _reader(
    ws: str, allowed: dict[str, set[str]], stop: multiprocessing.synchronize.Event, errors: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    reads = 0
    try:
        while not stop.is_set() or reads < 3:
            for info, data in read_imports(Path(ws)):
                digest = hashlib.sha256(data).hexdigest()
                if digest not in allowed[info.name]:
                    errors.put(f"{info.name}: unexpected content")
            reads += 1
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")
    errors.put(f"reads {reads}")


def test_concurrent_imports_and_readers(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ctx = _fork()
    names = ["one", "two", "three"]
    payloads = {n: [payload(f"{n}-{k}", 3000) for k in range(2)] for n in names}
    allowed = {n: {hashlib.sha256(p).hexdigest() for p in ps} for n, ps in payloads.items()}
    stop = ctx.Event()  # type: ignore[attr-defined]
    errors = ctx.Queue()  # type: ignore[attr-defined]
    readers = [ctx.Process(target=_reader, args=(str(ws), allowed, stop, errors)) for _ in range(2)]  # type: ignore[attr-defined]
    for p in readers:
        p.start()
    writers = []
    for n in names:
        r, w = os.pipe()
        p = ctx.Process(target=_writer, args=(str(ws), n, payloads[n], w, 8))  # type: ignore[attr-defined]
        p.start()
        writers.append((p, r, w))
    for p, r, w in writers:
        p.join(60)
        os.close(r)
        os.close(w)
        assert p.exitcode == 0
    stop.set()
    for p in readers:
        p.join(60)
    messages = [errors.get(timeout=10) for _ in readers]
    assert all(m.startswith("reads ") for m in messages), messages
    assert sorted(i.name for i in list_imports(ws)) == sorted(names)
    final = state(ws)
    assert all(final[n] in allowed[n] for n in names)


@pytest.mark.slow
def test_cli_import_killed_at_random_points(tmp_path: Path) -> None:
    """The real command, killed while it reads, checks or writes: the workspace stays whole."""
    ws = tmp_path / "ws"
    env = {**os.environ, "AIRISK_WORKSPACE": str(ws)}
    atlas = FIXTURES / "atlas-small.yaml"
    first = subprocess.run(
        [str(AIRISK), "--data", str(CURATED), "import", "atlas", str(atlas)], env=env, capture_output=True, timeout=120
    )
    assert first.returncode == 0
    before = state(ws)
    from .test_workspace import big_atlas

    big = big_atlas(tmp_path / "big.yaml", 3000)
    rng = random.Random(99)
    outcomes = set()
    for _ in range(3):
        proc = subprocess.Popen(
            [str(AIRISK), "--data", str(CURATED), "import", "atlas", str(big)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 3.0))
        proc.kill()
        proc.wait()
        now = state(ws)
        assert set(now) == {"atlas"}
        outcomes.add("old" if now == before else "new")
        if now != before:
            assert list_imports(ws)[0].counts["techniques"] == 3000
    assert outcomes <= {"old", "new"}
    assert (ws / MANIFEST).is_file() and snapshot(ws)
