"""Coverage analysis: which risks does nobody test for, and which tests would close the gap?

The public API (the app and the CLI call only these; see ``docs/coverage.md``):

- :func:`gather` runs the SPARQL queries once and returns :class:`CoverageData`; every function
  below takes either a ``KnowledgeGraph`` or that ``CoverageData`` as ``source``.
- :func:`compute_coverage` -> :class:`CoverageReport` (``.risks``: :class:`RiskCoverage` with
  :class:`Evidence`; ``.summary()``, ``.top_gaps(n)``, ``.matrix(level)``, ``.to_frame()``,
  ``.evidence_frame()``, ``.to_json()``).
- Inventories: :func:`load_inventory`, :func:`read_inventory_bytes`, :func:`inventory_from_tests`,
  :func:`export_inventory`, :func:`inventory_to_csv`, :func:`inventory_to_xlsx_bytes`,
  :func:`save_inventory`, :func:`import_inventory`, :func:`list_saved_inventories`,
  :func:`open_saved_inventory`, :func:`delete_saved_inventory`, :func:`load_costs`.
- :func:`plan` -> :class:`Plan`; :func:`what_if` -> :class:`WhatIf`.
- :func:`compare` -> :class:`Comparison`.
- :func:`report_to_xlsx_bytes`, :func:`comparison_to_xlsx_bytes`.
"""

from __future__ import annotations

from .compare import CATEGORIES, CompareRow, Comparison, compare
from .coverage_data import NOT_APPLICABLE_SCHEMES, CoverageData, gather
from .coverage_export import comparison_to_xlsx_bytes, report_to_xlsx_bytes
from .coverage_report import CoverageReport, RiskChange, WhatIf, compute_coverage
from .coverage_rules import (
    DEFAULT_WEIGHT,
    INTERACTIVE_TYPES,
    SEVERITY_LABELS,
    STATUS_NOT_APPLICABLE,
    STATUS_NOT_ASSESSED,
    STATUS_STRONG,
    STATUS_WEAK,
    STATUSES,
)
from .coverage_types import RUBRIC, CoverageSummary, Evidence, RiskCoverage
from .inventory import (
    ImportIssue,
    ImportReport,
    export_inventory,
    inventory_from_tests,
    inventory_to_csv,
    inventory_to_xlsx_bytes,
    load_inventory,
    read_inventory_bytes,
)
from .inventory_model import ENTRY_STATUSES, Inventory, InventoryEntry
from .inventory_store import (
    delete_saved_inventory,
    import_inventory,
    list_saved_inventories,
    load_costs,
    open_saved_inventory,
    save_inventory,
)
from .plan import Plan, PlanStep, plan, what_if

__all__ = [
    "CATEGORIES", "DEFAULT_WEIGHT", "ENTRY_STATUSES", "INTERACTIVE_TYPES", "NOT_APPLICABLE_SCHEMES", "RUBRIC",
    "SEVERITY_LABELS", "STATUSES", "STATUS_NOT_APPLICABLE", "STATUS_NOT_ASSESSED", "STATUS_STRONG", "STATUS_WEAK",
    "CompareRow", "Comparison", "CoverageData", "CoverageReport", "CoverageSummary", "Evidence", "ImportIssue",
    "ImportReport", "Inventory", "InventoryEntry", "Plan", "PlanStep", "RiskChange", "RiskCoverage", "WhatIf",
    "compare", "comparison_to_xlsx_bytes", "compute_coverage", "delete_saved_inventory", "export_inventory",
    "gather", "import_inventory", "inventory_from_tests", "inventory_to_csv", "inventory_to_xlsx_bytes",
    "list_saved_inventories", "load_costs", "load_inventory", "open_saved_inventory", "plan",
    "read_inventory_bytes", "report_to_xlsx_bytes", "save_inventory", "what_if",
]  # fmt: skip
