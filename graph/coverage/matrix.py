"""The coverage matrix: risk x method type (or method family), with cell states in their own words.

A cell says whether the counted test methods of that kind reach the risk: **tested directly**
(a method of this kind assesses it), **only indirectly** (through an evidence capability or a
mapping), **not by this kind of method**, or **not testable** (the risk is not testable by model
evaluation). These are not the risk's status words: a risk can be "assessed: strong" with most of
its cells "not by this kind of method". The headline figures of a matrix come from its own cells
(:func:`matrix_headline`), so they always agree with what the cells show.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from graph.coverage.rules import DIRECT, STATUS_NOT_TESTABLE, Model

if TYPE_CHECKING:
    import pandas as pd

    from graph.coverage.types import RiskCoverage

CELL_DIRECT = "tested directly"
CELL_INDIRECT = "only indirectly"
CELL_NONE = "not by this kind of method"
CELL_NOT_TESTABLE = "not testable"
CELL_STATES = (CELL_DIRECT, CELL_INDIRECT, CELL_NONE, CELL_NOT_TESTABLE)

#: Method families: the 18 method types grouped so that every column label fits at 1280 px.
METHOD_FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "knowledge": ("Knowledge & Q&A benchmarks", ("static-mcq", "static-open-qa", "truthfulness-factuality")),
    "prompt-sets": (
        "Safety prompt sets",
        ("safety-prompt-benchmark", "over-refusal", "bias-benchmark", "toxicity-benchmark"),
    ),
    "agentic": ("Agentic & cyber tasks", ("agentic-task-suite", "ctf-suite")),
    "adversarial": (
        "Adversarial testing",
        ("prompt-injection-env", "jailbreak-robustness", "automated-red-teaming", "expert-red-teaming"),
    ),
    "behaviour": ("Behaviour scenarios", ("propensity-scenario", "multi-agent-persuasion")),
    "human": ("Human studies", ("human-uplift-study", "human-subject-experiment")),
    "measurement": ("Resource measurement", ("energy-measurement",)),
}
OTHER_FAMILY = ("other", "Other and custom methods")


def family_of(method_type: str) -> str:
    """The family id of a method type (``"other"`` for types outside the vocabulary, custom tests)."""
    for fid, (_, types) in METHOD_FAMILIES.items():
        if method_type in types:
            return fid
    return OTHER_FAMILY[0]


def family_labels() -> dict[str, str]:
    """Family id -> label, in column order."""
    return {**{fid: label for fid, (label, _) in METHOD_FAMILIES.items()}, OTHER_FAMILY[0]: OTHER_FAMILY[1]}


def natural(text: str) -> tuple[tuple[int, object], ...]:
    """Sort key for codes: 1.2 < 1.10, LLM02 < LLM10."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)


def tree_key(r: RiskCoverage) -> tuple[str, tuple[tuple[int, object], ...]]:
    return (r.taxonomy, natural(r.code))


def type_cells(model: Model, keys: frozenset[str], aggregate: bool) -> dict[int, dict[str, tuple[int, set[str]]]]:
    """Per risk: method type -> (best level, test methods), optionally merged up the hierarchy."""
    cells: dict[int, dict[str, tuple[int, set[str]]]] = {}
    for key in keys:
        item = model.items.get(key)
        if item is None:
            continue
        for risk, level in item.levels.items():
            cell = cells.setdefault(risk, {})
            best, tests = cell.get(item.type_key, (level, set()))
            tests.add(key)
            cell[item.type_key] = (min(best, level), tests)
    if aggregate:
        for i in model.topo:
            own = cells.get(i)
            if not own:
                continue
            for p in model.parents[i]:
                target = cells.setdefault(p, {})
                for t, (lvl, tests) in own.items():
                    best, have = target.get(t, (lvl, set()))
                    target[t] = (min(best, lvl), have | tests)
    return cells


def report_matrix(
    report: Any,
    level: int | None = None,
    values: str = "state",
    aggregate: bool = True,
    by: str = "type",
    sort: str = "tree",
) -> pd.DataFrame:
    """Risk x method type (``by="type"``) or x method family (``by="family"``) of a ``CoverageReport``.

    ``values="state"``: the cell words of :data:`CELL_STATES`; ``"count"``: the number of test
    methods. ``sort="tree"`` keeps taxonomy order, ``sort="gap"`` puts the largest gaps first.
    A cluster of a deduplicated lens is one row holding the evidence of all its members.
    """
    import pandas as pd  # imported here: `airisk gaps` builds no data frame

    if values not in ("state", "count"):
        raise ValueError("values must be 'state' or 'count'")
    if by not in ("type", "family"):
        raise ValueError("by must be 'type' or 'family'")
    if sort not in ("tree", "gap"):
        raise ValueError("sort must be 'tree' or 'gap'")
    model = report._model
    rows = [r for r in report.risks if level is None or r.depth <= level]
    rows = sorted(rows, key=tree_key) if sort == "tree" else sorted(rows, key=lambda r: r.rank)
    columns = list(report.method_types) if by == "type" else list(family_labels())
    if model is None:
        return pd.DataFrame(index=[r.id for r in rows], columns=columns)
    cells = type_cells(model, report._keys, aggregate)
    merged: list[dict[str, tuple[int, set[str]]]] = []
    for r in rows:
        row: dict[str, tuple[int, set[str]]] = {}
        for iri in (r.iri, *r.member_iris):
            for t, (lvl, tests) in cells.get(model.index[iri], {}).items():
                col = t if by == "type" else family_of(t)
                best, have = row.get(col, (lvl, set()))
                row[col] = (min(best, lvl), have | tests)
        merged.append(row)
    if by == "type":
        columns += sorted({t for row in merged for t in row} - set(columns))
    elif not any(OTHER_FAMILY[0] in row for row in merged):
        columns.remove(OTHER_FAMILY[0])
    table: list[list[Any]] = []
    for r, row in zip(rows, merged, strict=True):
        if values == "count":
            table.append([len(row[c][1]) if c in row else 0 for c in columns])
        elif r.status == STATUS_NOT_TESTABLE:
            table.append([CELL_NOT_TESTABLE] * len(columns))
        else:
            table.append(
                [(CELL_DIRECT if row[c][0] == DIRECT else CELL_INDIRECT) if c in row else CELL_NONE for c in columns]
            )
    frame = pd.DataFrame(table, index=[r.id for r in rows], columns=columns)
    frame.index.name = "risk"
    return frame


def matrix_headline(states: pd.DataFrame) -> dict[str, int]:
    """Counts of rows by their best cell: the headline that agrees with a state matrix.

    Keys: ``rows``, ``tested directly`` (at least one cell tested directly), ``only indirectly``
    (no direct cell, at least one indirect), ``not by any kind of method`` (every cell "not by
    this kind of method"), ``not testable``.
    """
    out = {"rows": len(states), CELL_DIRECT: 0, CELL_INDIRECT: 0, "not by any kind of method": 0, CELL_NOT_TESTABLE: 0}
    for _, row in states.iterrows():
        cells = set(row.tolist())
        if CELL_NOT_TESTABLE in cells:
            out[CELL_NOT_TESTABLE] += 1
        elif CELL_DIRECT in cells:
            out[CELL_DIRECT] += 1
        elif CELL_INDIRECT in cells:
            out[CELL_INDIRECT] += 1
        else:
            out["not by any kind of method"] += 1
    return out
