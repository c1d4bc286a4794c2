"""Helpers for tests that break a copy of a data folder and read the errors it gets."""

from __future__ import annotations

from pathlib import Path

from graph.core.integrity import check_integrity
from graph.core.load import load_dataset


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file with ``new`` (``old`` must be there)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems(data: Path) -> list[str]:
    """Every error of the data folder: reading, schema and integrity."""
    ds = load_dataset(data)
    return [str(p) for p in ds.errors + [p for p in check_integrity(ds) if p.severity == "error"]]


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the file that holds ``needle``."""
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)
