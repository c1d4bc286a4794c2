"""Where the shipped ontology, data and queries are, installed or in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

#: The project's version (one place; pyproject.toml and the package read it from here).
VERSION = "0.1.0"

_PKG = Path(__file__).resolve().parent.parent


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


def default_workspace() -> Path:
    """The import workspace: ``$AIRISK_WORKSPACE``, else ``~/.local/share/airisk``."""
    env = os.environ.get("AIRISK_WORKSPACE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "airisk"
