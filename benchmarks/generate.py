"""Seeded synthetic AI Risk Graph data, shaped like the real graph, for benchmarks.

``generate(n_units, seed)`` returns N-Triples. One *unit* adds 5 risk categories (a mid-level
concept under a top concept of one of five taxonomies, and four narrower concepts: a 3 to 4
level ``skos:broader`` tree written in both directions, as ``graph.core.build`` does), 1 capability,
3 test methods and 2 mitigations, a cross-taxonomy SKOS mapping and a source. Every claim
(severity, ``ar:assessesRisk``, ``ar:measuresCapability``, ``ar:enablesRisk``,
``ar:mitigatesRisk``, mappings, not-applicable) also gets its ``owl:Axiom``/``ar:Evidence`` node
with ``dcterms:source`` and a comment, exactly like the curated data. About 20 % of leaf risks
are assessed by no test and a quarter of capabilities are measured by no test; 80 % of risks
carry a severity; 3 % are marked not applicable.

One unit is about 245 triples: ``units_for_triples(1e6)`` gives the unit count for a target
size. IRIs are minted with :mod:`graph.core.namespaces`, so the analyses see the same shapes as on
the curated data.

Command line::

    python benchmarks/generate.py --triples 100000 --seed 42 --out /tmp/g100k.nt
    python benchmarks/generate.py --units 400 --format ttl --out /tmp/g.ttl
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.index.data import METHOD_TYPE_ORDER  # noqa: E402  (the checkout's library, for scripts)

BASE = "https://w3id.org/airisk/"
ID = BASE + "id/"
AR = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: The taxonomy prefixes used for generated risks (real prefixes, so CURIEs render).
TAXONOMIES = ("mit", "nist600", "owasp-llm", "atlas", "euaia")
#: The method-type vocabulary of the curated data (data/method-types.yaml).
METHOD_TYPES = METHOD_TYPE_ORDER
MITIGATION_TYPES = ("model-training", "input-output-filtering", "access-control", "monitoring")
MAPPING_PREDICATES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
TRIPLES_PER_UNIT = 245  # measured average, see units_for_triples()


def units_for_triples(triples: float) -> int:
    """The number of units that gives about ``triples`` triples."""
    return max(1, round(float(triples) / TRIPLES_PER_UNIT))


def _risk(prefix: str, code: str) -> str:
    return f"{ID}risk/{prefix}/{code}"


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def iri(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> .\n")

    def lit(self, s: str, p: str, text: str, lang: str | None = "en") -> None:
        tag = f"@{lang}" if lang else ""
        self.lines.append(f'<{s}> <{p}> "{text}"{tag} .\n')

    def typed(self, s: str, p: str, value: str, datatype: str) -> None:
        self.lines.append(f'<{s}> <{p}> "{value}"^^<{datatype}> .\n')

    def claim(self, s: str, p: str, o: str, source: str, literal: str | None = None) -> str:
        """The triple and its evidence node (``link:`` IRI minted as in graph.core.namespaces.link_iri)."""
        if literal is None:
            self.iri(s, p, o)
        else:
            self.typed(s, p, o, literal)
        digest = hashlib.sha1(f"{s}|{p}|{o}".encode()).hexdigest()[:16]
        ax = f"{ID}link/{digest}"
        self.iri(ax, RDF_TYPE, OWL + "Axiom")
        self.iri(ax, RDF_TYPE, AR + "Evidence")
        self.iri(ax, OWL + "annotatedSource", s)
        self.iri(ax, OWL + "annotatedProperty", p)
        if literal is None:
            self.iri(ax, OWL + "annotatedTarget", o)
        else:
            self.typed(ax, OWL + "annotatedTarget", o, literal)
        self.iri(ax, DCT + "source", source)
        self.lit(ax, RDFS + "comment", "generated rationale")
        return ax


def generate(n_units: int, seed: int = 42) -> str:
    """Return a synthetic graph of ``n_units`` units as N-Triples (deterministic for a seed)."""
    rng = random.Random(seed)
    w = _Writer()
    src0 = f"{ID}source/gen-src-0"
    w.iri(src0, RDF_TYPE, AR + "Source")
    w.lit(src0, DCT + "title", "Generated source 0")
    for prefix in TAXONOMIES:
        scheme = f"{ID}scheme/{prefix}"
        w.iri(scheme, RDF_TYPE, AR + "Taxonomy")
        w.iri(scheme, RDF_TYPE, SKOS + "ConceptScheme")
        w.lit(scheme, AR + "prefix", prefix, None)
        w.lit(scheme, DCT + "title", f"Generated taxonomy {prefix}")
        w.iri(scheme, DCT + "source", src0)
    for mt in METHOD_TYPES:
        m = f"{ID}method-type/{mt}"
        w.iri(m, RDF_TYPE, AR + "MethodType")
        w.iri(m, RDF_TYPE, SKOS + "Concept")
        w.lit(m, DCT + "identifier", mt, None)
        w.lit(m, RDFS + "label", mt.replace("-", " "))
    for mt in MITIGATION_TYPES:
        m = f"{ID}mitigation-type/{mt}"
        w.iri(m, RDF_TYPE, AR + "MitigationType")
        w.lit(m, RDFS + "label", mt.replace("-", " "))

    tops: dict[str, list[str]] = {p: [] for p in TAXONOMIES}
    leaves: dict[str, list[str]] = {p: [] for p in TAXONOMIES}
    all_risks: list[str] = []
    tested_leaves: list[str] = []

    def add_risk(prefix: str, code: str, parent: str | None, source: str) -> str:
        r = _risk(prefix, code)
        scheme = f"{ID}scheme/{prefix}"
        w.iri(r, RDF_TYPE, AR + "RiskCategory")
        w.iri(r, RDF_TYPE, SKOS + "Concept")
        w.iri(r, SKOS + "inScheme", scheme)
        w.lit(r, SKOS + "notation", code, None)
        w.lit(r, DCT + "identifier", f"{prefix}:{code}", None)
        w.lit(r, SKOS + "prefLabel", f"Risk {prefix} {code}")
        w.lit(r, RDFS + "label", f"Risk {prefix} {code}")
        w.lit(r, DCT + "description", f"Generated description of risk {code}.")
        w.iri(r, DCT + "source", source)
        if parent is None:
            w.iri(r, SKOS + "topConceptOf", scheme)
            w.iri(scheme, SKOS + "hasTopConcept", r)
        else:
            w.iri(r, SKOS + "broader", parent)
            w.iri(parent, SKOS + "narrower", r)
        if rng.random() < 0.8:
            w.claim(r, AR + "severity", str(rng.randint(1, 5)), source, XSD + "integer")
        if rng.random() < 0.03:
            w.claim(r, AR + "notApplicable", "true", source, XSD + "boolean")
        all_risks.append(r)
        return r

    for u in range(n_units):
        prefix = TAXONOMIES[u % len(TAXONOMIES)]
        src = f"{ID}source/gen-src-{u + 1}"
        w.iri(src, RDF_TYPE, AR + "Source")
        w.lit(src, DCT + "title", f"Generated source {u + 1}")
        w.iri(src, FOAF + "page", f"https://example.org/source/{u + 1}")
        if not tops[prefix] or rng.random() < 0.05:
            top = add_risk(prefix, f"T{len(tops[prefix]) + 1}", None, src)
            tops[prefix].append(top)
        top = rng.choice(tops[prefix])
        mid = add_risk(prefix, f"U{u}", top, src)
        unit_leaves: list[str] = []
        for j in range(4):
            parent = mid
            if j == 3 and leaves[prefix] and rng.random() < 0.5:
                parent = rng.choice(leaves[prefix])  # a fourth level
            unit_leaves.append(add_risk(prefix, f"U{u}.{j + 1}", parent, src))
        leaves[prefix].extend(unit_leaves[:3])
        tested = [r for r in unit_leaves if rng.random() >= 0.2]
        tested_leaves.extend(tested)

        cap = f"{ID}capability/gen-cap-{u}"
        w.iri(cap, RDF_TYPE, AR + "Capability")
        w.iri(cap, RDF_TYPE, SKOS + "Concept")
        w.lit(cap, DCT + "identifier", f"gen-cap-{u}", None)
        w.lit(cap, RDFS + "label", f"Capability {u}")
        w.lit(cap, DCT + "description", f"Generated capability {u}.")
        w.iri(cap, DCT + "source", src)
        for n, r in enumerate(rng.sample(unit_leaves + [mid], rng.randint(1, 2))):
            ax = w.claim(cap, AR + "enablesRisk", r, src)
            w.iri(ax, AR + "linkRole", AR + ("EvidenceRole" if n == 0 else "ContextRole"))  # first link: evidence
            w.lit(ax, AR + "roleNote", "generated role rationale")
        cap_measured = rng.random() >= 0.25

        for k in range(3):
            t = f"{ID}test-method/gen-test-{u}-{k}"
            w.iri(t, RDF_TYPE, AR + "TestMethod")
            w.iri(t, RDF_TYPE, PROV + "Plan")
            w.lit(t, DCT + "identifier", f"gen-test-{u}-{k}", None)
            w.lit(t, RDFS + "label", f"Test {u}-{k}")
            w.lit(t, SKOS + "altLabel", f"T{u}K{k}")
            w.lit(t, DCT + "description", f"Generated test method {u}-{k}.")
            w.iri(t, AR + "methodType", f"{ID}method-type/{rng.choice(METHOD_TYPES)}")
            w.typed(t, AR + "year", str(2020 + rng.randint(0, 5)), XSD + "gYear")
            w.iri(t, DCT + "source", src)
            pool = tested if tested else [mid]
            for r in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
                w.claim(t, AR + "assessesRisk", r, src)
            if cap_measured and rng.random() < 0.5:
                w.claim(t, AR + "measuresCapability", cap, src)
            if u > 0 and rng.random() < 0.3:
                w.claim(t, AR + "measuresCapability", f"{ID}capability/gen-cap-{rng.randrange(u)}", src)

        for k in range(2):
            m = f"{ID}mitigation/gen-mtg-{u}-{k}"
            w.iri(m, RDF_TYPE, AR + "Mitigation")
            w.lit(m, DCT + "identifier", f"gen-mtg-{u}-{k}", None)
            w.lit(m, RDFS + "label", f"Mitigation {u}-{k}")
            w.iri(m, AR + "mitigationType", f"{ID}mitigation-type/{rng.choice(MITIGATION_TYPES)}")
            w.iri(m, DCT + "source", src)
            for r in rng.sample(unit_leaves, rng.randint(1, 2)):
                w.claim(m, AR + "mitigatesRisk", r, src)

        if u >= len(TAXONOMIES):
            other_prefix = TAXONOMIES[(u + 1 + rng.randrange(len(TAXONOMIES) - 1)) % len(TAXONOMIES)]
            if leaves[other_prefix]:
                a = rng.choice(unit_leaves)
                b = rng.choice(leaves[other_prefix])
                pred = SKOS + rng.choice(MAPPING_PREDICATES)
                w.claim(a, pred, b, src)
                ax = f"{ID}link/" + hashlib.sha1(f"{a}|{pred}|{b}".encode()).hexdigest()[:16]
                w.iri(ax, RDF_TYPE, AR + "Mapping")
    return "".join(w.lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--units", type=int, help="number of units (about 245 triples each)")
    size.add_argument("--triples", type=float, help="target number of triples, e.g. 1e6")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=("nt", "ttl"), default="nt")
    parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    units = args.units if args.units is not None else units_for_triples(args.triples)
    nt = generate(units, args.seed)
    data: str | bytes = nt
    if args.format == "ttl":
        import pyoxigraph as ox

        store = ox.Store()
        store.load(nt, format=ox.RdfFormat.N_TRIPLES)
        data = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()) or b""
    if args.out:
        if isinstance(data, str):
            args.out.write_text(data, encoding="utf-8")
        else:
            args.out.write_bytes(data)
    else:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
