"""Bad version fields get one clear error naming the file, line, record and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.core.integrity import check_integrity
from graph.core.load import load_dataset

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "fixtures" / "versions"


def problems(tmp_path: Path, old: str, new: str, file: str = "taxonomies/mit2.yaml") -> list[str]:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    ds = load_dataset(data)
    found = [*ds.problems, *check_integrity(ds)]
    return [str(p) for p in found if p.severity == "error"]


def test_the_fixture_is_clean(tmp_path: Path) -> None:
    ds = load_dataset(DATA)
    assert not [p for p in [*ds.problems, *check_integrity(ds)] if p.severity == "error"]
    warnings = [str(p) for p in check_integrity(ds) if p.check == "version"]
    assert warnings == [
        "data/taxonomies/mit2.yaml:11:3, record 'mit2', field 'revises': "
        "mit:4 is neither carried over into mit2 (a 'previous' entry) nor 'removed'"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '{code: "1.2", change: moved',
            '{code: "1.9", change: moved',
            "mit2.yaml:37:10, record 'mit2:4.3', field 'code': previous code '1.9' is not a concept of mit",
        ),
        (
            "revises: mit",
            "revises: mitt",
            "mit2.yaml:11:3, record 'mit2', field 'revises': revises 'mitt', which is not a taxonomy of the data",
        ),
        ("revises: mit", "revises: mit2", "record 'mit2', field 'revises': a taxonomy cannot revise itself"),
        (
            "change: renamed",
            "change: renamd",
            "mit2.yaml:26:23, record 'mit2:1.1', field 'change': 'renamd' is not one of same, renamed, moved",
        ),
        ("note: New name for the same harm., ", "", "record 'mit2:1.1': missing required field 'note'"),
        ("  revises: mit\n", "", "'previous' and 'removed' need the taxonomy to say which version it revises"),
        (
            "concepts:\n",
            'removed:\n  - {code: "1.1", note: Gone., sources: [src-a]}\nconcepts:\n',
            "mit:1.1 is listed as removed but mit2:1.1 carries it over",
        ),
        ("concepts:\n", "removed: oops\nconcepts:\n", "'removed' must be a list"),
        ("concepts:\n", "remved: []\nconcepts:\n", "unknown top-level key 'remved'"),
    ],
)
def test_bad_version_fields(tmp_path: Path, old: str, new: str, expected: str) -> None:
    found = problems(tmp_path, old, new)
    assert any(expected in p for p in found), found


def test_a_revision_cycle_is_an_error(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        "  published_concept_count: 7\n",
        "  published_concept_count: 7\n  revises: mit2\n",
        "taxonomies/mit.yaml",
    )
    assert any("revision cycle: mit2 -> mit -> mit2" in p for p in found), found
