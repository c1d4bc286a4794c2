"""IBM AI Atlas Nexus: reading a release (:mod:`.read`), the IRI reuse rule (:mod:`.match`),
and the graph it becomes (:mod:`.build`)."""

from graph.importers.nexus.build import import_ai_atlas_nexus

__all__ = ["import_ai_atlas_nexus"]
