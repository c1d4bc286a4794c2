"""Presentation rules of the app that need no browser: Compare's colours and rounded downloads."""

from __future__ import annotations

import io

import pandas as pd

from app_pages import common
from app_pages import coverage_common as cc
from graph.coverage.cells import CELL_CATEGORIES


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _distance(a: str, b: str) -> float:
    return sum((x - y) ** 2 for x, y in zip(_rgb(a), _rgb(b), strict=True)) ** 0.5


def _grey(c: str) -> bool:
    r, g, b = _rgb(c)
    return max(r, g, b) - min(r, g, b) < 16


def test_compare_colours_are_distinct_and_both_is_not_grey() -> None:
    colours = cc.COMPARE_COLOURS
    assert set(colours) == set(CELL_CATEGORIES)
    pairs = [(a, b) for a in colours for b in colours if a < b]
    assert all(_distance(colours[a], colours[b]) > 60 for a, b in pairs), pairs
    assert not _grey(colours["both"]) and _grey(colours["not testable"])


def test_downloads_round_numbers_and_name_columns_for_people() -> None:
    frame = pd.DataFrame({"id": ["mit:4.2"], "strength": [2 / 3], "status_before": ["weak"]})
    text = common.csv_bytes(frame).decode("utf-8")
    table = pd.read_csv(io.StringIO(text))
    assert list(table.columns) == ["id", "score", "status before"]
    assert "0.6666" not in text and table.loc[0, "score"] == 0.67
