"""Small workbooks in the shape of the MIT AI Risk Repository's, written with openpyxl for the tests."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl

HEADER = [
    "Title",
    "QuickRef",
    "Ev_ID",
    "Paper_ID",
    "Cat_ID",
    "SubCat_ID",
    "AddEv_ID",
    "Category level",
    "Risk category",
    "Risk subcategory",
    "Description",
    "Additional ev.",
    "P.Def",
    "p.AddEv",
    "Entity",
    "Intent",
    "Timing",
    "Domain",
    "Sub-domain",
]
PAPER = "A Fixture Taxonomy of Risks"


def sample_row(domain: str = "4. Malicious Actors & Misuse", subdomain: str = "4.2 > Cyberattacks") -> list[Any]:
    """One coded risk entry, in HEADER order (a fresh list each call)."""
    return [
        "T", "Q", "02.01.00", 2, None, None, None, "Risk Category", "Cat", None, "D", None, None, None,
        "1 - Human", "1 - Intentional", "1 - Pre-deployment", domain, subdomain,
    ]  # fmt: skip


def row(
    ev: Any,
    level: str,
    category: str | None = None,
    sub: str | None = None,
    desc: str | None = None,
    entity: Any = None,
    intent: Any = None,
    timing: Any = None,
    domain: Any = None,
    subdomain: Any = None,
    paper: int | None = 1,
) -> list[Any]:
    return [
        PAPER,
        "Fixture2024",
        ev,
        paper,
        None,
        None,
        None,
        level,
        category,
        sub,
        desc,
        None,
        None,
        None,
        entity,
        intent,
        timing,
        domain,
        subdomain,
    ]


ROWS: list[list[Any]] = [
    row("01.00.00", "Paper"),
    row(
        "01.01.00",
        "Risk Category",
        "Harm from bias",
        None,
        "Models treat groups unfairly.",
        "2 - AI",
        "2 - Unintentional",
        "2 - Post-deployment",
        "1. Discrimination & Toxicity",
        "1.1 > Unfair discrimination",
    ),
    row(
        "01.01.01",
        "Risk Sub-Category",
        "Harm from bias",
        "Biased hiring <script>x</script>",
        "Screening is unfair.",
        1,
        "Intentional",
        "3 - Other",
        "1. Discrimination & Toxicity",
        "1.0 > Discrimination & Toxicity",
    ),
    row("01.01.01.a", "Additional evidence", "Harm from bias", None, None, None, None, None, None, None),
    row(
        "01.02.00",
        "Risk Category",
        "Odd codes",
        None,
        "Codes that cannot be read.",
        "9 - Martian",
        "4 - Not coded",
        "2 - AI",
        "X. Unknown",
        "X.1 > Excluded",
    ),
]


def workbook_bytes(
    rows: list[list[Any]] | None = None,
    formula_row: bool = True,
    title_rows: int = 2,
    sheet: str = "AI Risk Database v3",
    extra: dict[str, Any] | None = None,
) -> bytes:
    wb = openpyxl.Workbook()
    contents = wb.active
    contents.title = "Contents"
    contents.append(["The AI Risk Repository (fixture)"])
    contents.append(["Updated: 26 March 2025"])
    contents.append(["This work is licensed under CC BY 4.0"])
    contents.append(["Cite as: Fixture et al. (2025). A fixture workbook."])
    ws = wb.create_sheet(sheet)
    for i in range(title_rows):
        ws.append([f"title row {i + 1}"] + [None] * 5 + ["This work is licensed under CC BY 4.0"])
    ws.append(HEADER)
    for r in rows if rows is not None else ROWS:
        ws.append(r)
    if formula_row:  # Ev_ID as a formula that was never computed (openpyxl writes no cached value)
        r = row(
            None,
            "Risk Sub-Category",
            "Harm from bias",
            "Formula row",
            "Its Ev_ID is a formula.",
            "1 - Human",
            "1 - Intentional",
            "1 - Pre-deployment",
            "1. Discrimination & Toxicity",
            "1.2 > Toxic content",
        )
        ws.append(r)
        ws.cell(row=ws.max_row, column=3, value='=TEXT(D5,"00")&".01.02"')
    inc = wb.create_sheet("Included resources")
    inc.append([None, "Included resources"])
    inc.append(
        [None, "Included", "Paper_ID", "QuickRef", "Title", "Authors (full)", "Authors (short)", "Year", "DOI", "URL"]
    )
    inc.append(
        [
            None,
            "Yes",
            1,
            "Fixture2024",
            PAPER,
            "Doe J, Roe R",
            "Doe & Roe",
            2024,
            "10.1234/fixture",
            "https://example.org/fixture-paper",
        ]
    )
    for name, value in (extra or {}).items():
        wb.create_sheet(name).append([value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_workbook(path: Path, **kwargs: Any) -> Path:
    path.write_bytes(workbook_bytes(**kwargs))
    return path
