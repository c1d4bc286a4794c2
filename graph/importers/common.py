"""What every importer shares: limits, safe readers, the N-Triples builder and the import result.

An importer reads a user's file into an :class:`ImportResult`: the canonical N-Triples of one named
graph (sorted lines, so the same file always gives the same bytes), the counts of what it read,
where the data came from (licence, attribution, version) and every problem it met. Nothing here
touches the workspace or a store; :mod:`graph.importers` validates the result and
:mod:`graph.importers.workspace` stores it.

Imported text stays data: it is written as RDF literals, never interpreted (no HTML, no
Markdown, no spreadsheet formulas), and markup characters are kept as they are.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.core.errors import DataError, Location, Problem
from graph.core.namespaces import AR, DCTERMS, FOAF, ID, IMPORT_PREFIXES, OWL, PROV, RDF, RDFS, SKOS, XSD
from graph.core.yamlpos import parse_yaml
from graph.store.kg import IMPORT_GRAPH_PREFIX

#: Largest input file an importer reads (bytes).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Longest text an importer accepts in one field or spreadsheet cell (characters).
MAX_TEXT_CHARS = 100_000
#: Import names: lowercase slugs, also the last segment of the named graph IRI.
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

IMPORT_SOURCE_NS = IMPORT_PREFIXES["imp"]

_IRI_OK = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")
_URL_OK = re.compile(r"^https?://[^\x00-\x20<>\"{}|^`\\]+$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in list(range(0x20)) + [0x7F] if c not in _ESCAPES})

Term = str  # one term in N-Triples syntax: "<iri>" or a quoted literal


def graph_iri(name: str) -> str:
    """The IRI of the named graph of the import called ``name``."""
    return IMPORT_GRAPH_PREFIX + name


def source_iri(name: str) -> str:
    """The IRI of the source record (an ``ar:Source``) that every claim of import ``name`` cites."""
    return IMPORT_SOURCE_NS + name


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid import name, else raise :class:`DataError`."""
    if not NAME_RE.match(name or ""):
        raise DataError(
            f"invalid import name {name!r}: use 1-63 lowercase letters, digits and '-', starting with a letter or digit"
        )
    return name


def slug(text: str) -> str:
    """A lowercase ``[a-z0-9-]`` slug of ``text`` (``cyberseceval_3`` -> ``cyberseceval-3``)."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


# ---------------------------------------------------------------------------------------------- terms
def iri(value: str) -> Term:
    """An IRI term; ``value`` must already be a valid absolute IRI."""
    if not _IRI_OK.match(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def mint(namespace: str, local: str) -> str:
    """An IRI in ``namespace`` whose last segment is ``local``, percent-encoded."""
    return namespace + quote(local, safe="._-~")


def clean_text(text: str) -> str:
    """Text as stored: surrounding white space removed, invalid surrogates replaced by U+FFFD."""
    text = text.strip()
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def lit(value: Any, lang: str | None = None, datatype: str | None = None) -> Term:
    """A literal term. Strings are escaped for N-Triples; control characters become ``\\uXXXX``."""
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD}boolean>'
    if isinstance(value, int) and datatype is None:
        return f'"{value}"^^<{XSD}integer>'
    text = clean_text(str(value)) if isinstance(value, str) else str(value)
    body = '"' + text.translate(_ESCAPES) + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype and datatype != f"{XSD}string":
        return f"{body}^^<{datatype}>"
    return body


def text_lit(value: str) -> Term:
    """English text (labels, descriptions), tagged ``@en`` like the curated data."""
    return lit(value, lang="en")


def date_lit(value: str) -> Term | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a prefix of a longer timestamp is fine) as a typed literal."""
    m = re.match(r"^(\d{4})(-(0[1-9]|1[0-2]))?(-(0[1-9]|[12]\d|3[01]))?", value.strip())
    if not m:
        return None
    text = m.group(0)
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(text)]
    return lit(text, datatype=f"{XSD}{kind}")


def url_term(value: Any) -> Term | None:
    """An http(s) URL as an IRI term, or None when ``value`` is not a clean URL."""
    if isinstance(value, str) and _URL_OK.match(value.strip()):
        return f"<{value.strip()}>"
    return None


P = {
    "type": iri(str(RDF.type)),
    "label": iri(str(RDFS.label)),
    "comment": iri(str(RDFS.comment)),
    "seeAlso": iri(str(RDFS.seeAlso)),
    "prefLabel": iri(str(SKOS.prefLabel)),
    "altLabel": iri(str(SKOS.altLabel)),
    "definition": iri(str(SKOS.definition)),
    "notation": iri(str(SKOS.notation)),
    "inScheme": iri(str(SKOS.inScheme)),
    "broader": iri(str(SKOS.broader)),
    "narrower": iri(str(SKOS.narrower)),
    "topConceptOf": iri(str(SKOS.topConceptOf)),
    "hasTopConcept": iri(str(SKOS.hasTopConcept)),
    "identifier": iri(str(DCTERMS.identifier)),
    "title": iri(str(DCTERMS.title)),
    "description": iri(str(DCTERMS.description)),
    "source": iri(str(DCTERMS.source)),
    "publisher": iri(str(DCTERMS.publisher)),
    "license": iri(str(DCTERMS.license)),
    "rights": iri(str(DCTERMS.rights)),
    "creator": iri(str(DCTERMS.creator)),
    "date": iri(str(DCTERMS.date)),
    "created": iri(str(DCTERMS.created)),
    "modified": iri(str(DCTERMS.modified)),
    "issued": iri(str(DCTERMS.issued)),
    "isPartOf": iri(str(DCTERMS.isPartOf)),
    "citation": iri(str(DCTERMS.bibliographicCitation)),
    "page": iri(str(FOAF.page)),
    "versionInfo": iri(str(OWL.versionInfo)),
    "sameAs": iri(str(OWL.sameAs)),
    "annotatedSource": iri(str(OWL.annotatedSource)),
    "annotatedProperty": iri(str(OWL.annotatedProperty)),
    "annotatedTarget": iri(str(OWL.annotatedTarget)),
    "wasDerivedFrom": iri(str(PROV.wasDerivedFrom)),
}
C = {
    "Axiom": iri(str(OWL.Axiom)),
    "Concept": iri(str(SKOS.Concept)),
    "ConceptScheme": iri(str(SKOS.ConceptScheme)),
    "Plan": iri(str(PROV.Plan)),
    "ProvEntity": iri(str(PROV.Entity)),
    "BibliographicResource": iri(str(DCTERMS.BibliographicResource)),
}


def ar(local: str) -> Term:
    """A term of the AI Risk Graph ontology, ``ar:local``."""
    return iri(str(AR) + local)


# ---------------------------------------------------------------------------------------------- builder
class Triples:
    """A set of N-Triples lines for one import, with the claim-with-evidence pattern of the curated data."""

    def __init__(self, name: str):
        self.name = name
        self.source = iri(source_iri(name))
        self.lines: set[str] = set()

    def add(self, s: Term, p: Term, o: Term | None) -> None:
        if o is not None:
            self.lines.add(f"{s} {p} {o} .")

    def text(self, s: Term, p: Term, value: Any, lang: bool = True) -> None:
        """Add a text literal (tagged ``@en`` unless ``lang`` is False) when ``value`` is non-empty."""
        if value is None:
            return
        text = clean_text(str(value))
        if text:
            self.add(s, p, text_lit(text) if lang else lit(text))

    def claim(
        self,
        s: Term,
        p: Term,
        o: Term,
        note: str | None = None,
        locator: str | None = None,
        sources: list[Term] | None = None,
        extra: list[tuple[Term, Term]] | None = None,
    ) -> Term:
        """Assert ``s p o`` and its evidence node citing the import's source record (and ``sources``)."""
        self.add(s, p, o)
        digest = hashlib.sha1(f"{s}|{p}|{o}|import:{self.name}".encode()).hexdigest()[:16]
        ax = iri(f"{ID}link/{digest}")
        self.add(ax, P["type"], C["Axiom"])
        self.add(ax, P["type"], ar("Evidence"))
        self.add(ax, P["annotatedSource"], s)
        self.add(ax, P["annotatedProperty"], p)
        self.add(ax, P["annotatedTarget"], o)
        self.add(ax, P["source"], self.source)
        for src in sources or []:
            self.add(ax, P["source"], src)
        if note:
            self.text(ax, P["comment"], note)
        if locator:
            self.add(ax, ar("locator"), lit(locator))
        for prop, value in extra or []:
            self.add(ax, prop, value)
        return ax

    def ntriples(self) -> bytes:
        """The canonical serialisation: sorted lines, UTF-8, one triple per line."""
        return ("\n".join(sorted(self.lines)) + "\n").encode("utf-8") if self.lines else b""


# ---------------------------------------------------------------------------------------------- results
@dataclass
class SourceInfo:
    """Where imported data came from, kept with the import (manifest and source record)."""

    title: str
    publisher: str
    version: str
    licence: str
    attribution: str
    url: str | None
    file: str
    file_sha256: str = ""
    file_bytes: int = 0
    licence_basis: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ImportResult:
    """What an importer produced: the named graph's N-Triples, counts, provenance and problems."""

    kind: str
    name: str
    ntriples: bytes
    counts: dict[str, int]
    source: SourceInfo
    problems: list[Problem] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    #: ``ar:`` class local name -> how many subjects the import graph types with it (set by the check)
    entities: dict[str, int] = field(default_factory=dict)

    @property
    def graph(self) -> str:
        return graph_iri(self.name)

    @property
    def triples(self) -> int:
        return self.ntriples.count(b"\n")

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


class Problems:
    """Collects problems while reading; :meth:`fail` raises them all as one :class:`DataError`."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def warn(self, message: str, where: Location, hint: str | None = None) -> None:
        self.items.append(Problem(message, where, "warning", hint, "import"))

    def error(self, message: str, where: Location, hint: str | None = None) -> None:
        self.items.append(Problem(message, where, "error", hint, "import"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def raise_errors(self) -> None:
        if self.errors:
            raise DataError(self.errors)


def source_record(t: Triples, info: SourceInfo) -> None:
    """Write the import's source record: an ``ar:Source`` with title, publisher, version, licence, attribution."""
    s = t.source
    for cls in (ar("Source"), ar("ImportedDataset"), C["BibliographicResource"], C["ProvEntity"]):
        t.add(s, P["type"], cls)
    t.add(s, P["identifier"], lit(f"import/{t.name}"))
    t.text(s, P["title"], info.title)
    t.text(s, P["label"], info.title)
    t.text(s, P["publisher"], info.publisher, lang=False)
    t.text(s, P["versionInfo"], info.version, lang=False)
    t.text(s, P["license"], info.licence, lang=False)
    t.text(s, P["rights"], info.attribution)
    t.add(s, ar("sourceKind"), lit("dataset"))
    if info.url:
        t.add(s, P["page"], url_term(info.url))


# ---------------------------------------------------------------------------------------------- reading
def read_file(path: Path, what: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file of at most ``max_bytes``; raise DataError naming the file otherwise."""
    where = Location(str(path))
    try:
        if not path.exists():
            raise DataError(f"no such file ({what} expected)", where)
        if path.is_dir():
            raise DataError(f"is a folder, not a file ({what} expected)", where)
        size = path.stat().st_size
        if size > max_bytes:
            raise DataError(f"file is too large: {size} bytes (limit {max_bytes})", where)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror}", where) from None
    if len(data) > max_bytes:
        raise DataError(f"file is too large (limit {max_bytes} bytes)", where)
    if not data.strip():
        raise DataError(f"file is empty ({what} expected)", where)
    return data


def sniff(data: bytes) -> str:
    """Guess what a file is from its first bytes: ``zip``, ``ole`` (old Office), ``gzip``, ``pdf`` or ``text``."""
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:5] == b"%PDF-":
        return "pdf"
    return "text"


def decode_text(data: bytes, name: str, what: str) -> str:
    """Decode UTF-8 text (a BOM is allowed); refuse binary files with a clear message."""
    kind = sniff(data)
    if kind != "text":
        label = {"zip": "a zip archive (an XLSX workbook or wheel?)", "ole": "an old-format Office file"}.get(
            kind, f"a {kind} file"
        )
        raise DataError(f"this is {label}, not {what}", Location(name))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}); {what} expected", Location(name, line)
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"binary data (a NUL byte); {what} expected", Location(name, line))
    return text


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML safely: no aliases or anchors, no merge keys, no custom tags, bounded nesting."""
    try:
        return parse_yaml(text, name)
    except RecursionError:
        raise DataError("YAML nesting is too deep", Location(name)) from None
    except DataError as exc:
        first = exc.problems[0] if exc.problems else None
        if first and "aliases" in first.message:
            raise DataError(
                "YAML aliases ('*name') are not accepted in imported files (they can expand without bound)",
                first.location,
            ) from None
        raise


def check_text(value: Any, where: Location) -> str | None:
    """A text field as stored: None when empty; DataError when longer than :data:`MAX_TEXT_CHARS`."""
    if value is None:
        return None
    text = clean_text(str(value))
    if len(text) > MAX_TEXT_CHARS:
        raise DataError(f"text is too long: {len(text)} characters (limit {MAX_TEXT_CHARS})", where)
    return text or None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
