"""The catalogue is parsed once per file version: an edited, added or removed query file is seen at once."""

from __future__ import annotations

import os
from pathlib import Path

from graph.queries.catalogue import get_query, load_catalogue

QUERY = """# title: {title}
# description: A test query.
SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT 1
"""


def test_edits_are_seen_and_unchanged_files_are_shared(tmp_path: Path) -> None:
    (tmp_path / "one.rq").write_text(QUERY.format(title="First"))
    (tmp_path / "two.rq").write_text(QUERY.format(title="Two"))
    first = load_catalogue(tmp_path)
    assert first["one"].title == "First"
    again = load_catalogue(tmp_path)
    assert again["two"] is first["two"]  # not parsed again
    path = tmp_path / "one.rq"
    path.write_text(QUERY.format(title="Second version"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert get_query("one", tmp_path).title == "Second version"
    (tmp_path / "three.rq").write_text(QUERY.format(title="Three"))
    (tmp_path / "two.rq").unlink()
    assert sorted(load_catalogue(tmp_path)) == ["one", "three"]
