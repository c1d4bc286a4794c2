"""The words people read: one table of labels for relations, justifications, columns and states.

Everything the app, the CLI and the exports show a person goes through here, so that no
property name (``assessesRisk``), vocabulary term (``semapv:ManualMappingCuration``) or column
key (``status_before``) reaches a reader, numbers are rounded for reading (JSON keeps full
precision), and counts take the right plural.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class RelationLabel:
    """How a relation reads: from its subject (``forward``), from its object (``inverse``), and
    as a name for lists and legends (``name``), with the colour of its edges in the network view."""

    curie: str
    forward: str
    inverse: str
    name: str
    colour: str


_RELATIONS = [
    RelationLabel("ar:assessesRisk", "assesses", "assessed by", "assesses risk", "#d62728"),
    RelationLabel("ar:measuresCapability", "measures", "measured by", "measures capability", "#ff7f0e"),
    RelationLabel("ar:enablesRisk", "enables", "enabled by", "capability enables risk", "#8c564b"),
    RelationLabel("ar:mitigatesRisk", "mitigates", "mitigated by", "mitigates risk", "#2ca02c"),
    RelationLabel("skos:broader", "broader category", "narrower categories", "broader category", "#7f7f7f"),
    RelationLabel("skos:exactMatch", "exact match", "exact match", "exact match (other taxonomy)", "#1f77b4"),
    RelationLabel("skos:closeMatch", "close match", "close match", "close match (other taxonomy)", "#6baed6"),
    RelationLabel(
        "skos:broadMatch",
        "broader concept elsewhere",
        "narrower concept elsewhere",
        "broader match (other taxonomy)",
        "#9467bd",
    ),
    RelationLabel(
        "skos:narrowMatch",
        "narrower concept elsewhere",
        "broader concept elsewhere",
        "narrower match (other taxonomy)",
        "#c5b0d5",
    ),
    RelationLabel("skos:relatedMatch", "related", "related", "related (other taxonomy)", "#bcbd22"),
    RelationLabel("ar:methodType", "method type", "test methods of this type", "method type", "#17becf"),
    RelationLabel("ar:mitigationType", "mitigation type", "mitigations of this type", "mitigation type", "#98df8a"),
    RelationLabel("ar:maintainer", "maintained by", "maintains", "maintained by", "#e377c2"),
    RelationLabel("ar:developer", "developed by", "develops", "developed by", "#f7b6d2"),
    RelationLabel("ar:parentOrganisation", "part of", "has part", "part of organisation", "#c49c94"),
    RelationLabel("prov:wasAssociatedWith", "carried out by", "took part in", "carried out by", "#9edae5"),
    RelationLabel("ar:testedModel", "tested model", "tested in", "tested model", "#ff9896"),
    RelationLabel("ar:referenceModel", "reference model", "reference model in", "reference model", "#dbdb8d"),
    RelationLabel("ar:coversRisk", "covers risk", "covered by exercise", "exercise covers risk", "#ad494a"),
    RelationLabel(
        "ar:coversCapability", "covers capability", "covered by exercise", "exercise covers capability", "#e7ba52"
    ),
    RelationLabel("ar:usedTestMethod", "used test method", "used in exercise", "exercise used test method", "#393b79"),
    RelationLabel("ar:commissionedBy", "commissioned by", "commissioned", "commissioned by", "#8dd3c7"),
    RelationLabel("prov:wasGeneratedBy", "produced by", "produced", "report of exercise", "#fb8072"),
    RelationLabel("skos:inScheme", "in taxonomy", "concepts", "in taxonomy", "#cccccc"),
    RelationLabel("dcterms:source", "cites", "cited by", "cites source", "#aaaaaa"),
]
#: The SKOS mapping relations between taxonomies (shown as mappings, not as links).
MAPPING_RELATIONS = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch")
#: Relation CURIE -> its labels.
RELATIONS: dict[str, RelationLabel] = {r.curie: r for r in _RELATIONS}
#: Relation local name (``assessesRisk``, as the network projection names edges) -> its labels.
RELATIONS_BY_NAME: dict[str, RelationLabel] = {r.curie.split(":", 1)[1]: r for r in _RELATIONS}

#: SSSOM / SEMAPV mapping justifications -> how they read.
JUSTIFICATIONS = {
    "semapv:ManualMappingCuration": "curated by hand",
    "semapv:LexicalMatching": "matched by name",
    "semapv:LogicalReasoning": "derived by reasoning",
    "semapv:CompositeMatching": "several methods combined",
    "semapv:UnspecifiedMatching": "not stated",
    "semapv:SemanticSimilarityThresholdMatching": "semantic similarity above a threshold",
    "semapv:LexicalSimilarityThresholdMatching": "name similarity above a threshold",
    "semapv:MappingChaining": "chained from other mappings",
    "semapv:MappingReview": "reviewed mapping",
}

#: Column keys of library tables -> headers people read.
COLUMNS = {
    "id": "id",
    "label": "name",
    "status_before": "status before",
    "status_after": "status after",
    "strength_before": "score before",
    "strength_after": "score after",
    "gap_before": "gap before",
    "gap_after": "gap after",
    "gap_score": "gap score",
    "strength": "score",
    "n_methods": "test methods",
    "method_type": "method type",
    "method_types": "method types",
    "newly_assessed": "newly assessed",
    "newly_strong": "newly strong",
    "cumulative_gain": "cumulative gain",
    "test_id": "test method",
    "severity_rated": "severity rated",
    "mitigation_gap_kind": "mitigation gap",
    "only_a_tests": "only in A",
    "only_b_tests": "only in B",
    "status_a": "A",
    "status_b": "B",
    "category": "covered by",
}


def relation_label(relation: str, inverse: bool = False) -> str:
    """How a relation reads, given as a CURIE (``ar:assessesRisk``) or a local name
    (``assessesRisk``); ``inverse``: read from its object. Unknown relations are spelt out
    (``someRelation`` -> ``some relation``)."""
    r = RELATIONS.get(relation) or RELATIONS_BY_NAME.get(relation)
    if r is not None:
        return r.inverse if inverse else r.forward
    return _spell(relation.split(":", 1)[-1])


def relation_name(relation: str) -> str:
    """A relation's name for lists, filters and legends (``assessesRisk`` -> ``assesses risk``)."""
    r = RELATIONS.get(relation) or RELATIONS_BY_NAME.get(relation)
    return r.name if r is not None else _spell(relation.split(":", 1)[-1])


def relation_colour(relation: str) -> str:
    """The colour of a relation's edges in the network view."""
    r = RELATIONS.get(relation) or RELATIONS_BY_NAME.get(relation)
    return r.colour if r is not None else "#a0a4a8"


def justification_label(value: str) -> str:
    """A mapping justification as people read it (``semapv:ManualMappingCuration`` -> ``curated by hand``)."""
    if not value:
        return ""
    key = value if value.startswith("semapv:") else "semapv:" + value.rsplit("/", 1)[-1]
    return JUSTIFICATIONS.get(key, _spell(value.rsplit("/", 1)[-1].split(":", 1)[-1]))


def column_label(key: str) -> str:
    """The header people read for a column key (``status_before`` -> ``status before``)."""
    return COLUMNS.get(key, key.replace("_", " "))


def _spell(name: str) -> str:
    out: list[str] = []
    for ch in name:
        if ch.isupper() and out:
            out.append(" ")
        out.append(ch.lower())
    return "".join(out).replace("_", " ")


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``n`` and the noun in the right number: ``1 link``, ``10 test methods``, ``2 taxonomies``."""
    word = singular if n == 1 else (many or _pluralise(singular))
    return f"{n:,} {word}"


def _pluralise(word: str) -> str:
    head, _, last = word.rpartition(" ")
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


#: Decimal places shown to people (scores, gap scores, gains).
DECIMALS = 2


def for_people(value: Any) -> Any:
    """A number rounded for reading (floats to two decimals; whole floats stay as they are)."""
    if isinstance(value, float) and math.isfinite(value):
        return round(value, DECIMALS)
    return value


def people_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a library table for people: float columns rounded, headers from :data:`COLUMNS`."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(DECIMALS)
    out.columns = [column_label(str(c)) for c in out.columns]
    return out
