"""Finding catalogue test methods by what people write: id, IRI, CURIE, name, alias or Inspect
task, ignoring case; the closest candidates when nothing matches, and the one near-certain
suggestion that ``--accept-suggestions`` takes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from graph.core.errors import DataError, Location, Problem
from graph.index.data import CoverageData, Source, as_data

#: ``--accept-suggestions`` reads a name as its closest test method only from this similarity up
#: (rapidfuzz WRatio, 0-100): a typo or a missing word, not a guess.
ACCEPT_SCORE = 88


class Matcher:
    """Finds catalogue test methods by id, IRI, CURIE, name, alias or Inspect task, ignoring case."""

    def __init__(self, data: CoverageData):
        data.load_aliases()
        self.data = data
        self.exact: dict[str, dict[str, str]] = {}  # key -> {test iri: how}
        self.loose: dict[str, set[str]] = {}
        self.choices: dict[str, set[str]] = {}
        for iri, t in data.tests.items():
            keys = [(t.id, "id"), (iri, "iri"), (f"test:{t.id}", "curie"), (t.label, "name")]
            keys += [(a, "alias") for a in t.aliases]
            for text, how in keys:
                k = text.strip().casefold()
                self.exact.setdefault(k, {}).setdefault(iri, how)
                self.loose.setdefault(_loose(text), set()).add(iri)
                if how in ("id", "name", "alias"):
                    self.choices.setdefault(text, set()).add(iri)

    def display(self, iri: str) -> str:
        t = self.data.tests[iri]
        return f"{t.label} ({t.id})" if t.label != t.id else t.id

    def closest(self, text: str, n: int = 3) -> tuple[str, ...]:
        found: list[str] = []
        for choice, _score, _ in process.extract(text, list(self.choices), scorer=fuzz.WRatio, limit=12):
            for iri in sorted(self.choices[choice]):
                label = self.display(iri)
                if label not in found and _score >= 50:
                    found.append(label)
        return tuple(found[:n])

    def closest_ids(self, text: str, n: int = 3) -> tuple[str, ...]:
        """The catalogue ids of :meth:`closest`, in the same order."""
        by_label = {self.display(iri): self.data.tests[iri].id for iri in self.data.tests}
        return tuple(by_label[c] for c in self.closest(text, n) if c in by_label)

    def suggestion(self, text: str) -> str | None:
        """The id of the one test method ``text`` is a near-certain misspelling of, if any
        (similarity at least :data:`ACCEPT_SCORE`, and no other test method as close)."""
        hits = process.extract(text, list(self.choices), scorer=fuzz.WRatio, limit=6)
        best = [c for c, score, _ in hits if score >= ACCEPT_SCORE]
        if not best:
            return None
        top = max(score for _c, score, _ in hits)
        iris = {iri for c, score, _ in hits if score == top for iri in self.choices[c]}
        return self.data.tests[next(iter(iris))].id if len(iris) == 1 else None

    def match(self, text: str) -> tuple[str | None, str, tuple[str, ...]]:
        """Return ``(test IRI or None, how, candidates)``; ``how`` is ``ambiguous`` or ``none`` on failure."""
        raw = text.strip().strip("<>")
        hits = self.exact.get(raw.casefold())
        if hits and len(hits) == 1:
            iri, how = next(iter(hits.items()))
            return iri, how, ()
        if hits:
            return None, "ambiguous", tuple(self.display(i) for i in sorted(hits))
        loose = self.loose.get(_loose(raw))
        if loose and len(loose) == 1:
            return next(iter(loose)), "loose", ()
        if loose:
            return None, "ambiguous", tuple(self.display(i) for i in sorted(loose))
        return None, "none", self.closest(raw)


def _loose(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def matcher_for(data: CoverageData) -> Matcher:
    m = data.cache.get("matcher")
    if not isinstance(m, Matcher):
        m = Matcher(data)
        data.cache["matcher"] = m
    return m


def resolve_tests(source: Source, names: Iterable[str]) -> list[str]:
    """Test-method IRIs for ids / names / aliases; raise DataError naming each unknown one."""
    data = as_data(source)
    m = matcher_for(data)
    out: list[str] = []
    problems: list[Problem] = []
    for name in names:
        iri, how, cands = m.match(name)
        if iri is None:
            what = "matches several test methods" if how == "ambiguous" else "matches no test method"
            hint = f"closest: {', '.join(cands)}" if cands else None
            problems.append(Problem(f"{name!r} {what}", Location(record=name), hint=hint))
        elif iri not in out:
            out.append(iri)
    if problems:
        raise DataError(problems)
    return out
