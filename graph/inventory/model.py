"""Inventories: "what we actually run". The data classes (reading and writing: :mod:`graph.inventory.match`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from graph.core.namespaces import ID

#: Entry statuses, and the spellings read as each.
ENTRY_STATUSES = ("planned", "running", "done")
STATUS_SYNONYMS = {
    "planned": "planned",
    "plan": "planned",
    "planning": "planned",
    "proposed": "planned",
    "running": "running",
    "in progress": "running",
    "in-progress": "running",
    "ongoing": "running",
    "active": "running",
    "done": "done",
    "complete": "done",
    "completed": "done",
    "finished": "done",
}

#: Column names (normalised: lower case, ``_`` for spaces and ``-``) and the field each fills.
COLUMN_ALIASES = {
    "test_method": "test_method",
    "testmethod": "test_method",
    "status": "status",
    "date": "date",
    "notes": "notes",
    "note": "notes",
    "comment": "notes",
    "comments": "notes",
    "risks": "risks",
    "risk": "risks",
    "target_risks": "risks",
    "capabilities": "capabilities",
    "capability": "capabilities",
    "method_type": "method_type",
    "custom": "custom",
}


def normalise_column(name: str) -> str:
    """``"Test Method "`` -> ``"test_method"``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def slug(text: str) -> str:
    """A lowercase slug for IRIs and file names."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "inventory"


@dataclass
class InventoryEntry:
    """One row of an inventory: a catalogue test method, or a custom test with its targets."""

    test_method: str  # as written in the file
    row: int = 0  # row number in the file (1 = first row), 0 when built in code
    test_iri: str | None = None  # the matched catalogue test method
    test_id: str | None = None
    name: str = ""  # the test's label (catalogue) or the name given (custom)
    status: str | None = None  # planned | running | done
    date: str | None = None
    notes: str | None = None
    custom: bool = False
    method_type: str | None = None
    risks: tuple[str, ...] = ()  # risk CURIEs (custom tests)
    capabilities: tuple[str, ...] = ()  # capability ids (custom tests)
    matched_by: str = ""  # id | iri | curie | name | alias | loose | custom | report
    reports: tuple[str, ...] = ()  # practice: the evaluation reports (ids) that ran this method
    cells: dict[str, str] = field(default_factory=dict)  # every cell as read, by column header

    def custom_iri(self, inventory: str) -> str:
        """The IRI minted for a custom test of inventory ``inventory``."""
        return f"{ID}inventory/{slug(inventory)}/test/{slug(self.name or self.test_method)}"

    @property
    def key(self) -> str:
        """What identifies the test method of this entry (for duplicates)."""
        return self.test_iri or f"custom:{(self.name or self.test_method).casefold()}"


@dataclass
class Inventory:
    """A named set of test methods an organisation runs or plans."""

    name: str
    entries: list[InventoryEntry] = field(default_factory=list)
    columns: list[str] = field(default_factory=lambda: ["test_method", "status", "date", "notes"])
    preamble: list[list[str]] = field(default_factory=list)  # title rows above the header
    source: str | None = None
    sheet: str | None = None

    @property
    def test_ids(self) -> list[str]:
        """The catalogue test-method ids, in file order, without repeats."""
        seen: list[str] = []
        for e in self.entries:
            if e.test_id and e.test_id not in seen:
                seen.append(e.test_id)
        return seen

    def with_entries(self, extra: list[InventoryEntry], name: str | None = None) -> Inventory:
        """A copy with more entries (columns extended as needed)."""
        columns = list(self.columns)
        for e in extra:
            for col in e.cells:
                if col not in columns:
                    columns.append(col)
        return replace(self, name=name or self.name, entries=[*self.entries, *extra], columns=columns)

    def union(self, other: Inventory, name: str | None = None) -> Inventory:
        """Both inventories' entries (for "the union's coverage")."""
        return self.with_entries(list(other.entries), name or f"{self.name} + {other.name}")
