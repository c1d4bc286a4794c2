"""The shape of the curated YAML records: which fields each kind has, and of what type.

This is the single description of ``data/`` that the loader checks records against (see
``docs/data-format.md``). Types:

``slug``        lowercase ``[a-z0-9-]`` identifier
``text``        a non-empty string
``texts``       a list of non-empty strings
``code``        a taxonomy code (``4.2``, ``LLM01``, ``AML.TA0002``)
``url``         an ``http(s)://`` URL
``date``        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
``int``         an integer
``ref:KIND``    the id of a record of KIND; ``refs:KIND`` a list of them
``risk``        a risk CURIE (``mit:4.2``); ``risks`` a list of them
``severity``    a mapping ``{level, note, sources}``
``links:TARGET`` a list of link mappings ``{TARGET, note, sources[, confidence, locator]}``
``items:NAME``  a list of mappings with the fields of :data:`ITEM_FIELDS` ``[NAME]``
``bool``        ``true`` or ``false``
``enum:A|B``    one of the listed values
``list:NAME``   a list of sub-records whose fields are ``SUBRECORDS[NAME]`` (``previous``, ``removed``)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindSpec:
    """How one kind of record is written in ``data/``."""

    kind: str  # key of namespaces.ENTITY_KINDS
    file_stem: str  # data/<file_stem>.yaml or data/<file_stem>/*.yaml
    top_key: str  # the list's key in the file
    fields: dict[str, str]
    required: tuple[str, ...]


#: Controlled vocabularies of evaluation reports; the same notations as the SKOS schemes of
#: ``ontology/airisk.ttl`` (``tkind:``, ``access:``, ``rtype:``, ``verdict:``; a test keeps them equal).
REPORT_TYPES = (
    "joint-testing",
    "institute-evaluation",
    "system-card",
    "model-card",
    "third-party-evaluation",
    "developer-report",
)
#: A report's own tester kind; ``independent`` (broader than government-institute and third-party)
#: is a filter value, not a kind a report is given.
TESTER_KINDS = ("government-institute", "developer", "third-party", "joint")
ACCESS_KINDS = ("pre-deployment", "post-deployment")
VERDICTS = (
    "threshold-not-crossed",
    "threshold-not-ruled-out",
    "threshold-crossed",
    "capability-found",
    "no-significant-capability",
    "safeguards-bypassed",
    "safeguards-held",
    "no-verdict",
)


def enum(values: tuple[str, ...]) -> str:
    """The field type ``enum:a|b|c`` of a vocabulary."""
    return "enum:" + "|".join(values)


#: Nested records (field type ``items:NAME``): their fields and required fields.
ITEM_FIELDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "method_use": (
        {"method": "ref:test_method", "note": "text", "locator": "text", "sources": "refs:source"},
        ("method", "note", "sources"),
    ),
    "outcome": (
        {
            "risk": "risk",
            "capability": "ref:capability",
            "verdict": enum(VERDICTS),
            "note": "text",
            "sources": "refs:source",
        },
        ("verdict", "note", "sources"),
    ),  # fmt: skip
    "signatory": ({"name": "text", "role": "text", "organisation": "ref:organisation"}, ("name",)),
}
#: Nested records that must give exactly one of these fields.
ITEM_ONE_OF: dict[str, tuple[str, ...]] = {"outcome": ("risk", "capability")}
#: The field that names a nested record in messages and duplicate checks.
ITEM_KEY: dict[str, str] = {"method_use": "method", "outcome": "risk", "signatory": "name"}

COMMON = {"id": "slug", "description": "text", "sources": "refs:source", "aliases": "texts"}

KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "source",
            "sources",
            "sources",
            {
                "id": "slug",
                "title": "text",
                "publisher": "text",
                "date": "date",
                "url": "url",
                "authors": "text",
                "kind": "enum:paper|report|standard|regulation|web-page|dataset|framework|code|blog|news|"
                "press-release|book",
                "doi": "text",
                "note": "text",
            },
            ("id", "title", "url"),
        ),
        KindSpec(
            "method_type",
            "method-types",
            "method_types",
            {**COMMON, "label": "text"},
            ("id", "label", "description", "sources"),
        ),
        KindSpec(
            "mitigation_type",
            "mitigation-types",
            "mitigation_types",
            {**COMMON, "label": "text"},
            ("id", "label", "description", "sources"),
        ),
        KindSpec(
            "organisation",
            "organisations",
            "organisations",
            {
                **COMMON,
                "name": "text",
                "org_type": "enum:government-institute|government|developer|evaluator|standards-body|"
                "intergovernmental|academic|nonprofit|company|community|network",
                "country": "text",
                "url": "url",
                "parent": "ref:organisation",
            },
            ("id", "name", "sources"),
        ),
        KindSpec(
            "capability",
            "capabilities",
            "capabilities",
            {**COMMON, "name": "text", "enables": "links:risk"},
            ("id", "name", "description", "sources", "enables"),
        ),
        KindSpec(
            "test_method",
            "test-methods",
            "test_methods",
            {
                **COMMON,
                "name": "text",
                "method_type": "ref:method_type",
                "modality": "texts",
                "year": "int",
                "maintainer": "ref:organisation",
                "licence": "text",
                "url": "url",
                "inspect_task": "texts",
                "assesses": "links:risk",
                "measures": "links:capability",
            },
            ("id", "name", "description", "method_type", "sources"),
        ),
        KindSpec(
            "mitigation",
            "mitigations",
            "mitigations",
            {
                **COMMON,
                "name": "text",
                "mitigation_type": "ref:mitigation_type",
                "url": "url",
                "mitigates": "links:risk",
            },
            ("id", "name", "description", "mitigation_type", "sources", "mitigates"),
        ),
        KindSpec(
            "model",
            "models",
            "models",
            {
                **COMMON,
                "name": "text",
                "developer": "ref:organisation",
                "release_date": "date",
                "open_weights": "bool",
                "url": "url",
            },
            ("id", "name", "sources"),
        ),
        KindSpec(
            "report",
            "reports",
            "reports",
            {
                **COMMON,
                "title": "text",
                "report_type": enum(REPORT_TYPES),
                "tester_kind": enum(TESTER_KINDS),
                "testers": "refs:organisation",
                "commissioned_by": "refs:organisation",
                "models": "refs:model",
                "reference_models": "refs:model",
                "testing_start": "date",
                "testing_end": "date",
                "published": "date",
                "access": enum(ACCESS_KINDS),
                "domains": "risks",
                "capabilities": "refs:capability",
                "methods": "items:method_use",
                "outcomes": "items:outcome",
                "url": "url",
                "exercise": "slug",
            },
            (
                "id",
                "title",
                "report_type",
                "tester_kind",
                "testers",
                "models",
                "published",
                "methods",
                "url",
                "description",
                "sources",
            ),
        ),
        KindSpec(
            "event",
            "events",
            "events",
            {
                **COMMON,
                "name": "text",
                "date": "date",
                "event_type": "enum:agreement|declaration|summit|executive-order|regulation|framework|"
                "report|institution|commitment|standard|other",
                "organisations": "refs:organisation",
                "signatories": "items:signatory",
                "url": "url",
            },
            ("id", "name", "date", "sources"),
        ),
    )
}

TAXONOMY_FIELDS: dict[str, str] = {
    "prefix": "prefix",
    "title": "text",
    "publisher": "text",
    "version": "text",
    "issued": "date",
    "licence": "text",
    "url": "url",
    "sources": "refs:source",
    "published_concept_count": "int",
    "description": "text",
    "publisher_org": "ref:organisation",
    "revises": "prefix",
}
TAXONOMY_REQUIRED = ("prefix", "title", "publisher", "version", "issued", "licence", "url", "sources")

CONCEPT_FIELDS: dict[str, str] = {
    "code": "code",
    "label": "text",
    "broader": "code",
    "description": "text",
    "aliases": "texts",
    "sources": "refs:source",
    "severity": "severity",
    "previous": "list:previous",
}
CONCEPT_REQUIRED = ("code", "label", "sources")

#: The kinds of change between a concept and its predecessor in the revised version.
VERSION_CHANGES = ("same", "renamed", "moved", "merged", "split", "redefined")
#: ``previous:`` entries of a concept (its relation to concepts of the revised version).
PREVIOUS_FIELDS = {
    "code": "code",
    "change": "enum:" + "|".join(VERSION_CHANGES),
    "note": "text",
    "sources": "refs:source",
}
PREVIOUS_REQUIRED = ("code", "change", "note", "sources")
#: Top-level ``removed:`` entries of a taxonomy file (concepts of the revised version with no successor).
REMOVED_FIELDS = {"code": "code", "note": "text", "sources": "refs:source"}
REMOVED_REQUIRED = ("code", "note", "sources")
#: Sub-record lists (field type ``list:NAME``): their field tables.
SUBRECORDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "previous": (PREVIOUS_FIELDS, PREVIOUS_REQUIRED),
    "removed": (REMOVED_FIELDS, REMOVED_REQUIRED),
}
#: Top-level keys of a taxonomy file.
TAXONOMY_FILE_KEYS = ("taxonomy", "concepts", "removed")

#: ``data/not-applicable.yaml``: risk categories that model testing does not apply to.
NOT_APPLICABLE_FIELDS = {"risk": "risk", "note": "text", "sources": "refs:source", "locator": "text"}
NOT_APPLICABLE_REQUIRED = ("risk", "note", "sources")

LINK_FIELDS = {"note": "text", "sources": "refs:source", "confidence": "number", "locator": "text"}
LINK_REQUIRED = ("note", "sources")
#: Extra fields of capability -> risk links: is measuring the capability evidence about the risk?
ROLE_LINK_FIELDS = {"role": "enum:evidence|context", "role_note": "text"}
ROLE_LINKS = ("enables",)
SEVERITY_FIELDS = {"level": "int", "note": "text", "sources": "refs:source"}
SEVERITY_REQUIRED = ("level", "note", "sources")

#: Link field name -> ontology property local name, and the kind of its target.
LINK_PROPERTIES: dict[str, tuple[str, str]] = {
    "assesses": ("assessesRisk", "risk"),
    "measures": ("measuresCapability", "capability"),
    "enables": ("enablesRisk", "risk"),
    "mitigates": ("mitigatesRisk", "risk"),
}

SSSOM_PREDICATES = {
    "skos:exactMatch",
    "skos:closeMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
    "skos:relatedMatch",
}
SSSOM_REQUIRED = (
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "author_id",
    "comment",
    "see_also",
)
#: The SEMAPV justification terms SSSOM 1.0 allows.
SEMAPV_JUSTIFICATIONS = {
    "semapv:ManualMappingCuration",
    "semapv:LexicalMatching",
    "semapv:LogicalReasoning",
    "semapv:CompositeMatching",
    "semapv:UnspecifiedMatching",
    "semapv:SemanticSimilarityThresholdMatching",
    "semapv:LexicalSimilarityThresholdMatching",
    "semapv:MappingChaining",
    "semapv:MappingReview",
    "semapv:StructuralMatching",
    "semapv:InstanceBasedMatching",
    "semapv:BackgroundKnowledgeBasedMatching",
    "semapv:MappingInversion",
}


# ---------------------------------------------------------------------------------------------- checking
