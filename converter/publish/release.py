"""Writing a release: dumps, sources, search index, entities graph, VoID, build.json and build state;
the store is completed last (``Release.complete``)."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..namespaces import PREFIXES
from ..cache import BuildState, Plan, SubjectBlock, gzip_member, part, plan, read_passages
from ..pipeline import DocResult
from ..rdf_io import turtle_header
from ..authority import Entity
from ..uris import Minter

from .dumps import NQUADS_DUMP, TURTLE_DUMP, append_file, write_dump
from .entities import Aggregates, ENTITIES, entity_blocks, entity_members, subject_order
from .output import OutputError, link_or_copy, link_tree, remove_file
from .store import StoreLoader, end_of_input, update_store
from .void import void_blocks


@dataclass
class Release:
    documents: int = 0
    triples: int = 0
    quads: int = 0
    persons: int = 0
    utterances: int = 0
    paragraphs: int = 0
    dumps: dict[str, dict] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    changes: Plan | None = None  # what an incremental build changed in the previous release (None: written whole)
    info: dict = field(default_factory=dict)  # build.json, written by the build once the checks are made
    state: BuildState | None = None  # the build state the release keeps for the next build
    entities: dict[str, SubjectBlock] = field(default_factory=dict)  # the entities graph, a block a subject
    entities_before: dict[str, SubjectBlock] | None = None  # the previous release's (an incremental build)
    entity_report: list = field(default_factory=list)  # the previous release's entities validation results
    entities_nq: bytes = b""
    void_nq: bytes = b""  # the VoID description to validate (a rebuild's: what it made again)
    person_labels: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label) of each foaf:Person described
    persons_in: dict[str, set[str]] = field(default_factory=dict)  # person IRI: ids of the documents it is in
    persons_touched: dict[str, str | None] | None = None  # a rebuild's persons whose documents or label may
    # have changed, and the label each had before
    person_checks_before: object = None  # the previous release's validate.PersonChecks (a rebuild)
    # write_release writes all but the store; this writes it (or waits for the loader) and checks it
    complete: Callable[[], None] = field(default=lambda: None, repr=False)
    # and the whole-archive dumps and VoID it finishes in the background: this waits for them (complete does too)
    finish: Callable[[], None] = field(default=lambda: None, repr=False)


def write_release(
    stage: Path,
    results: list[DocResult],
    parts: Path,
    *,
    minter: Minter,
    authority_persons: dict[str, Entity],
    authority_entities: list[Entity],
    sources: dict[str, Path],
    build_time: str,
    dataset_time: str | None,
    progress: Callable[[str], None] = lambda _msg: None,
    convert_seconds: float | None = None,
    fingerprint: dict[str, str] | None = None,
    previous: Path | None = None,
    state: BuildState | None = None,
    loader: StoreLoader | None = None,
    copies: tuple[Future, Future, Future] | None = None,
) -> Release:
    """Write dumps, sources, search index, VoID and build.json of ``results`` into ``stage``; the returned
    release's ``complete()`` writes the store and the serving index, and ``release.state`` is the build state
    the build saves into the release (``cache.BuildState``).

    Each result's parts are read from its conversion-cache entry (``r.parts``). With ``previous`` (the
    published release, built under the same fingerprint) and its build ``state``, the release is made from
    the previous one: the store and the search index start as copies of its own and only the documents that
    changed are replaced; the whole-archive dumps are copied by range from the previous ones with only the
    changed members replaced; unchanged per-document dumps and sources are hard links; the entities graph
    and VoID are assembled from the previous subjects' blocks with only the changed ones made again. The
    output is the same, byte for byte, as without it. A full build may hand over ``loader``, the store it has
    been loading the documents into while converting them (``StoreLoader``); the release's store is then
    that one. Its last input is given here, so that it finishes loading while the rest is written and the
    build checks the dataset across documents; ``complete()`` waits for it. ``copies`` are those
    ``start_copies`` started (else they are started here).
    """
    rel = Release()
    if convert_seconds is not None:
        rel.seconds["convert"] = convert_seconds
    clock = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.monotonic()
        rel.seconds[phase] = round(now - clock, 2)
        clock = now

    if previous is None:
        state = None
    prefixes = {**PREFIXES, **minter.prefixes()}
    header = turtle_header(prefixes)
    dumps = stage / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    ordered = sorted(results, key=lambda r: r.identifier or "")
    before = _previous_index(state)
    changes = plan(before, [(r.identifier or "", r.relpath, r.sha256) for r in ordered]) if state else None
    loaded = set(changes.load) if changes is not None else set()  # the documents a rebuild loads
    new_state = BuildState(fingerprint=dict(fingerprint or {}))
    index_copy = docs_tree = sources_tree = None
    if state is not None and previous is not None:  # copies of the previous release's, made while the rest is
        docs_tree, sources_tree, index_copy = copies or start_copies(previous, stage)

    # Entities graph: persons merged across documents, organisations, languages, software; one block a subject.
    # A rebuild subtracts what the replaced documents added and adds the new ones', and makes again only the
    # subjects that changed.
    curated = {(e.kind, e.id): e for e in authority_entities}
    if state is not None and changes is not None and state.aggregates is not None:
        agg, state.aggregates = state.aggregates, None  # taken: a build that writes its release again starts over
        touched: set[tuple[str, ...]] = {("software",)}
        persons_touched: set[str] = set()  # whose documents or label may change: their checks are made again
        for old in state.results.values():
            if old.identifier in changes.touched:  # type: ignore[attr-defined]
                agg.add(old, minter, -1, touched)  # type: ignore[arg-type]
                persons_touched |= agg.person_iris(old, minter)  # type: ignore[arg-type]
        for r in ordered:
            if r.identifier in loaded:
                agg.add(r, minter, 1, touched)
                persons_touched |= agg.person_iris(r, minter)
        records = agg.records(sorted(touched), minter, authority_persons, curated)
        persons_touched |= set(records)
        rel.persons_touched = {iri: state.person_labels.get(iri) for iri in persons_touched}
        rel.person_checks_before = state.person_checks
        blocks = {s: b for s, b in state.entities.items() if s not in records}
        blocks.update(entity_blocks(records, minter, prefixes, state.entities))
        person_labels = dict(state.person_labels)
        partial = True  # records name only the subjects that changed
    else:
        partial = False
        agg = Aggregates()
        for r in ordered:
            agg.add(r, minter, 1, set())
        records = agg.records(agg.every_record(authority_persons, curated), minter, authority_persons, curated)
        blocks = entity_blocks(records, minter, prefixes, state.entities if state else {})
        person_labels = {}
    for subject, recs in records.items():
        label = next((r.label for kind, r in recs if kind == "p" or (kind == "e" and r.kind == "person")), None)  # type: ignore[attr-defined]
        if label is None:
            person_labels.pop(subject, None)
        else:
            person_labels[subject] = label
    new_state.aggregates = agg
    new_state.person_labels = person_labels
    subjects = sorted(blocks, key=subject_order)
    entities_nq = b"".join(blocks[s].nq for s in subjects)
    entities_body = b"".join(blocks[s].ttl for s in subjects)
    entity_triples = entities_nq.count(b"\n")
    new_state.entities = blocks
    rel.entities = blocks
    rel.person_labels = sorted(person_labels.items())
    rel.persons_in = agg.persons_in
    rel.entities_nq = entities_nq
    if state is not None:
        rel.entities_before = state.entities
        rel.entity_report = state.entity_report
    (parts / "entities.nq").write_bytes(entities_nq)
    lap("entities")

    progress("writing dumps")
    # Each graph is one gzip member (the entities graph a few, cut at subjects fixed by their IRIs), compressed
    # once and kept: a document's in its conversion-cache entry, the entities graph's in the build state. A
    # rebuild copies the unchanged members from the previous dumps by range, so its dumps are the full build's.
    ttl_members, nq_members = entity_members(subjects, blocks, state.entity_members if state else {},
                                              new_state.entity_members)
    (dumps / "entities.ttl").write_bytes(header + entities_body)
    rel.quads += entity_triples
    per_doc: list[dict] = [{"name": ENTITIES, "path": "dumps/entities.ttl", "triples": entity_triples,
                            "bytes": len(header) + len(entities_body),
                            "sha256": hashlib.sha256(header + entities_body).hexdigest()}]
    kept = set(changes.kept) if changes is not None else set()
    pieces: dict[str, list] = {TURTLE_DUMP: [gzip_member(header), *ttl_members], NQUADS_DUMP: list(nq_members)}
    for fname, suffix in ((TURTLE_DUMP, ".ttl.gz"), (NQUADS_DUMP, ".nq.gz")):
        before_members = state.members.get(fname, {}) if state else {}
        before_dump = previous / "dumps" / fname if previous is not None else None
        for r in ordered:
            ident = r.identifier or ""
            if ident in kept and ident in before_members:
                pieces[fname].append((ident, before_dump, *before_members[ident]))
            else:
                pieces[fname].append((ident, part(r.parts, suffix)))
    for r in ordered:
        rel.quads += r.triples
        per_doc.append({"name": r.identifier or "", "path": f"dumps/documents/{r.identifier}.ttl",
                        "triples": r.triples, "bytes": r.ttl_bytes, "sha256": r.ttl_sha256})
    rel.triples = rel.quads  # every triple belongs to exactly one graph
    # The two whole-archive dumps at once, in threads (copying and hashing release the GIL), while the rest is
    # written and the build checks the dataset across documents: ``finish`` waits for them.
    dump_pool = ThreadPoolExecutor(2, thread_name_prefix="archivekg-dump")
    written = {fname: dump_pool.submit(write_dump, dumps / fname, pieces[fname]) for fname in pieces}
    dump_pool.shutdown(wait=False)
    # Per-document Turtle dumps: hard links, to the previous release's (a tree at once) or to the cache.
    if changes is not None and previous is not None and docs_tree is not None:
        docs_tree.result()
        for ident in changes.touched:
            (dumps / "documents" / f"{ident}.ttl").unlink(missing_ok=True)
        for r in ordered:
            if r.identifier in loaded:
                link_or_copy(part(r.parts, ".ttl"), dumps / "documents" / f"{r.identifier}.ttl")
    else:
        (dumps / "documents").mkdir()
        for r in ordered:
            link_or_copy(part(r.parts, ".ttl"), dumps / "documents" / f"{r.identifier}.ttl")
    lap("dumps")
    # A full build's loader gets its last input now, and finishes loading while the sources and the
    # full-text index are written.
    preloaded = end_of_input(loader, ordered, minter, entities_nq) if previous is None else False
    progress("copying sources")
    if changes is not None and previous is not None and state is not None and sources_tree is not None:
        sources_tree.result()
        for old in state.results.values():
            if old.identifier in changes.touched:  # type: ignore[attr-defined]
                remove_file(stage / "sources", old.relpath)  # type: ignore[attr-defined]
        for r in ordered:
            if r.identifier in loaded:
                dst = stage / "sources" / r.relpath
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.unlink(missing_ok=True)
                shutil.copyfile(sources[r.relpath], dst)
    else:
        for r in ordered:
            dst = stage / "sources" / r.relpath
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sources[r.relpath], dst)

    lap("sources")
    progress("indexing text")
    from ..search_index import Passage, update_index, write_index

    if partial and state is not None:
        labels = dict(state.labels)
        for subject, recs in records.items():
            for kind, r in recs:
                if kind == "p":
                    labels[r.slug] = r.label  # type: ignore[attr-defined]
            if not any(kind == "p" for kind, _r in recs) and subject.startswith(minter.person("x")[:-1]):
                labels.pop(subject[len(minter.person("x")) - 1:], None)
    else:
        labels = {r.slug: r.label for recs in records.values() for kind, r in recs if kind == "p"}  # type: ignore[attr-defined]
    new_state.labels = labels
    if state is not None and changes is not None and previous is not None and index_copy is not None:
        index_copy.result()
        relabel = {slug: label for slug, label in labels.items() if state.labels.get(slug) != label}
        relabel.update({slug: None for slug in state.labels if slug not in labels})
        update_index(stage / "search.sqlite", changes.touched,
                     (Passage(*p) for r in ordered if r.identifier in loaded for p in read_passages(r.parts)), labels,
                     relabel=relabel)
    else:
        write_index(stage / "search.sqlite", (Passage(*p) for r in ordered for p in read_passages(r.parts)), labels)
    lap("search_index")
    rel.documents = len(ordered)
    rel.persons = len(agg.names)  # persons taking part in documents
    rel.utterances = sum(r.turns for r in ordered)
    rel.paragraphs = sum(r.paragraphs for r in ordered)

    finished: list[bool] = []

    def finish() -> None:
        """Wait for the whole-archive dumps, then describe them in VoID (their sizes and checksums)."""
        if finished:
            return
        finished.append(True)
        started = time.monotonic()
        for fname, media in ((TURTLE_DUMP, "text/turtle"), (NQUADS_DUMP, "application/n-quads")):
            size, sha, members = written[fname].result()
            new_state.members[fname] = members
            rel.dumps[fname] = {"path": f"dumps/{fname}", "bytes": size, "sha256": sha,
                                "triples": rel.triples, "media_type": media, "compression": "gzip"}
        rel.seconds["dumps_wait"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        void_nq, void_body, new_state.void, void_check = void_blocks(minter, rel, per_doc, dataset_time, prefixes,
                                                                     state.void if state else {})
        rel.void_nq = void_nq if void_check is None else void_check
        (stage / "void.ttl").write_bytes(header + void_body)
        rel.seconds["void"] = round(time.monotonic() - started, 2)

    rel.finish = finish
    info = {
        "archivekg": __version__,
        "build_time": build_time,
        "base_uri": minter.base,
        "documents": rel.documents,
        "triples": rel.triples,
        "graphs": len(per_doc),
        "persons": rel.persons,
        "utterances": rel.utterances,
        "paragraphs": rel.paragraphs,
        "warnings": sum(len(r.warnings) for r in ordered),
        "dumps": rel.dumps,
        "seconds": rel.seconds,
        "documents_index": [
            {"id": r.identifier, "source": r.relpath, "title": r.title, "date": r.date, "triples": r.triples,
             "turns": r.turns, "paragraphs": r.paragraphs, "sha256": r.sha256, "warnings": r.warnings}
            for r in ordered
        ],
        "review": [],  # set by the build after the checks across documents
        "left_out": [],
        "fingerprint": fingerprint,  # what the next build compares to decide between incremental and full
    }
    rel.changes = changes
    rel.info = info
    shared: dict[str, str] = {}
    kept_ids = set(changes.kept) if changes is not None else set()
    before_results = state.results if state is not None else {}

    def stateless(r: DocResult) -> DocResult:
        old = before_results.get(r.relpath)
        if old is not None and r.identifier in kept_ids and old.identifier == r.identifier and old.sha256 == r.sha256:  # type: ignore[attr-defined]
            return old  # type: ignore[return-value]
        return _stateless(r, shared)

    new_state.results = {r.relpath: stateless(r) for r in ordered}
    new_state.triples = rel.triples
    rel.state = new_state

    def complete() -> None:
        """The release's store: the previous one with the changed graphs and subjects replaced (incremental),
        the one the loader filled while converting, or one loaded from the N-Quads dump; checked to hold what
        the dumps hold. Then the serving index, which reads it."""
        finish()
        started = time.monotonic()
        progress("loading the store")
        if previous is not None and changes is not None and state is not None:
            store, stored = update_store(previous, stage, state, blocks, changes, ordered, minter)
        elif preloaded:
            assert loader is not None
            store, stored = loader.finish()  # loaded while converting, counted while the index was written
            loader.store = None  # the release's store from now on
            rel.seconds.update(loader.seconds)
        else:
            shutil.rmtree(stage / "store", ignore_errors=True)
            nq_plain = stage / "all.nq"
            with nq_plain.open("wb") as nq_all:  # every graph's N-Quads, from the dump's members
                append_file(nq_all, dumps / NQUADS_DUMP, decompress=True)
            store = ox.Store(str(stage / "store"))
            store.bulk_load(path=str(nq_plain), format=ox.RdfFormat.N_QUADS, lenient=True)
            nq_plain.unlink()
            store.flush()
            stored = len(store)
        if stored != rel.quads:
            raise OutputError(f"the store holds {stored} quads but the dumps hold {rel.quads}; nothing was published")

        rel.seconds["store"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        from ..serving_index import VOCABULARY, candidate_terms, vocabulary

        # vocabulary.json: what the server would otherwise scan the whole store for
        entity_terms: set[str] = set()
        for block in blocks.values():
            entity_terms.update(block.terms)
        found = vocabulary(store, candidate_terms(), known={minter.graph(ENTITIES): entity_terms},
                           graphs=[minter.graph(ENTITIES), *(minter.graph(r.identifier or "") for r in ordered)])
        del store
        (stage / VOCABULARY).write_text(json.dumps(found, indent=0) + "\n", encoding="utf-8")
        rel.seconds["serving_index"] = round(time.monotonic() - started, 2)

    rel.complete = complete
    return rel


_POOL: list[ThreadPoolExecutor] = []


def wait_for(futures: Iterable[Future]) -> None:
    """Wait until each is done, whatever its outcome (what went wrong is raised where it is used)."""
    for f in futures:
        f.exception()


def start_copies(previous: Path, stage: Path) -> tuple[Future, Future, Future]:
    """Start the copies a rebuild makes of the previous release (the per-document dumps and the sources as
    trees of hard links, then the search index, in that order of need), in threads: a build starts them once
    its workers are forked, so that they are made while it converts."""
    pool = _background()
    (stage / "dumps").mkdir(parents=True, exist_ok=True)
    return (pool.submit(link_tree, previous / "dumps" / "documents", stage / "dumps" / "documents"),
            pool.submit(link_tree, previous / "sources", stage / "sources"),
            pool.submit(shutil.copyfile, previous / "search.sqlite", stage / "search.sqlite"))


def _background() -> ThreadPoolExecutor:
    """Threads for the file copies a build waits for later (they release the GIL)."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(2, thread_name_prefix="archivekg-copy"))
    return _POOL[0]


def _stateless(r: DocResult, shared: dict[str, str]) -> DocResult:
    """A published document's result as the build state keeps it: without its passages (they are in the
    index), and of its outward references only the IRIs referred to, one string each however many documents
    refer to it (the checks across documents read the rest from the conversion cache when one dangles)."""
    refs = [(shared.setdefault(o, o), "", "") for o in sorted({o for o, _s, _p in r.references})]
    return replace(r, passages=[], index=0, references=refs, parts="")


def _previous_index(state: BuildState | None) -> list[dict]:
    if state is None:
        return []
    return [{"id": r.identifier, "source": r.relpath, "sha256": r.sha256} for r in state.results.values()]  # type: ignore[attr-defined]
