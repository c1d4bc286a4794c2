"""Which IBM AI Atlas Nexus concepts are concepts we curate: the IRI reuse rule of the import.

A Nexus concept reuses a curated IRI only when both hold:

1. **its taxonomy is one we curate**, by the table :data:`CORRESPONDS` (the same publication and
   edition: Nexus ``ai-risk-taxonomy`` is AIR 2024, ``nist-ai-rmf`` holds the twelve risks of
   NIST AI 600-1, ``mit-ai-risk-repository`` the MIT domain taxonomy, ``owasp-llm-2.0`` the OWASP
   Top 10 for LLM Applications 2025, ...); and
2. **the concept is one curated concept of that taxonomy**: among the curated concepts under the
   curated concept its parent matched (or, for a concept without a parent, among all of them), it
   is the only one whose code equals a code the Nexus id or name carries (``mit-ai-risk-
   subdomain-1.1`` -> ``1.1``, ``LLM01:2025 Prompt Injection`` -> ``LLM01``, ``asi01-...`` ->
   ``ASI01``) with labels that overlap, or else the only one whose label is the same once case,
   punctuation, hyphens, ``&``/``and``, parenthesised remarks and small words are set aside, or
   else the only one whose label has one word more or less (``Schemes`` / ``Fraudulent Schemes``).

Anything else is a new concept: in the curated scheme when the taxonomy corresponds (the AIR 2024
level-4 categories under the curated level-3 ones, as the ATLAS import adds techniques under the
curated tactics), in a scheme of its own otherwise. A curated concept is reused at most once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Nexus taxonomy id -> curated prefixes of the same taxonomy (the first one in the graph is used).
CORRESPONDS: dict[str, tuple[str, ...]] = {
    "ai-risk-taxonomy": ("air2024",),
    "nist-ai-rmf": ("nist600",),
    "mit-ai-risk-repository": ("mit",),
    "mit-ai-risk-repository-causal": ("mit-causal",),
    "owasp-llm-2.0": ("owasp-llm",),
    "ailuminate-v1.0": ("ailuminate",),
    "owasp-asi": ("owasp-asi",),
}

_SMALL = {"a", "an", "and", "the", "of", "or", "in", "on", "to", "for", "with", "by"}
_CODE_IN_NAME = re.compile(r"^([A-Z]{2,}\d+)(?::\d{4})?\b")
_CODE_AT_END = re.compile(r"-(\d+(?:\.\d+)*)$")
_CODE_AT_START = re.compile(r"^([a-z]{2,})(\d{2})(?=\d{4}-|-|$)")


def _words(label: str) -> list[str]:
    text = _CODE_IN_NAME.sub(" ", label.strip())
    text = re.sub(r"\([^)]*\)", " ", text).lower()
    text = re.sub(r"^\d+(\.\d+)*\.?\s+", " ", text.strip())
    # the 1.2.3 release's group names carry a search-and-replace artefact ("Security RiskGroups")
    text = text.replace("riskgroups", "risks").replace("riskgroup", "risk").replace("&", " and ")
    return [w for w in re.findall(r"[a-z0-9]+", text) if w not in _SMALL]


def label_words(label: str) -> frozenset[str]:
    """The words of a label that decide whether two labels agree."""
    return frozenset(_words(label))


def labels_same(a: str, b: str) -> bool:
    """The same words, or the same letters once spaces and hyphens are gone (``Non-Physical``/``Nonphysical``)."""
    wa, wb = _words(a), _words(b)
    return bool(wa) and (set(wa) == set(wb) or "".join(wa) == "".join(wb))


def labels_agree(a: str, b: str) -> bool:
    """Same words, or one word more or less (and at least one word in common)."""
    wa, wb = label_words(a), label_words(b)
    if not wa or not wb:
        return False
    if labels_same(a, b):
        return True
    small, big = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    return small < big and len(big - small) == 1


def labels_overlap(a: str, b: str) -> bool:
    """At least a third of the words in common (enough to confirm a code match)."""
    wa, wb = label_words(a), label_words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 1 / 3


def code_candidates(ident: str, name: str) -> set[str]:
    """Codes a Nexus record carries in its id or name."""
    out: set[str] = set()
    m = _CODE_IN_NAME.match(name.strip())
    if m:
        out.add(m.group(1))
    m = _CODE_AT_END.search(ident)
    if m:
        out.add(m.group(1))
    m = _CODE_AT_START.match(ident)
    if m:
        out.add(m.group(1).upper() + m.group(2))
    return out


@dataclass
class Curated:
    """A curated concept as the matcher sees it."""

    iri: str
    code: str
    labels: list[str]
    broader: str | None


def match_concept(ident: str, name: str, candidates: list[Curated], taken: set[str]) -> tuple[Curated | None, str]:
    """The one curated concept among ``candidates`` that the Nexus record is, and how it matched.

    Returns ``(None, reason)`` when none or several qualify.
    """
    free = [c for c in candidates if c.iri not in taken]
    codes = code_candidates(ident, name)
    by_code = [c for c in free if c.code in codes and any(labels_overlap(name, lab) for lab in c.labels)]
    if len(by_code) == 1:
        return by_code[0], "code"
    exact = [c for c in free if any(labels_same(name, lab) for lab in c.labels)]
    if len(exact) == 1:
        return exact[0], "label"
    by_label = exact or [c for c in free if any(labels_agree(name, lab) for lab in c.labels)]
    if len(by_label) == 1:
        return by_label[0], "label"
    if len(by_label) > 1:
        return None, "ambiguous: " + ", ".join(sorted(c.code for c in by_label))
    return None, "no curated concept agrees"
