"""Bad curated data gets one clear error naming the file, line, column, record and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from data_edits import edit, line_of, problems

from graph import DataError, KnowledgeGraph
from graph.core.yamlpos import parse_yaml


@pytest.fixture()
def data(tmp_path: Path, fixture_data: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(fixture_data, dest)
    return dest


def test_fixture_is_clean(data: Path) -> None:
    assert problems(data) == []


def test_unknown_field_names_line_and_suggests(data: Path) -> None:
    f = data / "test-methods.yaml"
    edit(f, "    licence: MIT", "    licenze: MIT")
    (msg,) = problems(data)
    n = line_of(f, "licenze")
    assert msg.startswith(f"data/test-methods.yaml:{n}:5, record 'wmdp', field 'licenze': unknown field 'licenze'")
    assert "did you mean 'licence'" in msg


def test_missing_required_field(data: Path) -> None:
    edit(data / "capabilities.yaml", "    name: Persuasion\n", "")
    (msg,) = problems(data)
    assert "record 'persuasion'" in msg and "missing required field 'name'" in msg


def test_bad_date(data: Path) -> None:
    f = data / "models.yaml"
    edit(f, "2024-10-22", "22/10/2024")
    (msg,) = problems(data)
    assert f"data/models.yaml:{line_of(f, '22/10/2024')}" in msg
    assert "field 'release_date'" in msg and "is not a date" in msg and "YYYY-MM-DD" in msg


def test_duplicate_id_names_both_places(data: Path) -> None:
    edit(data / "test-methods.yaml", "  - id: cybench", "  - id: wmdp")
    msgs = problems(data)
    assert any("duplicate test_method id 'wmdp' (first defined at data/test-methods.yaml:2)" in m for m in msgs)


def test_dangling_source_reference_with_hint(data: Path) -> None:
    f = data / "mitigations.yaml"
    edit(f, "        sources: [src-c]", "        sources: [src-cc]")
    (msg,) = problems(data)
    assert f"data/mitigations.yaml:{line_of(f, 'src-cc')}" in msg
    assert "unknown source 'src-cc'" in msg and "did you mean 'src-c'" in msg and "field 'sources'" in msg


def test_unknown_risk_with_hint(data: Path) -> None:
    edit(data / "capabilities.yaml", "risk: mit:1.2", "risk: mit:1.3")
    (msg,) = problems(data)
    assert "unknown risk 'mit:1.3'" in msg and "record 'persuasion'" in msg and "field 'risk'" in msg


def test_unknown_taxonomy_prefix(data: Path) -> None:
    edit(data / "capabilities.yaml", "risk: mit:1.2", "risk: mitt:1.2")
    (msg,) = problems(data)
    assert "no taxonomy has the prefix 'mitt'" in msg


def test_broader_must_exist_and_have_no_cycle(data: Path) -> None:
    f = data / "taxonomies" / "mit.yaml"
    edit(f, '    broader: "4"', '    broader: "9"')
    (msg,) = problems(data)
    assert "broader code '9' is not a concept of mit" in msg and "record 'mit:4.2'" in msg
    edit(f, '    broader: "9"', '    broader: "4.2"')
    assert any("cycle" in m for m in problems(data))


def test_taxonomy_must_be_complete(data: Path) -> None:
    edit(data / "taxonomies" / "nist600.yaml", "published_concept_count: 2", "published_concept_count: 12")
    (msg,) = problems(data)
    assert "publishes 12 concepts but the file has 2" in msg


def test_severity_outside_rubric(data: Path) -> None:
    edit(data / "taxonomies" / "mit.yaml", "level: 3", "level: 7")
    (msg,) = problems(data)
    assert "severity level 7 is outside the rubric 1..5" in msg


def test_link_without_source(data: Path) -> None:
    edit(
        data / "test-methods.yaml",
        "        note: Cyberattack capability.\n        sources: [src-b]\n",
        "        note: x\n",
    )
    (msg,) = problems(data)
    assert "record 'cybench'" in msg and "missing required field 'sources'" in msg


def test_test_method_without_links(data: Path) -> None:
    f = data / "test-methods.yaml"
    text = f.read_text()
    start = text.index("    assesses:\n      - risk: mit:1.1")
    f.write_text(text[:start])
    (msg,) = problems(data)
    assert "record 'bias-bench'" in msg and "must assess a risk or measure a capability" in msg


def test_code_written_as_number(data: Path) -> None:
    edit(data / "taxonomies" / "nist600.yaml", '- code: "2.2"', "- code: 2.2")
    msgs = problems(data)
    assert any("code 2.2 must be written as a string" in m and 'quote it: code: "2.2"' in m for m in msgs)


def test_yaml_syntax_error_has_line_and_column(data: Path) -> None:
    f = data / "events.yaml"
    f.write_text("events:\n  - id: mou\n    name: [unclosed\n")
    (msg,) = problems(data)
    assert msg.startswith("data/events.yaml:4:1: YAML syntax error")


def test_aliases_are_refused() -> None:
    with pytest.raises(DataError, match="aliases"):
        parse_yaml("a: &x [1, 2]\nb: [*x, *x, *x]\n", "bomb.yaml")


def test_yaml_bomb_is_refused_fast() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(9))}]\n" for i in range(8)
    )
    with pytest.raises(DataError, match="aliases"):
        parse_yaml(bomb, "bomb.yaml")


def test_mapping_errors(data: Path) -> None:
    f = data / "mappings" / "nist600--mit.sssom.tsv"
    edit(f, "skos:closeMatch", "skos:closeMach")
    edit(f, "src:src-c", "src:nope")
    msgs = problems(data)
    assert any(
        "data/mappings/nist600--mit.sssom.tsv:4" in m
        and "'skos:closeMach' is not a SKOS mapping property" in m
        and "did you mean 'skos:closeMatch'" in m
        for m in msgs
    )
    assert any("data/mappings/nist600--mit.sssom.tsv:5" in m and "unknown source 'nope'" in m for m in msgs)


def test_mapping_within_one_taxonomy_is_refused(data: Path) -> None:
    edit(data / "mappings" / "nist600--mit.sssom.tsv", "nist600:2.2\tConfabulation", "mit:1.1\tUnfair discrimination")
    assert any("must link two different taxonomies" in m for m in problems(data))


def test_mapping_needs_justification(data: Path) -> None:
    edit(data / "mappings" / "nist600--mit.sssom.tsv", "Loosely related.", "")
    (msg,) = problems(data)
    assert "empty required cell 'comment'" in msg and ":5" in msg


def test_load_refuses_invalid_data_and_lists_problems(data: Path) -> None:
    edit(data / "models.yaml", "2024-10-22", "soon")
    with pytest.raises(DataError) as info:
        KnowledgeGraph.load(data=data)
    assert "data/models.yaml" in str(info.value) and "is not a date" in str(info.value)


def test_not_utf8(data: Path) -> None:
    (data / "events.yaml").write_bytes("events:\n  - id: caf\xe9\n".encode("latin-1"))
    (msg,) = problems(data)
    assert msg.startswith("data/events.yaml: not UTF-8 text")
