"""Saved inventories (``<workspace>/inventories/<name>.csv``, written atomically) and cost files."""

from __future__ import annotations

from pathlib import Path

from graph.core.errors import DataError, Location, NotFound, Problem
from graph.index.data import Source, as_data
from graph.inventory.columns import test_column
from graph.inventory.export import export_inventory
from graph.inventory.match import ImportReport, find_header, load_inventory, matcher_for
from graph.inventory.model import Inventory, normalise_column, slug
from graph.inventory.tables import read_table, unescape_cell


def inventories_dir(workspace: str | Path | None = None) -> Path:
    """Where saved inventories live: ``<workspace>/inventories``."""
    if workspace is None:
        from graph.core.resources import default_workspace

        workspace = default_workspace()
    return Path(workspace) / "inventories"


def save_inventory(inv: Inventory, workspace: str | Path | None = None) -> Path:
    """Keep ``inv`` as ``<workspace>/inventories/<slug of its name>.csv`` (replacing it atomically)."""
    return export_inventory(inv, inventories_dir(workspace) / f"{slug(inv.name)}.csv")


def import_inventory(
    path: str | Path, source: Source, name: str | None = None, workspace: str | Path | None = None, **kwargs: object
) -> tuple[Inventory, ImportReport, Path]:
    """Read an inventory file and save it; on any error raise and leave the saved inventories as they were."""
    inv, report = load_inventory(path, source, name=name, **kwargs)  # type: ignore[arg-type]
    return inv, report, save_inventory(inv, workspace)


def list_saved_inventories(workspace: str | Path | None = None) -> list[str]:
    """Names of the saved inventories."""
    folder = inventories_dir(workspace)
    return sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []


def open_saved_inventory(name: str, source: Source, workspace: str | Path | None = None) -> Inventory:
    """A saved inventory by name (raises NotFound with the saved names)."""
    path = inventories_dir(workspace) / f"{slug(name)}.csv"
    if not path.is_file():
        known = ", ".join(list_saved_inventories(workspace)) or "none"
        raise NotFound(f"no saved inventory {name!r} (saved: {known})")
    return load_inventory(path, source, name=name)[0]


def delete_saved_inventory(name: str, workspace: str | Path | None = None) -> None:
    """Remove a saved inventory."""
    path = inventories_dir(workspace) / f"{slug(name)}.csv"
    if not path.is_file():
        raise NotFound(f"no saved inventory {name!r}")
    path.unlink()


def load_costs(path: str | Path, source: Source, encoding: str | None = None) -> dict[str, float]:
    """Costs per test method from a CSV/XLSX with columns ``test_method`` and ``cost``."""
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"no such cost file: {p}")
    data = as_data(source)
    table = read_table(p.read_bytes(), p.name, None, encoding)
    pos, header = find_header(table)
    cols = [normalise_column(h) for h in header]
    if "cost" not in cols:
        raise DataError(Problem("no column headed 'cost'", Location(table.name, table.rows[pos][0])))
    ti, ci = test_column(header), cols.index("cost")
    assert ti is not None  # find_header found it
    m = matcher_for(data)
    out: dict[str, float] = {}
    problems: list[Problem] = []
    for row_no, cells in table.rows[pos + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        name = unescape_cell(cells[ti].strip()) if ti < len(cells) else ""
        raw = cells[ci].strip() if ci < len(cells) else ""
        iri, how, cands = m.match(name)
        if iri is None:
            hint = f"closest: {', '.join(cands)}" if cands else None
            problems.append(
                Problem(
                    f"{name!r} matches no test method" if how == "none" else f"{name!r} matches several test methods",
                    Location(table.name, row_no, ti + 1, name, "test_method"),
                    hint=hint,
                )
            )
            continue
        try:
            cost = float(raw.replace(",", "."))
            if not cost > 0:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(f"cost {raw!r} is not a positive number", Location(table.name, row_no, ci + 1, name, "cost"))
            )
            continue
        out[iri] = cost
    if problems:
        raise DataError(problems)
    return out
