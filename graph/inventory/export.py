"""Write inventories back out: CSV and XLSX that import to the same inventory (formula-safe, atomic)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from graph.inventory.model import COLUMN_ALIASES, Inventory, InventoryEntry, normalise_column
from graph.inventory.tables import write_csv, write_xlsx


def entry_cells(entry: InventoryEntry, columns: list[str]) -> list[str]:
    """The cells of an entry in column order (the cells as read, else its fields)."""
    if entry.cells:
        return [entry.cells.get(c, "") for c in columns]
    fields = {
        "test_method": entry.test_method, "status": entry.status or "", "date": entry.date or "",
        "notes": entry.notes or "", "risks": "; ".join(entry.risks), "capabilities": "; ".join(entry.capabilities),
        "method_type": entry.method_type or "" if entry.custom else "", "custom": "yes" if entry.custom else "",
    }  # fmt: skip
    return [fields.get(COLUMN_ALIASES.get(normalise_column(c), ""), "") for c in columns]


def inventory_rows(inv: Inventory) -> list[list[str]]:
    """Title rows, header and entries, as written by the exports."""
    width = len(inv.columns)
    rows = [list(r) + [""] * (width - len(r)) if len(r) < width else list(r) for r in inv.preamble]
    rows.append(list(inv.columns))
    rows.extend(entry_cells(e, inv.columns) for e in inv.entries)
    return rows


def inventory_to_csv(inv: Inventory) -> str:
    """The inventory as CSV text (formula-safe; importing it gives the same inventory)."""
    return write_csv(inventory_rows(inv))


def inventory_to_xlsx_bytes(inv: Inventory) -> bytes:
    """The inventory as an XLSX workbook (formula-safe; importing it gives the same inventory)."""
    return write_xlsx([(inv.sheet or "inventory", [list(r) for r in inventory_rows(inv)])])


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's pid in the name lets the next opening of the workspace tell a stale file.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def export_inventory(inv: Inventory, path: str | Path) -> Path:
    """Write the inventory to ``path`` (.csv, UTF-8 with BOM for Excel, or .xlsx) atomically."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        atomic_write(p, inventory_to_xlsx_bytes(inv))
    else:
        atomic_write(p, inventory_to_csv(inv).encode("utf-8-sig"))
    return p
