"""The 2025-2026 frameworks as shipped: complete as published, versioned, crosswalked and linked.

Each test states a fact a curator or user can check against the source: the concept list of each
new taxonomy, the version each new version revises, what became of every concept of the older
version, and the crosswalks and links that make the new concepts part of coverage.
"""

from __future__ import annotations

from collections import Counter

import pytest

from graph import KnowledgeGraph
from graph.core.load import Dataset, link_items, load_dataset
from graph.core.resources import data_dir
from graph.core.schema import VERSION_CHANGES

DS: Dataset = load_dataset(data_dir())
NEW = ("eu-gpai-cop", "iasr2026", "anthropic-rsp3", "anthropic-rsp3-4", "owasp-asi", "nist-aml2025")


def codes(prefix: str, depth: int | None = None) -> set[str]:
    tax = DS.taxonomies[prefix]

    def level(code: str) -> int:
        n, cur = 1, tax.concepts[code].data.get("broader")
        while cur is not None:
            n, cur = n + 1, tax.concepts[str(cur)].data.get("broader")
        return n

    return {c for c in tax.concepts if depth is None or level(c) == depth}


def test_eu_code_of_practice_appendix_1_is_complete() -> None:
    assert codes("eu-gpai-cop", 1) == {"specified", "types", "examples"}
    kids = Counter(str(c.data.get("broader")) for c in DS.taxonomies["eu-gpai-cop"].concepts.values())
    assert (kids["specified"], kids["types"], kids["examples"]) == (4, 5, 12)
    assert {"cbrn", "loss-of-control", "cyber-offence", "harmful-manipulation"} == {
        c for c, v in DS.taxonomies["eu-gpai-cop"].concepts.items() if v.data.get("broader") == "specified"
    }
    assert len(codes("eu-gpai-cop")) == DS.taxonomies["eu-gpai-cop"].header["published_concept_count"] == 24


def test_iasr_2026_has_three_groups_and_eight_risks() -> None:
    assert codes("iasr2026", 1) == {"malicious-use", "malfunctions", "systemic"}
    assert codes("iasr2026", 2) == {
        "ai-content-crime",
        "influence-manipulation",
        "cyberattacks",
        "bio-chem",
        "reliability",
        "loss-of-control",
        "labour-market",
        "human-autonomy",
    }
    aliases = {c: v.data["aliases"][0] for c, v in DS.taxonomies["iasr2026"].concepts.items()}
    assert aliases["human-autonomy"] == "§2.3.2" and aliases["bio-chem"] == "§2.1.4"


def test_rsp_v3_has_four_thresholds_and_no_domains() -> None:
    assert codes("anthropic-rsp3", 1) == {"cb-non-novel", "cb-novel", "high-stakes-sabotage", "automated-rnd"}


def test_owasp_agentic_top_10() -> None:
    tax = DS.taxonomies["owasp-asi"]
    assert set(tax.concepts) == {f"ASI{i:02d}" for i in range(1, 11)}
    assert tax.concepts["ASI01"].data["label"] == "Agent Goal Hijack"
    assert tax.concepts["ASI10"].data["label"] == "Rogue Agents"
    assert all(f"{c}:2026" in v.data["aliases"] for c, v in tax.concepts.items())


def test_nist_ai_100_2_index() -> None:
    assert codes("nist-aml2025", 1) == {f"NISTAML.0{i}" for i in range(1, 6)}
    attacks = codes("nist-aml2025", 2)
    assert len(attacks) == 23
    assert {"NISTAML.015", "NISTAML.018", "NISTAML.022", "NISTAML.033", "NISTAML.051"} <= attacks
    # each attack class sits under the objective its identifier names
    for code in attacks:
        assert DS.taxonomies["nist-aml2025"].concepts[code].data["broader"] == code[:10]


@pytest.mark.parametrize("prefix", NEW)
def test_new_taxonomy_counts_match_the_published_count(prefix: str) -> None:
    tax = DS.taxonomies[prefix]
    assert len(tax.concepts) == tax.header["published_concept_count"]
    assert str(tax.header["issued"]) >= "2025-03"


@pytest.mark.parametrize(
    "prefix,revises,version,issued",
    [
        ("iasr2026", "iasr2025", "2026", "2026-02-03"),
        ("anthropic-rsp3", "anthropic-rsp", "3.0", "2026-02-24"),
        ("anthropic-rsp3-4", "anthropic-rsp3", "3.4", "2026-07-08"),
    ],
)
def test_version_names_the_version_it_revises(prefix: str, revises: str, version: str, issued: str) -> None:
    header = DS.taxonomies[prefix].header
    assert (header["revises"], str(header["version"]), str(header["issued"])) == (revises, version, issued)


def diff(prefix: str) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    tax = DS.taxonomies[prefix]
    previous = {
        code: [(str(p["code"]), str(p["change"])) for p in c.data.get("previous", [])]
        for code, c in tax.concepts.items()
    }
    removed = {str(r["code"]) for r in _removed(prefix)}
    return previous, removed


def _removed(prefix: str) -> list[dict[str, object]]:
    import yaml

    doc = yaml.safe_load((data_dir() / "taxonomies" / f"{prefix}.yaml").read_text())
    return list(doc.get("removed", []))


@pytest.mark.parametrize("prefix", ["iasr2026", "anthropic-rsp3", "anthropic-rsp3-4"])
def test_every_concept_of_the_revised_version_is_accounted_for(prefix: str) -> None:
    old = DS.taxonomies[str(DS.taxonomies[prefix].header["revises"])]
    previous, removed = diff(prefix)
    succeeded = {code for links in previous.values() for code, _ in links}
    assert succeeded | removed == set(old.concepts), "every old concept has a successor or is removed"
    assert not succeeded & removed, "a concept cannot both carry over and be removed"
    for new_code, links in previous.items():
        for _old_code, change in links:
            assert change in VERSION_CHANGES, (new_code, change)
    merged = Counter(c for links in previous.values() for c, ch in links if ch == "merged")
    targets = [n for n, links in previous.items() if any(ch == "merged" for _, ch in links)]
    assert all(len([1 for _, ch in previous[n] if ch == "merged"]) >= 2 for n in targets), merged
    for r in _removed(prefix):
        assert r.get("note") and r.get("sources"), r


def test_iasr_2025_to_2026_diff() -> None:
    previous, removed = diff("iasr2026")
    assert previous["cyberattacks"] == [("cyber-offence", "renamed")]
    assert previous["bio-chem"] == [("bio-chem-attacks", "renamed")]
    assert previous["ai-content-crime"] == [("fake-content", "redefined")]
    assert previous["influence-manipulation"] == [("manipulation", "redefined")]
    assert previous["loss-of-control"] == [("loss-of-control", "same")]
    assert previous["human-autonomy"] == [], "risks to human autonomy are new in 2026"
    gone = {"bias", "rnd-divide", "market-concentration", "environment", "privacy", "copyright", "open-weight"}
    assert removed == gone


def test_rsp_v2_2_to_v3_0_diff() -> None:
    previous, removed = diff("anthropic-rsp3")
    assert previous["cb-non-novel"] == [("cbrn-3", "redefined")]
    assert previous["cb-novel"] == [("cbrn-4", "redefined")]
    assert sorted(previous["automated-rnd"]) == [("ai-rnd-4", "merged"), ("ai-rnd-5", "merged")]
    assert previous["high-stakes-sabotage"] == [], "the sabotage threshold is new in v3.0"
    assert removed == {"cbrn", "ai-rnd", "cyber"}


def test_rsp_v3_0_to_v3_4_diff() -> None:
    previous, removed = diff("anthropic-rsp3-4")
    assert previous == {
        "cb-non-novel": [("cb-non-novel", "same")],
        "cb-novel": [("cb-novel", "redefined")],
        "misaligned-high-stakes": [("high-stakes-sabotage", "renamed")],
        "automated-rnd": [("automated-rnd", "redefined")],
    }
    assert removed == set()
    # the links and crosswalks of v3.0 carry over to v3.4
    assert assessed("anthropic-rsp3:high-stakes-sabotage") == assessed("anthropic-rsp3-4:misaligned-high-stakes")


@pytest.mark.parametrize(
    "prefix,targets",
    [
        ("eu-gpai-cop", {"mit", "nist600", "anthropic-rsp", "anthropic-rsp3", "openai-pf", "gdm-fsf", "iasr2026"}),
        ("iasr2026", {"mit", "nist600", "anthropic-rsp3", "openai-pf", "gdm-fsf", "eu-gpai-cop"}),
        ("anthropic-rsp3", {"mit", "nist600", "openai-pf", "gdm-fsf", "iasr2026", "eu-gpai-cop"}),
        ("anthropic-rsp3-4", {"mit", "nist600", "openai-pf", "gdm-fsf", "iasr2026", "eu-gpai-cop"}),
        ("owasp-asi", {"mit", "nist600", "owasp-llm", "atlas", "nist-aml2025"}),
        ("nist-aml2025", {"mit", "nist600", "owasp-llm", "atlas", "owasp-asi"}),
    ],
)
def test_new_taxonomy_is_crosswalked(prefix: str, targets: set[str]) -> None:
    reached = set()
    for m in DS.mappings:
        s, o = str(m.subject).split(":")[0], str(m.object).split(":")[0]
        if prefix in (s, o):
            reached.add(o if s == prefix else s)
            assert m.comment and m.sources, f"{m.file}: {m.subject} -> {m.object} lacks a reason or a source"
    assert targets <= reached


def assessed(risk: str) -> set[str]:
    return {
        rec.id
        for rec in DS.records["test_method"].values()
        for field, link in link_items(rec)
        if field == "assesses" and str(link.get("risk")) == risk
    }


def test_specified_systemic_risks_are_assessed_by_catalogue_tests() -> None:
    assert {"wmdp", "vct"} <= assessed("eu-gpai-cop:cbrn")
    assert "cybench" in assessed("eu-gpai-cop:cyber-offence")
    assert "gdm-self-proliferation" in assessed("eu-gpai-cop:loss-of-control")
    assert "make-me-pay" in assessed("eu-gpai-cop:harmful-manipulation")


def test_agent_injection_benchmarks_assess_goal_hijack() -> None:
    assert {"agentdojo", "injecagent", "codeipi"} <= assessed("owasp-asi:ASI01")
    assert "agentdojo" in assessed("nist-aml2025:NISTAML.015")
    assert "sandbagging-evals" not in assessed("owasp-asi:ASI01")


@pytest.mark.slow
def test_new_schemes_in_the_built_graph() -> None:
    kg = KnowledgeGraph.load()
    rows = kg.select(
        """SELECT ?p ?v ?n (COUNT(?c) AS ?k) WHERE {
             VALUES ?p { "iasr2026" "anthropic-rsp3" "anthropic-rsp3-4" "eu-gpai-cop" "owasp-asi" "nist-aml2025" }
             BIND(IRI(CONCAT("https://w3id.org/airisk/id/scheme/", ?p)) AS ?s)
             ?s owl:versionInfo ?v ; ar:publishedConceptCount ?n .
             ?c skos:inScheme ?s .
           } GROUP BY ?p ?v ?n"""
    ).records()
    got = {str(r["p"]): (str(r["v"]), int(r["n"]), int(r["k"])) for r in rows}
    assert got == {
        "iasr2026": ("2026", 11, 11),
        "anthropic-rsp3": ("3.0", 4, 4),
        "anthropic-rsp3-4": ("3.4", 4, 4),
        "eu-gpai-cop": ("Final version (10 July 2025)", 24, 24),
        "owasp-asi": ("2026", 10, 10),
        "nist-aml2025": ("E2025", 28, 28),
    }


def _copy(tmp_path):  # type: ignore[no-untyped-def]
    import shutil

    dest = tmp_path / "data"
    shutil.copytree(data_dir(), dest)
    return dest


def test_bad_change_kind_is_one_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = _copy(tmp_path)
    path = data / "taxonomies" / "iasr2026.yaml"
    text = path.read_text()
    assert "change: renamed" in text
    path.write_text(text.replace("change: renamed", "change: renamd", 1))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "change: renamd" in t)
    errors = [str(p) for p in load_dataset(data).errors]
    assert len(errors) == 1, errors
    assert f"data/taxonomies/iasr2026.yaml:{line}:" in errors[0] and "'renamd' is not one of" in errors[0]
    assert "renamed" in errors[0]  # the suggestion


def test_removed_entry_needs_a_source(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = _copy(tmp_path)
    path = data / "taxonomies" / "anthropic-rsp3.yaml"
    text = path.read_text()
    old = (
        "  - code: ai-rnd\n    note: v3.0 has no AI R&D domain grouping; the single automated R&D threshold"
        " stands on its own.\n    sources: [anthropic-rsp-3-0]\n"
    )
    assert old in text
    path.write_text(text.replace(old, "  - code: ai-rnd\n    note: dropped\n", 1))
    errors = [str(p) for p in load_dataset(data).errors]
    assert len(errors) == 1 and "missing required field 'sources'" in errors[0], errors
    assert "anthropic-rsp3.yaml" in errors[0]
