"""Composition of the stages for one document: read -> resolve speakers -> link -> to RDF.

``build_document`` is pure (text and facts in, graph out). ``convert_file`` is the
worker used by ``archivekg build``: it reads one file, converts it, and writes the
document's sorted N-Quads and Turtle (plain and as gzip members) to the conversion
cache (``cache.DocCache``), returning only
plain data so that thousands of documents convert in parallel without holding
their triples in the main process.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import __version__
from .authority import Authority
from .errors import ConversionError
from .extract import extract
from .languages import lookup as language_lookup
from .languages import split_languages
from .model import Document, Extraction
from .names import slugify, strip_invisible
from .cache import DocCache, document_key, gzip_member, result_to_json
from .rdf_io import graph_of, sorted_statements, to_rdflib_graph, turtle_body_of_ntriples, turtle_header
from .readers import read
from .source import decode_source, read_source  # noqa: F401  (re-exported: the CLI and tests read sources through here)
from .speakers import Cast, resolve
from .model import SourceInfo
from .to_rdf import document_triples, location_places
from .uris import Minter
from .validate import outward_references

__all__ = ["Built", "DocResult", "build_document", "convert_file", "decode_source", "read_source"]


@dataclass(frozen=True)
class Built:
    doc: Document
    cast: Cast
    triples: set[tuple[URIRef, URIRef, URIRef | Literal]]
    archive: tuple[str, str, tuple[str, ...], str | None] | None  # slug, label, aliases, QID
    extraction: Extraction
    agents: tuple[tuple[str, str, str], ...]  # (kind, slug, label) minted for reported sources

    @property
    def graph(self) -> Graph:
        """The document's triples as an rdflib Graph (for validation reports and tests)."""
        return to_rdflib_graph(self.triples)


def _archive(doc: Document, authority: Authority) -> tuple[str, str, tuple[str, ...], str | None] | None:
    if not doc.archive:
        return None
    entity = authority.lookup("organization", doc.archive)
    if entity is not None:
        return entity.id, entity.label, entity.aliases, entity.wikidata
    return slugify(doc.archive), doc.archive, (), None


def _passages(built: Built, minter: Minter) -> list[tuple]:
    doc = built.doc
    date = doc.date.start.iso if doc.date.start else None
    out = [("utterance", minter.utterance(doc.identifier, t.position), doc.identifier, doc.title, date,
            built.cast.by_label[t.label].slug, t.text) for t in doc.turns]
    out += [("paragraph", minter.paragraph(doc.identifier, p.position), doc.identifier, doc.title, date, None, p.text)
            for p in doc.paragraphs]
    for c in built.extraction.claims:
        iri = minter.claim(doc.identifier, c.where.kind, c.where.position, c.number)
        out.append(("claim", iri, doc.identifier, doc.title, date, c.claimant, c.text))
    return out


def _agent_label(agent: tuple[str, str, str]) -> tuple[str, str, str]:
    kind, slug, text = agent
    label = re.sub(r"^(?:the|a|an)\s+", "", " ".join(strip_invisible(text).split()), flags=re.I)
    return kind, slug, label[:1].upper() + label[1:]


def build_document(
    text: str,
    source: SourceInfo,
    *,
    authority: Authority,
    minter: Minter,
    software_version: str = __version__,
    build_time: str | None = None,
) -> Built:
    doc = read(text, source.relpath)
    cast = resolve(doc, authority, text)
    archive = _archive(doc, authority)
    extraction = extract(doc, text, cast, authority)
    triples = document_triples(
        doc, cast, minter, source, software_version=software_version,
        archive_slug=archive[0] if archive else None, build_time=build_time,
        extraction=extraction, places=location_places(doc, authority),
    )
    agents = sorted({
        (c.reported_source.entity[0], c.reported_source.entity[1], c.reported_source.text)
        for c in extraction.claims
        if c.reported_source and c.reported_source.entity
        and authority.get(*c.reported_source.entity) is None
        and c.reported_source.entity[1] not in {p.slug for p in cast.persons}
    })
    return Built(doc, cast, triples, archive, extraction, tuple(_agent_label(a) for a in agents))


@dataclass
class DocResult:
    """What a worker reports for one file: plain data only."""

    index: int
    relpath: str
    identifier: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    triples: int = 0
    turns: int = 0
    paragraphs: int = 0
    persons: list[tuple[str, str, bool, tuple[str, ...]]] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)
    agents: list[tuple[str, str, str]] = field(default_factory=list)
    references: list[tuple[str, str, str]] = field(default_factory=list)  # outward, for cross-document checks
    cache_key: str | None = None  # of the validation report used
    passages: list[tuple] = field(default_factory=list)  # for the full-text index: see search_index.Passage
    mentions: int = 0
    claims: int = 0
    events: int = 0
    archive: tuple[str, str, tuple[str, ...], str | None] | None = None
    languages: list[tuple[str, str]] = field(default_factory=list)
    title: str = ""
    date: str | None = None
    sha256: str = ""
    fault: tuple[int, str, str | None] | None = None  # (errno, strerror, filename) of a machine fault
    parts_key: str | None = None  # of its entry in the conversion cache (cache.DocCache)
    parts: str = ""  # that entry's path stem: <stem>.nq.gz, .ttl, .ttl.gz, .passages.json
    ttl_bytes: int = 0  # of its per-document Turtle dump
    ttl_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class WorkerConfig:
    authority: Authority
    base_uri: str
    staging: str
    prefixes: dict[str, str]
    build_time: str | None = None
    shapes_dir: str | None = None  # validate each document graph against these SHACL shapes
    shapes_digest: str = ""  # of the shapes and the validator, for the cache key
    cache_dir: str | None = None  # validation reports of graphs seen before
    fingerprint: dict[str, str] = field(default_factory=dict)  # cache.fingerprint: with a file's bytes, the cache key
    doc_cache: str | None = None  # converted documents (cache.DocCache); each result's parts are written there


def _validated(cfg: WorkerConfig, nq: bytes, nt: bytes, text: str, relpath: str):  # type: ignore[no-untyped-def]
    """The located validation results of a document graph.

    A report depends only on the graph, the source text (for line numbers) and the
    shapes, so it is cached under a hash of the three: a rebuild validates only the
    documents that changed.
    """
    from .validate import Result, load_shapes, locate, validate_text

    key = hashlib.sha256(cfg.shapes_digest.encode() + b"\0" + text.encode("utf-8") + b"\0" + relpath.encode() + b"\0" + nq).hexdigest()
    path = Path(cfg.cache_dir) / key[:2] / f"{key}.json" if cfg.cache_dir else None
    if path is not None and path.is_file():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            return [Result(**r) for r in cached["results"]], key
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is recomputed
    # N-Triples: the same statements as ``nq`` (the cache key), 8% less for the validator to read
    report = validate_text(nt.decode("utf-8"), load_shapes(Path(cfg.shapes_dir or "")), fmt="ntriples")
    if report.results:  # rare: only then is an rdflib graph made, to find each result's line
        report = locate(report, graph_of(nq), text, relpath)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"results": [asdict(r) for r in report.results]}), encoding="utf-8")
        os.replace(tmp, path)
    return report.results, key


_CONFIG: WorkerConfig | None = None


def init_worker(config: WorkerConfig) -> None:
    global _CONFIG
    _CONFIG = config


def convert_file(job: tuple[int, str, str]) -> DocResult:
    """Convert one file (index, absolute path, path relative to its source root)."""
    try:
        return _convert_file(job)
    except Exception as err:  # a bug in archivekg or a fault of the machine, not the user's mistake
        fault = (err.errno, err.strerror or str(err), err.filename) if isinstance(err, OSError) \
            and err.errno in _MACHINE_ERRORS else None
        return DocResult(index=job[0], relpath=job[2], errors=[_internal(job[2], err)], fault=fault)


# Failures of the machine, not of archivekg or the document: said plainly, without a traceback.
_MACHINE_ERRORS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
                   errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
                   errno.EPERM: "operation not permitted", errno.ENOMEM: "out of memory"}


def _internal(relpath: str, err: Exception) -> str:
    if isinstance(err, OSError) and err.errno in _MACHINE_ERRORS:
        where = f" ({err.filename})" if err.filename else ""
        return (f"{relpath}: cannot write what this document converts to: {_MACHINE_ERRORS[err.errno]}{where}; "
                "free some space or make the output directory writable, then build again")
    if isinstance(err, MemoryError):
        return f"{relpath}: out of memory while converting; build it with fewer --jobs or on a larger machine"
    return (
        f"{relpath}: internal error while converting ({type(err).__name__}: {err}); "
        "please report it with this document.\n" + traceback.format_exc(limit=6)
    )


def _convert_file(job: tuple[int, str, str]) -> DocResult:
    index, path, relpath = job
    cfg = _CONFIG
    assert cfg is not None, "init_worker was not called"
    result = DocResult(index=index, relpath=relpath)
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        result.errors.append(f"{relpath}: cannot read the file: {err.strerror or err}")
        return result
    result.sha256 = hashlib.sha256(data).hexdigest()
    try:
        text, source = read_source(data, relpath)
        minter = Minter(cfg.base_uri)
        built = build_document(text, source, authority=cfg.authority, minter=minter, build_time=cfg.build_time)
    except ConversionError as err:
        result.errors.append(str(err))
        return result
    doc, cast = built.doc, built.cast
    result.identifier = doc.identifier
    result.title = doc.title
    result.date = doc.date.start.iso if doc.date.start else None
    result.warnings = [*doc.warnings, *cast.warnings]
    result.turns = len(doc.turns)
    result.paragraphs = len(doc.paragraphs)
    result.persons = [(p.slug, p.name, p.curated, p.written) for p in cast.persons]
    result.speakers = [p.slug for p in cast.speakers]
    result.archive = built.archive
    result.passages = _passages(built, minter)
    result.agents = list(built.agents)
    result.mentions = len(built.extraction.mentions)
    result.claims = len(built.extraction.claims)
    result.events = len(built.extraction.events)
    nt, nq = sorted_statements(built.triples, minter.graph(doc.identifier))  # the same lines, without and with the graph
    result.triples = nq.count(b"\n")
    references = outward_references(built.triples, minter.base) if cfg.shapes_dir is not None else []
    del built  # its triples are in nq now: a large document's graph is not held twice
    if cfg.shapes_dir is not None:
        results, result.cache_key = _validated(cfg, nq, nt, text, relpath)
        result.references = references
        result.warnings += [r.render() for r in results if r.severity != "Violation"]
        violations = [r.render() for r in results if r.severity == "Violation"]
        if violations:
            result.errors += violations
            return result
    langs = []
    for text_ in (doc.text_language, doc.original_language):
        for name in split_languages(text_ or ""):
            got = language_lookup(name)
            if got:
                langs.append((got[0], name.strip().title()))
            elif text_ == doc.original_language:
                result.warnings.append(f"{relpath}:{doc.original_language_line or 1}: original language {name!r} is not "
                                       "a known language name -- write its English name (converter/languages.py)")
    result.languages = sorted(set(langs))
    body = turtle_body_of_ntriples(nt, cfg.prefixes)
    del nt
    dump = turtle_header(cfg.prefixes) + body
    result.ttl_bytes, result.ttl_sha256 = len(dump), hashlib.sha256(dump).hexdigest()
    passages, result.passages = result.passages, []  # read back from the cache when the index is written
    result.parts_key = document_key(cfg.fingerprint, relpath, result.sha256)
    files = {".nq.gz": gzip_member(nq), ".ttl": dump, ".ttl.gz": gzip_member(body),
             ".passages.json": json.dumps(passages, ensure_ascii=False).encode("utf-8")}
    cache = DocCache(Path(cfg.doc_cache) if cfg.doc_cache else Path(cfg.staging) / "documents")
    result.parts = str(cache.put(result.parts_key, result_to_json(result), files))
    return result
