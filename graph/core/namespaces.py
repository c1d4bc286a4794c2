"""IRIs and CURIE prefixes: every IRI of AI Risk Graph is minted here.

The IRI scheme (see README, "IRIs and prefixes"):

- ontology terms: ``https://w3id.org/airisk/ontology#Term`` (prefix ``ar:``)
- taxonomies (concept schemes): ``https://w3id.org/airisk/id/scheme/{prefix}``
- risk categories: ``https://w3id.org/airisk/id/risk/{prefix}/{code}`` (prefix ``{prefix}:``)
- other entities: ``https://w3id.org/airisk/id/{kind}/{id}`` (``cap:``, ``test:``, ``mtg:`` ...)
- evidence nodes of links: ``https://w3id.org/airisk/id/link/{sha1(s|p|o)[:16]}``
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from rdflib import URIRef


def _uri(text: str) -> URIRef:
    # rdflib is imported on first use: a command that reads a cached store never builds RDF.
    from rdflib import URIRef

    return URIRef(text)


class Namespace(str):
    """An IRI namespace, as rdflib's: ``AR.Capability`` and ``AR["Capability"]`` are that term's ``URIRef``.

    Unlike ``rdflib.Namespace`` it does not import rdflib until a term is asked for, so the many
    modules that only need the namespace strings load without it.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        return _uri(str.__str__(self) + name)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return _uri(str.__str__(self) + key)
        return str.__getitem__(self, key)

    def term(self, name: str) -> URIRef:
        """The ``URIRef`` of ``name`` in this namespace."""
        return _uri(str.__str__(self) + name)

    @property
    def title(self) -> URIRef:  # type: ignore[override]
        """The term ``title`` (``str.title`` would hide it, as rdflib's Namespace also handles)."""
        return _uri(str.__str__(self) + "title")


BASE = "https://w3id.org/airisk/"
ID = BASE + "id/"

AR = Namespace(BASE + "ontology#")
SH_AR = Namespace(BASE + "shapes#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
SCHEMA = Namespace("https://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VANN = Namespace("http://purl.org/vocab/vann/")

#: Kinds of entity and the IRI path segment and CURIE prefix of each.
ENTITY_KINDS: dict[str, tuple[str, str]] = {
    "capability": ("capability", "cap"),
    "test_method": ("test-method", "test"),
    "mitigation": ("mitigation", "mtg"),
    "method_type": ("method-type", "mtype"),
    "mitigation_type": ("mitigation-type", "mitype"),
    "organisation": ("org", "org"),
    "model": ("model", "model"),
    "exercise": ("exercise", "exercise"),
    "report": ("report", "report"),
    "outcome": ("outcome", "outcome"),
    "person": ("person", "person"),
    "tester_kind": ("tester-kind", "tkind"),
    "access": ("access", "access"),
    "report_type": ("report-type", "rtype"),
    "verdict": ("verdict", "verdict"),
    "event": ("event", "event"),
    "source": ("source", "src"),
    "scheme": ("scheme", "scheme"),
    "inventory": ("inventory", "inv"),
    "link": ("link", "link"),
    "graph": ("graph", "graph"),
}

#: Standard vocabularies, always declared.
STANDARD_PREFIXES: dict[str, str] = {
    "ar": str(AR),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "semapv": str(SEMAPV),
    "schema": str(SCHEMA),
    "sh": "http://www.w3.org/ns/shacl#",
    "dcat": str(DCAT),
    "void": str(VOID),
    "vann": str(VANN),
}

#: The taxonomies shipped with the curated data. Importers may register more at run time
#: through :func:`risk_namespace`, which works for any prefix.
KNOWN_TAXONOMY_PREFIXES = (
    "mit",
    "mit-causal",
    "nist600",
    "iasr2025",
    "euaia",
    "owasp-llm",
    "ailuminate",
    "atlas",
    "anthropic-rsp",
    "openai-pf",
    "gdm-fsf",
    "air2024",
    "iasr2026",
    "anthropic-rsp3",
    "anthropic-rsp3-4",
    "eu-gpai-cop",
    "owasp-asi",
    "nist-aml2025",
)

#: Namespaces of things the importers mint (graph/importers), with the CURIE prefix of each.
IMPORT_PREFIXES: dict[str, str] = {
    "imp": ID + "source/import/",
    "mit-entry": ID + "risk-entry/mit/",
    "mit-doc": ID + "source/mit-airisk-repository/",
    "atlas-cs": ID + "case-study/atlas/",
}

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PREFIX_RE = re.compile(r"^[a-z][a-z0-9-]*$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def risk_namespace(prefix: str) -> str:
    """Return the namespace IRI of the risk concepts of taxonomy ``prefix``."""
    return f"{ID}risk/{prefix}/"


def scheme_iri(prefix: str) -> URIRef:
    """Return the IRI of the concept scheme (taxonomy) with CURIE prefix ``prefix``."""
    return _uri(f"{ID}scheme/{prefix}")


def risk_iri(prefix: str, code: str) -> URIRef:
    """Return the IRI of the risk concept ``code`` of taxonomy ``prefix``."""
    return _uri(risk_namespace(prefix) + quote(code, safe="._-~"))


def entity_iri(kind: str, ident: str) -> URIRef:
    """Return the IRI of an entity of ``kind`` (a key of :data:`ENTITY_KINDS`)."""
    segment, _ = ENTITY_KINDS[kind]
    return _uri(f"{ID}{segment}/{quote(ident, safe='._-~')}")


def person_slug(name: str) -> str:
    """The IRI slug of a person's name, ASCII letters and digits joined by ``-``.

    >>> person_slug("Michelle Donelan")
    'michelle-donelan'
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "person"


def outcome_iri(report: str, target: str, verdict: str) -> URIRef:
    """The IRI of a report's outcome about ``target`` (a risk or capability IRI) with ``verdict``."""
    digest = hashlib.sha1(f"{target}|{verdict}".encode()).hexdigest()[:12]
    return _uri(f"{ID}outcome/{quote(report, safe='._-~')}/{digest}")


def association_iri(event: str, person: str) -> URIRef:
    """The IRI of the ``prov:Association`` of a person signing (acting in) an event."""
    return _uri(f"{ID}event/{quote(event, safe='._-~')}/signatory/{quote(person, safe='._-~')}")


def link_iri(s: str, p: str, o: str) -> URIRef:
    """Return the deterministic IRI of the evidence node of the triple ``(s, p, o)``."""
    digest = hashlib.sha1(f"{s}|{p}|{o}".encode()).hexdigest()[:16]
    return _uri(f"{ID}link/{digest}")


def all_prefixes(taxonomy_prefixes: tuple[str, ...] | list[str] = KNOWN_TAXONOMY_PREFIXES) -> dict[str, str]:
    """Return every prefix the project publishes: standard, entity kinds and taxonomies."""
    out = dict(STANDARD_PREFIXES)
    for kind, (segment, prefix) in ENTITY_KINDS.items():
        if kind not in ("link", "graph", "scheme"):
            out[prefix] = f"{ID}{segment}/"
    out["scheme"] = f"{ID}scheme/"
    for prefix in taxonomy_prefixes:
        out[prefix] = risk_namespace(prefix)
    return out


def curie(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """Shorten ``iri`` to a CURIE with the longest matching namespace, or return it unchanged.

    >>> curie("https://w3id.org/airisk/id/risk/mit/6.5")
    'mit:6.5'
    """
    table = prefixes if prefixes is not None else all_prefixes()
    best = ""
    best_prefix = ""
    for prefix, ns in table.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if not best:
        return iri
    local = iri[len(best) :]
    if not local or "/" in local or "#" in local:
        return iri
    return f"{best_prefix}:{local}"


def expand(text: str, prefixes: dict[str, str] | None = None) -> str | None:
    """Expand a CURIE to an IRI; return None if its prefix is unknown.

    >>> expand("owasp-llm:LLM01")
    'https://w3id.org/airisk/id/risk/owasp-llm/LLM01'
    """
    if text.startswith(("http://", "https://", "urn:")):
        return text
    if ":" not in text:
        return None
    prefix, local = text.split(":", 1)
    table = prefixes if prefixes is not None else all_prefixes()
    ns = table.get(prefix)
    if ns is None:
        if PREFIX_RE.match(prefix):
            return None
        return None
    return ns + quote(local, safe="._-~")


_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


def add_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """Declare every prefix the query uses but does not declare, on its first line.

    Keeping the declarations on the query's first line leaves its line numbers unchanged, so a
    parser's error position still points into the text the user wrote.
    """
    declared = {m.group(1) or "" for m in _PREFIX_DECL.finditer(query)}
    decl = " ".join(f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefixes.items()) if p not in declared)
    return f"{decl} {query}" if decl else query
