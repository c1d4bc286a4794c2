"""The state an IBM AI Atlas Nexus import builds up: the triples, the IRIs given to Nexus ids, counts."""

from __future__ import annotations

from graph.core.errors import Location
from graph.core.namespaces import ID
from graph.importers.common import (
    Problems,
    Triples,
)
from graph.importers.context import Context
from graph.importers.nexus.read import Item, Release

KIND = "ai-atlas-nexus"
DOC_NS = ID + "source/ai-atlas-nexus/"
AGENT = ID + "agent/ibm-ai-atlas-nexus-contributors"
RISK_TYPES = {"Risk", "RiskGroup"}
MTYPE_TYPES = {"RiskControlGroup", "Principle"}
MITIGATION_TYPES = {"Action", "RiskControl", "Requirement"}
PARENT_FIELDS = ("isPartOf", "broader")
CHILD_FIELDS = ("hasPart", "narrower")
#: Publishers of the taxonomies Nexus holds that we do not curate (Nexus does not name them).
PUBLISHERS = {
    "ibm-risk-atlas": "IBM",
    "ibm-granite-guardian": "IBM",
    "shieldgemma-taxonomy": "Google",
    "credo-ucf": "Credo AI",
    "aiuc1": "Artificial Intelligence Underwriting Company (AIUC)",
    "mit-draft-ai-risk-mitigation": "MIT FutureTech (MIT AI Risk Initiative)",
}
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"


class State:
    """What the builder's parts share."""

    def __init__(self, release: Release, name: str, ctx: Context, problems: Problems):
        self.r, self.ctx, self.problems = release, ctx, problems
        self.t = Triples(name)
        #: nexus id -> (kind, IRI) for everything imported: risk, mtype, mitigation, test
        self.node: dict[str, tuple[str, str]] = {}
        self.scheme_of: dict[str, str] = {}  # risk IRI -> prefix
        self.schemes: dict[str, dict[str, object]] = {}
        self.counts: dict[str, int] = {}
        self.prefixes: dict[str, str] = {}
        self.docs: set[str] = set()
        self.folded: set[tuple[str, str, str]] = set()
        self.linked: set[str] = set()  # IRIs of imported measures and tests with a risk link
        self.mitigation_pairs: set[tuple[str, str]] = set()  # (measure IRI, risk IRI), once each

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def refs(self, item: Item, key: str) -> list[str]:
        """The ids field ``key`` of ``item`` names (matched ignoring case when not exact, with a warning)."""
        out = []
        for ref in item.values(key):
            hit = self.r.lookup(ref)
            if hit is not None and hit != ref and (item.id, key, ref) not in self.folded:
                self.folded.add((item.id, key, ref))
                self.count("references matched ignoring case")
            out.append(hit or ref)
        return out

    def where(self, item: Item, key: str | None = None) -> Location:
        file, line = item.at.get(key, (item.file, item.line)) if key else (item.file, item.line)
        return Location(file, line, None, item.id, key)

    # ------------------------------------------------------------------ taxonomies and concepts
