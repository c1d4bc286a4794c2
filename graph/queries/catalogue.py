"""The query catalogue: named SPARQL queries in ``graph/queries/*.rq``.

Each file starts with a header of ``#`` comment lines::

    # title: Test methods that assess risks under an MIT domain
    # description: Which test methods assess a risk under the given MIT domain ...
    # param: domain risk mit:4 -- the MIT domain (any taxonomy's risk CURIE works)
    # competency: Which test methods assess risks under MIT domain 4?

Parameters appear in the query body as ``{{name}}`` and are replaced by a correctly written RDF
term (an ``<IRI>`` or an escaped literal), never by raw text, so a parameter cannot change the
shape of the query. Parameter types: ``risk`` (a risk CURIE), ``taxonomy`` (a prefix),
``capability``, ``test_method``, ``mitigation``, ``organisation``, ``exercise``, ``report`` (ids or CURIEs),
``iri``, ``string``, ``int``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.core.errors import NotFound, QueryError
from graph.core.namespaces import ENTITY_KINDS, entity_iri, expand, scheme_iri
from graph.core.resources import queries_dir

_IRI_OK = re.compile(r'^[^<>"{}|^`\\\s]+$')
_CURIE = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._-]*$")
_PARAM_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
ENTITY_PARAM_TYPES = {
    "capability", "test_method", "mitigation", "organisation", "exercise", "report", "model", "source"
}  # fmt: skip


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class CatalogueQuery:
    """A named query of the catalogue."""

    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    competency: str = ""
    path: str = ""

    def render(self, values: dict[str, str] | None = None, prefixes: dict[str, str] | None = None) -> str:
        """Return the query text with every ``{{param}}`` replaced by an RDF term."""
        values = dict(values or {})
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise QueryError(f"query {self.name!r} has no parameter {sorted(unknown)[0]!r} (parameters: {known})")
        terms: dict[str, str] = {}
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None:
                raise QueryError(f"query {self.name!r} needs parameter {p.name!r} ({p.description})")
            terms[p.name] = term_for(p, str(raw), prefixes)
        return _PARAM_RE.sub(lambda m: terms[m.group(1)], self.text)


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _iri(text: str) -> str:
    if not _IRI_OK.match(text) or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        raise QueryError(f"{text!r} is not a valid IRI")
    return f"<{text}>"


def term_for(p: Param, raw: str, prefixes: dict[str, str] | None = None) -> str:
    """Write the parameter value ``raw`` as a SPARQL term for a parameter of ``p.type``."""
    if p.type == "string":
        return _literal(raw)
    if p.type == "int":
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise QueryError(f"parameter {p.name!r} must be a whole number, got {raw!r}")
        return raw.strip()
    if p.type == "taxonomy":
        if raw.startswith(("http://", "https://")):
            return _iri(raw)
        return _iri(str(scheme_iri(raw.rstrip(":"))))
    if p.type == "risk" and not raw.startswith(("http://", "https://")) and not _CURIE.match(raw):
        raise QueryError(f"parameter {p.name!r}: {raw!r} is not a risk CURIE (write e.g. mit:4.2)")
    if p.type in ("risk", "iri"):
        iri = expand(raw, prefixes) if ":" in raw else None
        if iri is None:
            raise QueryError(f"parameter {p.name!r}: {raw!r} is not a known CURIE or IRI (write e.g. mit:4.2)")
        return _iri(iri)
    if p.type in ENTITY_PARAM_TYPES:
        if ":" in raw:
            iri = expand(raw, prefixes)
            if iri is None:
                raise QueryError(f"parameter {p.name!r}: unknown prefix in {raw!r}")
            return _iri(iri)
        kind = p.type
        if kind not in ENTITY_KINDS:
            raise QueryError(f"unknown entity kind {kind!r}")
        return _iri(str(entity_iri(kind, raw)))
    raise QueryError(f"query parameter {p.name!r} has an unknown type {p.type!r}")


def parse_query_file(path: Path) -> CatalogueQuery:
    """Read one ``.rq`` file with its header."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            spec, _, desc = value.partition("--")
            parts = spec.split()
            if len(parts) < 2:
                raise QueryError(f"{path.name}: a param line needs 'name type [default]'")
            params.append(Param(parts[0], parts[1], parts[2] if len(parts) > 2 else None, desc.strip()))
        elif key in ("title", "description", "competency"):
            meta[key] = (meta.get(key, "") + " " + value).strip()
    declared = {p.name for p in params}
    used = set(_PARAM_RE.findall(text))
    if used - declared:
        raise QueryError(f"{path.name}: placeholders without a param line: {sorted(used - declared)}")
    return CatalogueQuery(
        name=path.stem,
        title=meta.get("title", path.stem),
        description=meta.get("description", ""),
        text=text,
        params=tuple(params),
        competency=meta.get("competency", ""),
        path=str(path),
    )


_PARSED: dict[tuple[str, int, int], CatalogueQuery] = {}


def load_catalogue(folder: Path | None = None) -> dict[str, CatalogueQuery]:
    """Read every ``.rq`` file of the catalogue, by name.

    Each file is parsed once per version: a parsed query is kept under its path, size and
    modification time, so an edited or added file is read again and an unchanged one is not.
    """
    folder = folder or queries_dir()
    out: dict[str, CatalogueQuery] = {}
    for p in sorted(folder.glob("*.rq")):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        key = (str(p), st.st_size, st.st_mtime_ns)
        query = _PARSED.get(key)
        if query is None:
            query = parse_query_file(p)
            _PARSED[key] = query
        out[p.stem] = query
    return out


def get_query(name: str, folder: Path | None = None) -> CatalogueQuery:
    """Return the catalogue query ``name``; raise NotFound with the closest names."""
    cat = load_catalogue(folder)
    if name in cat:
        return cat[name]
    import difflib

    close = difflib.get_close_matches(name, list(cat), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known queries: {', '.join(cat)}"
    raise NotFound(f"no query named {name!r} in the catalogue{hint}")
