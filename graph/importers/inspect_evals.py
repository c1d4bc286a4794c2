"""Inspect evals (the UK AI Security Institute's ``inspect_evals``): evaluation metadata as test methods.

Reads the ``eval.yaml`` metadata files (title, description, arXiv link, group, tags, tasks) from a
checkout, an installed package (a folder, or the word ``installed``) or the wheel, without
importing ``inspect_evals``. Files without a title and tasks (such as the per-challenge files of
Cybench) are not evaluation metadata and are skipped.

Linking policy (README, "Imports", "Linking Inspect evals"): an evaluation that is the same as a
curated test method (a shared Inspect task name, or the same name) is merged into that method (same
IRI, so it keeps the curated links and adds nothing that could disagree with them). Otherwise it
becomes a new ``ar:TestMethod``; it is linked to risks or capabilities only by the explicit table
``inspect_links.yaml``, and flagged ``ar:linkStatus "unlinked"`` when the table has no entry.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import re
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from graph.core.errors import DataError, Location
from graph.core.namespaces import entity_iri, risk_iri
from graph.core.yamlpos import PosDict, PosList, load_yaml
from graph.importers.common import (
    C,
    ImportResult,
    P,
    Problems,
    SourceInfo,
    Triples,
    ar,
    check_text,
    decode_text,
    iri,
    lit,
    load_yaml_text,
    read_file,
    sha256,
    slug,
    source_record,
    url_term,
)
from graph.importers.context import Context, CuratedTestMethod

KIND = "inspect-evals"
MAX_EVAL_FILE = 2 * 1024 * 1024
MAX_FILES = 20_000
LINKS_FILE = Path(__file__).with_name("inspect_links.yaml")
_SKIP_DIRS = {".git", "__pycache__", "node_modules", ".venv", ".tox", "tests", "test"}


@dataclass
class EvalFile:
    """One ``eval.yaml`` found in the input: where it is shown as, and its bytes."""

    shown: str
    eval_id: str
    data: bytes


@dataclass
class Package:
    """What was found: the eval files, and the package's version and licence if stated."""

    files: list[EvalFile]
    version: str = ""
    licence: str = ""
    licence_basis: str = ""
    digest: str = ""
    size: int = 0


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _licence_from_text(text: str) -> str:
    head = text[:300]
    if "MIT License" in head or "Permission is hereby granted, free of charge" in text[:2000]:
        return "MIT"
    if "Apache License" in head:
        return "Apache-2.0"
    return head.strip().splitlines()[0][:80] if head.strip() else ""


def _metadata(text: str) -> tuple[str, str]:
    msg = Parser().parsestr(text, headersonly=True)
    return msg.get("Version", "") or "", msg.get("License-Expression", "") or msg.get("License", "") or ""


def _from_wheel(path: Path, shown: str) -> Package:
    data = read_file(path, "an inspect_evals wheel", max_bytes=256 * 1024 * 1024)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(f"not a readable wheel: damaged or truncated zip ({exc})", Location(shown)) from None
    pkg = Package(files=[], digest=sha256(data), size=len(data))
    for info in infos:
        name = info.filename
        if name.endswith(".dist-info/METADATA") and info.file_size < 1_000_000:
            pkg.version, pkg.licence = _metadata(zf.read(info).decode("utf-8", errors="replace"))
            pkg.licence_basis = f"{name} in the wheel" if pkg.licence else ""
        if name.endswith("/eval.yaml") or name == "eval.yaml":
            if info.file_size > MAX_EVAL_FILE:
                raise DataError(f"eval.yaml is too large: {info.file_size} bytes", Location(f"{shown}!{name}"))
            try:
                raw = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise DataError(f"cannot unpack ({exc})", Location(f"{shown}!{name}")) from None
            parts = name.split("/")
            pkg.files.append(EvalFile(f"{shown}!{name}", parts[-2] if len(parts) > 1 else "", raw))
    if not pkg.files:
        raise DataError("the zip archive holds no eval.yaml files (is it the inspect_evals wheel?)", Location(shown))
    m = re.match(r"^inspect_evals-([^-]+)-", path.name)
    pkg.version = pkg.version or (m.group(1) if m else "")
    return pkg


def _walk(root: Path, shown: str) -> list[EvalFile]:
    out: list[EvalFile] = []
    count = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        count += len(filenames)
        if count > MAX_FILES * 10:
            raise DataError(
                f"the folder holds too many files to be an inspect_evals checkout (> {MAX_FILES * 10})", Location(shown)
            )
        if "eval.yaml" in filenames:
            path = Path(dirpath) / "eval.yaml"
            if path.is_symlink():
                continue
            rel = path.relative_to(root)
            out.append(
                EvalFile(
                    f"{shown}/{rel}" if str(rel) != "eval.yaml" else f"{shown}/eval.yaml",
                    path.parent.name,
                    read_file(path, "an eval.yaml file", MAX_EVAL_FILE),
                )
            )
            if len(out) > MAX_FILES:
                raise DataError(f"more than {MAX_FILES} eval.yaml files", Location(shown))
    return out


def _from_folder(path: Path, shown: str) -> Package:
    root = path
    for sub in ("src/inspect_evals", "inspect_evals"):
        if (path / sub).is_dir():
            root = path / sub
            shown = f"{shown}/{sub}"
            break
    files = _walk(root, shown)
    if not files:
        raise DataError(
            "the folder holds no eval.yaml files (an inspect_evals checkout, package or wheel expected)",
            Location(shown),
        )
    pkg = Package(files=files)
    pkg.digest = sha256(b"".join(sha256(f.data).encode() + f.shown.encode() for f in files))
    pkg.size = sum(len(f.data) for f in files)
    # version and licence: the checkout's pyproject.toml, or the installed package's dist-info
    for parent in [root, *list(root.parents)[:3]]:
        pyproject = parent / "pyproject.toml"
        if pyproject.is_file() and not pkg.version:
            try:
                project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
                pkg.version = str(project.get("version", "")) if isinstance(project, dict) else ""
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                pass
        for meta in sorted(parent.glob("inspect_evals-*.dist-info/METADATA")) if parent.is_dir() else []:
            version, licence = _metadata(meta.read_text(encoding="utf-8", errors="replace"))
            pkg.version = pkg.version or version
            if licence and not pkg.licence:
                pkg.licence, pkg.licence_basis = licence, f"{meta.parent.name}/METADATA"
        lic = parent / "LICENSE"
        if lic.is_file() and not pkg.licence:
            try:
                pkg.licence = _licence_from_text(lic.read_text(encoding="utf-8", errors="replace"))
                pkg.licence_basis = f"the LICENSE file of {parent.name or parent}"
            except OSError:
                pass
    return pkg


def _installed(shown: str) -> Package:
    try:
        dist = importlib.metadata.distribution("inspect_evals")
    except importlib.metadata.PackageNotFoundError:
        raise DataError("inspect_evals is not installed in this Python environment", Location(shown)) from None
    files: list[EvalFile] = []
    for f in dist.files or []:
        if f.name == "eval.yaml":
            path = Path(str(dist.locate_file(f)))
            files.append(
                EvalFile(f"inspect_evals:{f}", path.parent.name, read_file(path, "an eval.yaml file", MAX_EVAL_FILE))
            )
    if not files:
        raise DataError("the installed inspect_evals has no eval.yaml files", Location(shown))
    meta = dist.metadata
    lic = next(iter(meta.get_all("License-Expression") or meta.get_all("License") or []), "")
    return Package(
        files=files,
        version=dist.version,
        licence=lic,
        licence_basis="the installed package's metadata" if lic else "",
        digest=sha256(b"".join(sha256(f.data).encode() for f in files)),
        size=sum(len(f.data) for f in files),
    )


def find_evals(path: Path, shown: str | None = None) -> Package:
    """Find the ``eval.yaml`` files of a checkout, a package folder, a wheel or ``installed``."""
    shown = shown or str(path)
    if str(path) == "installed" and not path.exists():
        return _installed(shown)
    if path.is_dir():
        return _from_folder(path, shown)
    if not path.exists():
        raise DataError(
            "no such file or folder (an inspect_evals checkout, package folder or wheel expected)", Location(shown)
        )
    return _from_wheel(path, shown)


def _load_links() -> dict[str, PosDict]:
    doc = load_yaml(LINKS_FILE, "graph/importers/inspect_links.yaml")
    items = doc.get("links") if isinstance(doc, PosDict) else None
    return {str(item["eval"]): item for item in items or [] if isinstance(item, PosDict) and "eval" in item}


def _method_type(meta: PosDict, table: PosDict | None) -> tuple[str, str]:
    """The method type of a new test method, and the rule that chose it (the README's "Imports" section)."""
    if table is not None and isinstance(table.get("method_type"), str):
        return table["method_type"], "mapping table"
    tags = {str(t).lower() for t in meta.get("tags") or [] if isinstance(t, (str, int))}
    group = str(meta.get("group") or "").lower()
    text = f"{meta.get('title') or ''} {meta.get('description') or ''}".lower()
    if group == "bias":
        return "bias-benchmark", "group Bias"
    if "prompt-injection" in tags or "prompt injection" in text:
        return "prompt-injection-env", "prompt injection"
    if group == "cybersecurity" and ("ctf" in text or "capture the flag" in text or "capture-the-flag" in text):
        return "ctf-suite", "cybersecurity capture-the-flag"
    if tags & {"agent", "agents"}:
        return "agentic-task-suite", "tag Agent"
    if "multiple-choice" in text or "multiple choice" in text:
        return "static-mcq", "multiple-choice questions"
    return "static-open-qa", "default"


def _matches(eval_id: str, title: str, tasks: list[str], ctx: Context) -> list[CuratedTestMethod]:
    names = {_norm(eval_id), _norm(title.split(":")[0])} - {""}
    out = []
    for m in ctx.test_methods.values():
        if set(tasks) & m.tasks or names & {_norm(n) for n in (m.id, m.label, *m.aliases)}:
            out.append(m)
    return sorted(out, key=lambda m: m.id)


def import_inspect_evals(
    path: Path, name: str, ctx: Context, display: str | None = None, source_version: str | None = None
) -> ImportResult:
    """Read inspect_evals' evaluation metadata into the named graph ``import/{name}``."""
    shown = display or str(path)
    pkg = find_evals(path, shown)
    problems = Problems()
    links = _load_links()
    evals: dict[str, tuple[EvalFile, PosDict]] = {}
    skipped = 0
    for f in sorted(pkg.files, key=lambda f: f.shown):
        doc = load_yaml_text(decode_text(f.data, f.shown, "an eval.yaml file"), f.shown)
        if (
            not isinstance(doc, PosDict)
            or not isinstance(doc.get("title"), str)
            or not isinstance(doc.get("tasks"), PosList)
        ):
            skipped += 1
            continue
        if f.eval_id in evals:
            problems.warn(
                f"a second evaluation called {f.eval_id!r} (first: {evals[f.eval_id][0].shown}); skipped",
                Location(f.shown, 1, 1),
            )
            continue
        evals[f.eval_id] = (f, doc)
    if not evals:
        raise DataError("no evaluation metadata found (eval.yaml files with a title and tasks)", Location(shown))
    version = source_version or pkg.version
    if not version:
        problems.warn("the package states no version; pass --source-version", Location(shown))
    info = SourceInfo(
        title=f"inspect_evals {version}" if version else "inspect_evals",
        publisher="UK AI Security Institute",
        version=version or "unknown",
        licence=pkg.licence or "MIT",
        attribution="inspect_evals, (c) 2024 UK AI Security Institute, MIT licence. Each evaluation credits its own "
        "authors and paper; third-party code in the package keeps its own licence (see its NOTICE file).",
        url="https://github.com/UKGovernmentBEIS/inspect_evals",
        file=Path(shown).name or shown,
        file_sha256=pkg.digest,
        file_bytes=pkg.size,
        licence_basis=pkg.licence_basis or "inspect_evals is published under the MIT licence",
    )
    t = Triples(name)
    source_record(t, info)
    counts = {
        "evaluations": len(evals),
        "tasks": 0,
        "matched to curated test methods": 0,
        "new test methods": 0,
        "linked by the mapping table": 0,
        "unlinked": 0,
        "files that are not evaluation metadata": skipped,
    }
    for eval_id, (f, doc) in evals.items():
        _one(t, eval_id, f, doc, ctx, links.get(eval_id), problems, counts)
    problems.raise_errors()
    return ImportResult(
        kind=KIND, name=name, ntriples=t.ntriples(), counts=counts, source=info, problems=problems.items
    )


def _one(
    t: Triples,
    eval_id: str,
    f: EvalFile,
    doc: PosDict,
    ctx: Context,
    table: PosDict | None,
    problems: Problems,
    counts: dict[str, int],
) -> None:
    title = check_text(doc["title"], doc.loc("title", eval_id)) or eval_id
    tasks: list[str] = []
    tasks_list = doc["tasks"]
    for i, task in enumerate(tasks_list):
        tname = task.get("name") if isinstance(task, PosDict) else task if isinstance(task, str) else None
        if not isinstance(tname, str) or not tname.strip():
            line, col = tasks_list.item_pos[i]
            problems.warn(f"task {i + 1} has no name", Location(f.shown, line, col, eval_id, "tasks"))
            continue
        tasks.append(tname.strip())
    counts["tasks"] += len(tasks)
    matched = _matches(eval_id, title, tasks, ctx)
    if matched:
        counts["matched to curated test methods"] += 1
        for m in matched:
            s = iri(m.iri)
            for task in tasks:
                t.add(s, ar("inspectTask"), lit(task))
            t.add(s, ar("inspectEval"), lit(eval_id))
            t.add(s, P["source"], t.source)
        return
    counts["new test methods"] += 1
    ident = "inspect-" + slug(eval_id)
    s = iri(str(entity_iri("test_method", ident)))
    t.add(s, P["type"], ar("TestMethod"))
    t.add(s, P["type"], C["Plan"])
    t.add(s, P["identifier"], lit(ident))
    t.text(s, P["label"], title)
    t.text(s, P["altLabel"], eval_id)
    t.text(
        s,
        P["description"],
        check_text(doc.get("description"), doc.loc("description", eval_id))
        if isinstance(doc.get("description"), str)
        else None,
    )
    t.add(s, P["page"], url_term(doc.get("arxiv")))
    t.add(s, P["source"], t.source)
    t.add(s, ar("inspectEval"), lit(eval_id))
    for task in tasks:
        t.add(s, ar("inspectTask"), lit(task))
    if isinstance(doc.get("group"), str):
        t.add(s, ar("evalGroup"), lit(doc["group"]))
    if isinstance(doc.get("version"), (str, int, float)):
        t.add(s, P["versionInfo"], lit(str(doc["version"])))
    tags = {str(x).lower() for x in doc.get("tags") or [] if isinstance(x, (str, int))}
    if tags & {"agent", "agents"}:
        t.add(s, ar("modality"), lit("agentic"))
    if "multimodal" in tags or str(doc.get("group", "")).lower() == "multimodal":
        t.add(s, ar("modality"), lit("multimodal"))
    mtype, rule = _method_type(doc, table)
    if not ctx.has("MethodType", mtype):
        fallback = "static-open-qa" if ctx.has("MethodType", "static-open-qa") else None
        if fallback is None:
            problems.error(f"method type {mtype!r} is not in the curated vocabulary", Location(f.shown, 1, 1, eval_id))
            return
        problems.warn(
            f"method type {mtype!r} ({rule}) is not in the curated vocabulary; using {fallback!r}",
            Location(f.shown, 1, 1, eval_id),
        )
        mtype = fallback
    t.add(s, ar("methodType"), iri(str(entity_iri("method_type", mtype))))
    linked = table is not None and _table_links(t, s, eval_id, table, ctx, problems)
    counts["linked by the mapping table" if linked else "unlinked"] += 1
    t.add(s, ar("linkStatus"), lit("linked" if linked else "unlinked"))


def _table_links(t: Triples, s: str, eval_id: str, table: PosDict, ctx: Context, problems: Problems) -> bool:
    sources = [iri(str(entity_iri("source", str(x)))) for x in table.get("sources") or [] if ctx.has("Source", str(x))]
    made = False
    for link in table.get("assesses") or []:
        prefix, _, code = str(link.get("risk", "")).partition(":")
        target = str(risk_iri(prefix, code))
        if target not in ctx.concepts:
            problems.warn(
                f"mapping table: risk {link.get('risk')!r} is not in the curated data; link not made",
                link.loc("risk", eval_id),
            )
            continue
        t.claim(
            s,
            ar("assessesRisk"),
            iri(target),
            note=str(link.get("note") or ""),
            sources=sources,
            locator=f"inspect_links.yaml:{link.line}",
        )
        made = True
    for link in table.get("measures") or []:
        cap = str(link.get("capability", ""))
        if not ctx.has("Capability", cap):
            problems.warn(
                f"mapping table: capability {cap!r} is not in the curated data; link not made",
                link.loc("capability", eval_id),
            )
            continue
        t.claim(
            s,
            ar("measuresCapability"),
            iri(str(entity_iri("capability", cap))),
            note=str(link.get("note") or ""),
            sources=sources,
            locator=f"inspect_links.yaml:{link.line}",
        )
        made = True
    return made


__all__ = ["KIND", "find_evals", "import_inspect_evals"]
