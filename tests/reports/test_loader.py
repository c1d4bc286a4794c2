"""Bad report, model and event data gets one clear error naming file, line, column, record and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from data_edits import edit, line_of, problems

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "reports"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(FIXTURE, dest)
    return dest


def test_fixture_is_clean(data: Path) -> None:
    assert problems(data) == []


CASES = [
    # (file, old, new, needle for the line, expected message parts)
    ("reports/institutes.yaml", "        note: Both institutes ran the biology questions.\n", "",
     "      - method: wmdp", ["record 'joint-x'", "missing required field 'note'"]),
    ("reports/institutes.yaml", "      - method: cybench", "      - method: cybenhc", "cybenhc",
     ["record 'joint-x', field 'method'", "unknown test method 'cybenhc'", "did you mean 'cybench'"]),
    ("reports/institutes.yaml", "    tester_kind: government-institute\n    testers: [uk-aisi, us-aisi]",
     "    tester_kind: goverment-institute\n    testers: [uk-aisi, us-aisi]", "goverment-institute",
     ["field 'tester_kind'", "'goverment-institute' is not one of", "did you mean 'government-institute'"]),
    ("reports/institutes.yaml", "    access: pre-deployment\n    domains: [mit:4.2]\n    capabilities",
     "    access: predeployment\n    domains: [mit:4.2]\n    capabilities", "predeployment",
     ["field 'access'", "'predeployment' is not one of pre-deployment, post-deployment"]),
    ("reports/institutes.yaml", "    testing_end: 2024-11", "    testing_end: 2024-09", "testing_end",
     ["field 'testing_end'", "testing_end 2024-09 is before testing_start 2024-10"]),
    ("reports/institutes.yaml", "    published: 2024-11-19", "    published: 2024-19", "published",
     ["field 'published'", "'2024-19' is not a date"]),
    ("reports/institutes.yaml", "      - capability: cbrn-uplift\n        verdict: capability-found",
     "      - capability: cbrn-uplift\n        risk: mit:4.2\n        verdict: capability-found",
     "capability: cbrn-uplift",
     ["record 'joint-x'", "give exactly one of risk or capability (found both risk and capability)"]),
    ("reports/institutes.yaml", "        verdict: capability-found", "        verdict: found", "verdict: found",
     ["field 'verdict'", "'found' is not one of"]),
    ("reports/developers.yaml", "      - risk: nist600:2.1\n        verdict: threshold-not-crossed",
     "      - risk: nist600:9.9\n        verdict: threshold-not-crossed", "nist600:9.9",
     ["record 'org-a-card-x', field 'risk'", "unknown risk 'nist600:9.9'"]),
    ("reports/developers.yaml", "    models: [model-x]\n    published: 2024-10-22",
     "    models: [model-q]\n    published: 2024-10-22", "model-q",
     ["record 'org-a-card-x', field 'models'", "unknown model 'model-q'"]),
    ("reports/developers.yaml", "        locator: Table 3", "        locatr: Table 3", "locatr",
     ["field 'locatr'", "unknown field 'locatr'", "did you mean 'locator'"]),
    ("models.yaml", "    open_weights: true", "    open_weights: yes please", "open_weights: yes",
     ["record 'model-y', field 'open_weights'", "expected true or false"]),
    ("events.yaml", "        organisation: dept", "        organisation: deptt", "deptt",
     ["record 'mou', field 'organisation'", "unknown organisation 'deptt'"]),
    ("events.yaml", "      - name: Bo Sample", "      - role: Nobody", "role: Nobody",
     ["record 'mou'", "missing required field 'name'"]),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "needle", "parts"), CASES, ids=[c[4][-1][:40] for c in CASES])
def test_bad_report_data_names_where(data: Path, file: str, old: str, new: str, needle: str, parts: list[str]) -> None:
    path = data / file
    before = {p: p.read_bytes() for p in data.rglob("*.yaml")}
    edit(path, old, new)
    found = problems(data)
    assert len(found) == 1, found
    (msg,) = found
    assert msg.startswith(f"data/{file}:{line_of(path, needle)}:"), msg
    for part in parts:
        assert part in msg, msg
    # reading never rewrites the data
    after = {p: p.read_bytes() for p in data.rglob("*.yaml") if p != path}
    assert after == {p: b for p, b in before.items() if p != path}


def test_method_listed_twice(data: Path) -> None:
    path = data / "reports" / "institutes.yaml"
    edit(
        path,
        "      - method: cybench\n        note: The US institute ran the capture-the-flag tasks.\n"
        "        sources: [src-joint]\n",
        "      - method: cybench\n        note: The US institute ran the capture-the-flag tasks.\n"
        "        sources: [src-joint]\n      - method: wmdp\n        note: Again.\n        sources: [src-b]\n",
    )
    (msg,) = problems(data)
    assert "record 'joint-x', field 'method'" in msg and "method 'wmdp' is listed twice" in msg


def test_an_old_exercises_file_says_where_its_records_go(data: Path) -> None:
    (data / "exercises.yaml").write_text("exercises: []\n")
    (msg,) = problems(data)
    assert msg.startswith("data/exercises.yaml:1:1") and "testing exercises are now evaluation reports" in msg
    assert "data/reports/" in msg
