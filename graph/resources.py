"""Where the shipped ontology, data and queries are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _first(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[-1]


def data_dir() -> Path:
    """The curated ``data/`` folder (inside the installed package, or the checkout's)."""
    return _first(_PKG / "_data", _PKG.parent / "data")


def ontology_dir() -> Path:
    """The ``ontology/`` folder (inside the installed package, or the checkout's)."""
    return _first(_PKG / "_ontology", _PKG.parent / "ontology")


def queries_dir() -> Path:
    """The SPARQL query catalogue (``graph/queries``)."""
    return _PKG / "queries"
