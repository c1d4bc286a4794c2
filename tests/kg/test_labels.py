"""The words people read: relation labels, justifications, column headers, plurals, rounding."""

from __future__ import annotations

import pandas as pd

from graph.core.labels import (
    RELATIONS,
    column_label,
    for_people,
    justification_label,
    people_frame,
    plural,
    relation_label,
    relation_name,
)
from graph.store.projection import RELATIONS as PROJECTED


def test_every_relation_people_can_meet_has_a_label_and_a_colour() -> None:
    for rel in PROJECTED:
        assert rel in RELATIONS, f"{rel} has no label"
        name = relation_name(rel.split(":", 1)[1])
        assert name and not any(c.isupper() for c in name[1:]), name
    assert relation_label("assessesRisk") == "assesses"
    assert relation_label("ar:assessesRisk", inverse=True) == "assessed by"
    assert relation_name("wasAssociatedWith") == "carried out by"
    assert relation_name("someNewRelation") == "some new relation"  # spelt out, never the raw name
    assert len({r.colour for r in RELATIONS.values()}) == len(RELATIONS)  # edges are told apart


def test_justifications_and_columns_read_as_words() -> None:
    assert justification_label("semapv:ManualMappingCuration") == "curated by hand"
    assert justification_label("https://w3id.org/semapv/vocab/LexicalMatching") == "matched by name"
    assert justification_label("") == ""
    assert column_label("status_before") == "status before" and column_label("strength_after") == "score after"
    assert column_label("some_key") == "some key"


def test_plurals() -> None:
    assert [plural(1, "link"), plural(0, "link"), plural(10, "test method")] == ["1 link", "0 links", "10 test methods"]
    assert plural(2, "taxonomy") == "2 taxonomies" and plural(3, "match") == "3 matches"
    assert plural(1, "testing exercise") == "1 testing exercise" and plural(1_234, "risk") == "1,234 risks"


def test_numbers_are_rounded_for_people_only() -> None:
    assert for_people(2 / 3) == 0.67 and for_people(3) == 3 and for_people("x") == "x"
    frame = pd.DataFrame({"strength_before": [2 / 3], "id": ["mit:1"]})
    shown = people_frame(frame)
    assert list(shown.columns) == ["score before", "id"] and shown.iloc[0, 0] == 0.67
    assert frame.iloc[0, 0] == 2 / 3  # the library's table keeps full precision
