"""The integrity suite over the shipped curated data, record by record.

Each test names the record and the field that fails, so a curator sees what to fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from graph.core.integrity import check_integrity
from graph.core.load import Dataset, link_items, load_dataset
from graph.core.namespaces import KNOWN_TAXONOMY_PREFIXES
from graph.core.resources import data_dir
from graph.validation.validate import validate_dataset

DS: Dataset = load_dataset(data_dir())
RECORDS = [(kind, rec) for kind, recs in DS.records.items() for rec in recs.values()]
CONCEPTS = [c for t in DS.taxonomies.values() for c in t.concepts.values()]
EXTERNAL = Path(__file__).resolve().parents[3] / "shared" / "external"


def test_no_shape_or_integrity_errors() -> None:
    errors = DS.errors + [p for p in check_integrity(DS) if p.severity == "error"]
    assert not errors, "\n".join(map(str, errors[:30]))


@pytest.mark.slow
def test_shacl_conforms() -> None:
    report = validate_dataset(DS)
    assert report.ok, "\n".join(map(str, report.errors[:30]))


@pytest.mark.parametrize("kind,rec", RECORDS, ids=[f"{k}:{r.id}" for k, r in RECORDS])
def test_record_is_sourced_and_described(kind: str, rec) -> None:  # type: ignore[no-untyped-def]
    if kind != "source":
        assert rec.data.get("sources"), f"{rec.loc()}: no sources"
    if kind in ("capability", "test_method", "mitigation", "method_type", "mitigation_type"):
        desc = rec.data.get("description", "")
        assert len(desc) >= 20, f"{rec.loc('description')}: description too short to be useful"
    for field_name, link in link_items(rec):
        assert link.get("sources") and link.get("note"), f"{rec.loc(field_name)}: link without note or source"


@pytest.mark.parametrize("rec", [r for k, r in RECORDS if k == "source"], ids=lambda r: r.id)
def test_source_has_title_and_real_looking_url(rec) -> None:  # type: ignore[no-untyped-def]
    url = rec.data["url"]
    assert re.match(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(/|$)", url), f"{rec.loc('url')}: {url}"
    assert "example." not in url, f"{rec.loc('url')}: placeholder URL"


@pytest.mark.parametrize("c", CONCEPTS, ids=lambda c: c.curie)
def test_concept_is_labelled_and_sourced(c) -> None:  # type: ignore[no-untyped-def]
    assert c.data.get("label"), f"{c.loc()}: no label"
    assert c.data.get("sources"), f"{c.loc()}: no source"


def test_every_taxonomy_is_present() -> None:
    assert set(KNOWN_TAXONOMY_PREFIXES) <= set(DS.taxonomies)


def count(prefix: str, depth: int | None = None) -> int:
    tax = DS.taxonomies[prefix]
    if depth is None:
        return len(tax.concepts)

    def level(code: str) -> int:
        n, cur = 1, tax.concepts[code].data.get("broader")
        while cur is not None:
            n, cur = n + 1, tax.concepts[str(cur)].data.get("broader")
        return n

    return sum(1 for code in tax.concepts if level(code) == depth)


def test_taxonomies_are_complete_as_published() -> None:
    assert (count("mit", 1), count("mit", 2)) == (7, 24)
    assert count("nist600") == 12
    assert count("owasp-llm") == 10 and {f"LLM{i:02d}" for i in range(1, 11)} == set(
        DS.taxonomies["owasp-llm"].concepts
    )
    assert count("atlas") == 16
    assert count("mit-causal", 1) == 3 and count("mit-causal", 2) == 9
    assert {
        "vcr",
        "src",
        "cse",
        "ssh",
        "iwp",
        "ipv",
        "dfm",
        "ncr",
        "hte",
        "prv",
        "spc_ele",
        "spc_fin",
        "spc_hlt",
        "sxc_prn",
    } <= set(DS.taxonomies["ailuminate"].concepts)
    assert count("air2024", 3) >= 45


def test_catalogue_sizes() -> None:
    assert len(DS.records["capability"]) >= 15
    assert len(DS.records["test_method"]) >= 80
    assert len(DS.records["mitigation"]) >= 40
    assert len(DS.mappings) >= 150
    assert all(m.comment for m in DS.mappings)
    assert len(DS.records["report"]) >= 40


def test_capability_links_and_test_links() -> None:
    for rec in DS.records["capability"].values():
        assert rec.data.get("enables"), rec.loc()
    for rec in DS.records["test_method"].values():
        assert rec.data.get("assesses") or rec.data.get("measures"), rec.loc()
    for rec in DS.records["mitigation"].values():
        assert rec.data.get("mitigates"), rec.loc()


def test_joint_us_uk_exercises_of_2024() -> None:
    ex = [r for r in DS.records["report"].values() if str(r.data["published"]).startswith("2024")]
    joint = [r for r in ex if {"uk-aisi", "us-aisi"} <= set(r.data["testers"])]
    assert len(joint) >= 2
    # the two 2024 exercises keep the IRIs they were first published under
    assert {str(r.data.get("exercise")) for r in joint} >= {"us-uk-claude-3-5-sonnet-2024", "us-uk-openai-o1-2024"}


@pytest.mark.skipif(not (EXTERNAL / "mitre-atlas" / "ATLAS.yaml").is_file(), reason="shared/external is absent")
def test_atlas_tactics_match_the_published_file() -> None:
    doc = yaml.safe_load((EXTERNAL / "mitre-atlas" / "ATLAS.yaml").read_text())
    published = {t["id"]: t["name"] for t in doc["matrices"][0]["tactics"]}
    ours = {code: c.data["label"] for code, c in DS.taxonomies["atlas"].concepts.items()}
    assert ours == published


def test_severities_use_the_rubric() -> None:
    levels = [c.data["severity"]["level"] for c in CONCEPTS if "severity" in c.data]
    assert levels and set(levels) <= {1, 2, 3, 4, 5}
