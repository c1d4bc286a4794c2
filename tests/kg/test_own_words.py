"""Descriptions are written in our own words: no run of 10 words pasted from third-party texts.

Compares every description, link note and mapping justification in the curated data with the
texts of the third-party files users already have (MITRE ATLAS, Inspect evals metadata, the MIT
AI Risk Repository workbook).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from graph.core.load import link_items, load_dataset
from graph.core.resources import data_dir

EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external"
N = 10
pytestmark = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/external is absent")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + N]) for i in range(len(w) - N + 1)}


def third_party_texts() -> list[str]:
    texts: list[str] = []
    atlas = yaml.safe_load((EXTERNAL / "mitre-atlas" / "ATLAS.yaml").read_text())
    for matrix in atlas.get("matrices", []):
        for key in ("tactics", "techniques", "mitigations"):
            texts.extend(str(item.get("description", "")) for item in matrix.get(key, []))
    texts.extend(str(cs.get("summary", "")) for cs in atlas.get("case-studies", []))
    for f in (EXTERNAL / "inspect-evals").glob("*/eval.yaml"):
        doc = yaml.safe_load(f.read_text()) or {}
        texts.append(str(doc.get("description", "")))
    import openpyxl

    (book,) = (EXTERNAL / "mit-ai-risk-repository").glob("*.xlsx")
    wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            texts.extend(str(c) for c in row if isinstance(c, str) and len(c) > 60)
    return texts


def our_texts() -> list[tuple[str, str]]:
    ds = load_dataset(data_dir())
    out: list[tuple[str, str]] = []
    for recs in ds.records.values():
        for rec in recs.values():
            if rec.data.get("description"):
                out.append((str(rec.loc("description")), rec.data["description"]))
            for _, link in link_items(rec):
                out.append((str(link.loc("note", rec.id)), str(link.get("note", ""))))
    for tax in ds.taxonomies.values():
        for c in tax.concepts.values():
            if c.data.get("description"):
                out.append((str(c.loc("description")), c.data["description"]))
    out.extend((str(m.loc("comment")), m.comment) for m in ds.mappings)
    return out


def test_no_pasted_descriptions() -> None:
    theirs: set[tuple[str, ...]] = set()
    for t in third_party_texts():
        theirs |= shingles(t)
    pasted = [
        (where, " ".join(next(iter(shingles(text) & theirs)))) for where, text in our_texts() if shingles(text) & theirs
    ]
    assert not pasted, "\n".join(f"{w}: '{s}...'" for w, s in pasted[:20])


def test_the_detector_finds_a_paste() -> None:
    texts = third_party_texts()
    sample = next(t for t in texts if len(words(t)) > 30)
    theirs = set().union(*(shingles(t) for t in texts[:50]))
    pasted = "In our words, " + " ".join(words(sample)[5:20]) + " and more."
    assert shingles(pasted) & (theirs | shingles(sample))
