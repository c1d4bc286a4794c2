"""AI Risk Graph: a knowledge graph of AI risks, capabilities, test methods and mitigations.

The library every face of the project uses (the ``airisk`` CLI, the SPARQL endpoint and the
Streamlit app). Start with :class:`graph.store.kg.KnowledgeGraph`::

    from graph import KnowledgeGraph
    kg = KnowledgeGraph.load()
    kg.query("risks-by-taxonomy", {"taxonomy": "nist600"})
"""

from typing import TYPE_CHECKING, Any

from graph.core.errors import AiriskError, DataError, NotFound, QueryError, QueryRefused, QueryTimeout, StoreError
from graph.core.resources import VERSION

if TYPE_CHECKING:
    from graph.store.kg import KnowledgeGraph


def __getattr__(name: str) -> Any:
    # KnowledgeGraph pulls in rdflib and pyoxigraph: imported on first use, so that importing a
    # light part of the package (``airisk --help``, the errors) stays fast.
    if name == "KnowledgeGraph":
        from graph.store.kg import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


__version__ = VERSION

__all__ = [
    "AiriskError",
    "DataError",
    "KnowledgeGraph",
    "NotFound",
    "QueryError",
    "QueryRefused",
    "QueryTimeout",
    "StoreError",
    "__version__",
]
