"""The built store cached on disk: used when nothing changed, rebuilt when anything did, safe to share."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.importers.session import open_embedded
from graph.store import cache

ROOT = Path(__file__).resolve().parents[2]
CAP_LABELS = "SELECT ?label WHERE { ?c a ar:Capability ; rdfs:label ?label } ORDER BY ?label"


@pytest.fixture
def data(fixture_data: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(fixture_data, copy)
    return copy


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AIRISK_CACHE_DIR", str(folder))
    return folder


def opened(data: Path) -> tuple[list[str], list[str]]:
    """The capability labels of the graph, and the progress messages of opening it."""
    said: list[str] = []
    kg = open_embedded(data, progress=said.append)
    return [str(v) for v in kg.select(CAP_LABELS).values("label")], said


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def test_second_open_reads_the_cache_and_answers_the_same(data: Path, cache_dir: Path) -> None:
    first, said_first = opened(data)
    assert any("reading curated data" in m for m in said_first)
    second, said_second = opened(data)
    assert second == first == ["CBRN uplift", "Persuasion"]
    assert said_second == ["read the built graph from the cache"]
    assert len(entries(cache_dir)) == 1
    kg = open_embedded(data)
    assert kg.stats() == open_embedded(data, cache=False).stats()
    assert kg.prefixes == open_embedded(data, cache=False).prefixes


def test_a_changed_data_file_is_rebuilt_never_served_stale(data: Path, cache_dir: Path) -> None:
    opened(data)
    caps = data / "capabilities.yaml"
    caps.write_text(caps.read_text(encoding="utf-8").replace("name: Persuasion", "name: Mass persuasion"))
    labels, said = opened(data)
    assert labels == ["CBRN uplift", "Mass persuasion"]
    assert any("reading curated data" in m for m in said)
    (data / "extra.yaml").write_text("")  # a new file changes the key too
    assert cache.cache_key([data]) != cache.cache_key([data / "capabilities.yaml"])


def test_the_key_covers_data_ontology_imports_and_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x.ttl").write_text("one")
    (b / "y.yaml").write_text("two")
    key = cache.cache_key([a, b], [b"manifest 1"])
    assert cache.cache_key([a, b], [b"manifest 1"]) == key
    assert cache.cache_key([a, b], [b"manifest 2"]) != key  # an import added or replaced
    (a / "x.ttl").write_text("one!")  # the ontology (or data) edited
    assert cache.cache_key([a, b], [b"manifest 1"]) != key
    key = cache.cache_key([a, b], [b"manifest 1"])
    code = tmp_path / "code"
    code.mkdir()
    (code / "build.py").write_text("VERSION = 1\n")
    monkeypatch.setattr(cache, "CODE_ROOT", code)
    key1 = cache.cache_key([a, b], [b"manifest 1"])
    (code / "build.py").write_text("VERSION = 2\n")  # a new version of the code
    assert cache.cache_key([a, b], [b"manifest 1"]) not in (key, key1)


@pytest.mark.parametrize("damage", ["truncate", "flip", "meta", "empty"])
def test_a_damaged_entry_is_rebuilt(data: Path, cache_dir: Path, damage: str) -> None:
    labels, _ = opened(data)
    (entry,) = entries(cache_dir)
    store = entry / cache.STORE_FILE
    raw = store.read_bytes()
    if damage == "truncate":  # still valid N-Quads, but half the graph
        store.write_bytes(raw[: raw.rindex(b"\n", 0, len(raw) // 2) + 1])
    elif damage == "flip":
        store.write_bytes(raw.replace(b"Persuasion", b"Perzuasion"))
    elif damage == "meta":
        (entry / cache.META_FILE).write_text("{not json")
    else:
        store.write_bytes(b"")
    again, said = opened(data)
    assert again == labels
    assert any("reading curated data" in m for m in said)
    assert opened(data)[1] == ["read the built graph from the cache"]


def test_processes_racing_on_an_empty_cache_agree(data: Path, cache_dir: Path) -> None:
    env = {**os.environ, "AIRISK_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-m", "graph", "--data", str(data), "query", CAP_LABELS, "--format", "json"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [e.decode() for _, e in outs]
    assert len({o for o, _ in outs}) == 1 and b"Persuasion" in outs[0][0]
    assert len(entries(cache_dir)) == 1
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".build-")]


def test_a_waiting_builder_uses_the_entry_another_process_wrote(tmp_path: Path) -> None:
    import threading

    import pyoxigraph as ox

    root = tmp_path / "cache"
    root.mkdir()
    key = "k" * 64
    built: list[int] = []
    answer: list[tuple[int, bool]] = []

    def build() -> tuple[ox.Store, cache.CacheEntry]:
        built.append(1)
        return ox.Store(), cache.CacheEntry()

    def open_it() -> None:
        store, _entry, hit = cache.cached_store(key, build, root)
        answer.append((len(store), hit))

    other = ox.Store()
    other.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"), ox.NamedNode("urn:g")))
    with cache._locked(root, key):  # another builder holds the lock
        waiter = threading.Thread(target=open_it)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and not built  # it waits instead of building a second time
        cache.write_entry(root, key, other, cache.CacheEntry({"ex": "urn:"}))
    waiter.join(30)
    assert answer == [(1, True)] and not built


def test_without_a_writable_cache_the_graph_still_opens(data: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("AIRISK_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert opened(data)[0] == ["CBRN uplift", "Persuasion"]
    monkeypatch.setenv("AIRISK_CACHE_DIR", "off")
    assert cache.cache_root() is None
    assert opened(data)[0] == ["CBRN uplift", "Persuasion"]


def test_a_damaged_import_is_refused_even_when_the_cache_is_warm(tmp_path: Path, cache_dir: Path) -> None:
    from typer.testing import CliRunner

    from graph.cli.main import app
    from graph.importers.workspace import GRAPHS, list_imports

    fixtures = ROOT / "tests" / "fixtures" / "imports"
    ws = tmp_path / "workspace"
    env = {"AIRISK_WORKSPACE": str(ws), "AIRISK_CACHE_DIR": str(cache_dir)}
    data = ["--data", str(fixtures / "curated")]
    runner = CliRunner()
    assert runner.invoke(app, [*data, "import", "atlas", str(fixtures / "atlas-small.yaml")], env=env).exit_code == 0
    assert runner.invoke(app, [*data, "stats"], env=env).exit_code == 0  # the cache now holds the import
    (info,) = list_imports(ws)
    path = ws / GRAPHS / info.file
    path.write_bytes(path.read_bytes().replace(b"Fixture", b"Fixturf", 1))
    result = runner.invoke(app, [*data, "stats"], env=env)
    assert result.exit_code == 1
    assert "does not match its checksum" in result.stderr


# ------------------------------------------------------------------ the graph's key and derived values
def test_the_opened_graph_carries_its_key_and_the_key_follows_the_data(
    data: Path, cache_dir: Path, tmp_path: Path
) -> None:
    from graph.importers.session import graph_key

    ws = tmp_path / "workspace"
    kg = open_embedded(data, ws)
    assert kg.key == graph_key(None, data, ws) != ""
    again = open_embedded(data, ws)  # from the cache: the same key
    assert again.key == kg.key
    caps = data / "capabilities.yaml"
    caps.write_text(caps.read_text().replace("Persuasion", "Persuasion and influence"))
    assert graph_key(None, data, ws) != kg.key
    edited = open_embedded(data, ws)
    assert edited.key == graph_key(None, data, ws)
    assert "Persuasion and influence" in [str(v) for v in edited.select(CAP_LABELS).values("label")]
    # a remote store's key names the store, and still follows the local files read beside it
    remote = graph_key("http://127.0.0.1:9/query", data, ws)
    assert remote != edited.key and edited.key in remote


def test_a_derived_value_is_computed_once_per_graph(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    from graph.index.data import gather

    calls: list[int] = []

    def make() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive while it runs
        return gather(fixture_kg)

    found: list[object] = []
    threads = [threading.Thread(target=lambda: found.append(fixture_kg.memo("data", make))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(found) == 4 and all(f is found[0] for f in found)
    assert fixture_kg.memoized("data") and not fixture_kg.memoized("other")
    assert fixture_kg.memo("data", make) is found[0] and len(calls) == 1


def test_a_failed_derived_value_is_tried_again(fixture_kg) -> None:  # type: ignore[no-untyped-def]
    def broken() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        fixture_kg.memo("flaky", broken)
    assert not fixture_kg.memoized("flaky")
    assert fixture_kg.memo("flaky", lambda: 7) == 7
