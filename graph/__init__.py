"""AI Risk Graph: a knowledge graph of AI risks, capabilities, test methods and mitigations.

The library every face of the project uses (the ``airisk`` CLI, the SPARQL endpoint and the
Streamlit app). Start with :class:`graph.store.kg.KnowledgeGraph`::

    from graph import KnowledgeGraph
    kg = KnowledgeGraph.load()
    kg.query("risks-by-taxonomy", {"taxonomy": "nist600"})
"""

from graph.core.errors import AiriskError, DataError, NotFound, QueryError, QueryRefused, QueryTimeout, StoreError
from graph.core.resources import VERSION
from graph.store.kg import KnowledgeGraph

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
