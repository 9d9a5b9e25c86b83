"""``archivekg build``: convert every document in parallel, check, publish atomically."""

from __future__ import annotations

import errno
import gc
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .authority import Authority, load_authority
from .cache import (
    STATE_FILE,
    BuildState,
    NO_STATE,
    REASONS,
    DocCache,
    directory_digest,
    document_key,
    fingerprint,
    full_build_reason,
    load_state,
    part,
    result_from_json,
    save_state,
    software_digest,
    stat_key,
)
from .errors import ConversionError
from .namespaces import LEXVO, PREFIXES
from .pipeline import DocResult, WorkerConfig, convert_file, init_worker
from .publish import (
    OutputDir,
    Release,
    StoreLoader,
    collect_sources,
    start_copies,
    update_build_info,
    wait_for,
    write_release,
)
from .uris import Minter
from .validate import (
    SHAPES_DIR,
    PersonChecks,
    Report,
    Result,
    cross_document_checks,
    load_shapes,
    shapes_digest,
    validate_text,
)

__all__ = ["BuildOutcome", "run_build", "build_times"]


@dataclass
class BuildOutcome:
    results: list[DocResult]
    failed: list[DocResult]
    release: Release | None = None
    validation: Report | None = None  # the checks on the whole dataset
    published: Path | None = None
    seconds: float = 0.0
    full_reason: str | None = None  # why this build did not update the previous release (None: it did)
    culprits: list[str] = field(default_factory=list)  # source files the dataset's violations come from

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.results for w in r.warnings]


def build_times() -> tuple[str, str | None]:
    """(wall-clock build time, time written into the graph).

    The graph records a time only when SOURCE_DATE_EPOCH is set (reproducible
    builds), so that the same input gives byte-identical dumps.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if epoch and epoch.strip().isdigit():
        fixed = datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")
        return fixed, fixed
    return now, None


def _mark_duplicates(results: list[DocResult]) -> None:
    """Two files giving one document id are both errors: the curator decides which stays."""
    by_id: dict[str, list[DocResult]] = {}
    for r in results:
        if r.ok and r.identifier:
            by_id.setdefault(r.identifier, []).append(r)
    for ident, rs in sorted(by_id.items()):
        if len(rs) > 1:
            files = ", ".join(r.relpath for r in rs)
            for r in rs:
                r.errors.append(f"{r.relpath}: document {ident} comes from more than one file ({files}); remove the duplicates")


def run_build(
    sources: list[Path],
    out: Path,
    *,
    base_uri: str,
    authority_dir: Path | None,
    jobs: int | None = None,
    keep_going: bool = False,
    shapes_dir: Path | None = SHAPES_DIR,
    progress_bar: bool | None = None,
    status: Callable[[str], None] = lambda _m: None,
    full: bool = False,
    notice: Callable[[str], None] = lambda _m: None,
) -> BuildOutcome:
    started = time.monotonic()
    minter = Minter(base_uri)
    if shapes_dir is not None:
        try:
            load_shapes(shapes_dir)
        except (FileNotFoundError, SyntaxError, ValueError) as err:
            raise ConversionError(f"cannot load the SHACL shapes: {err}") from None
    authority: Authority = load_authority(authority_dir)
    file_stats: dict[str, os.stat_result] = {}
    files = collect_sources(sources, file_stats)
    output = OutputDir(out)
    output.check()
    build_time, graph_time = build_times()
    shapes_hash = shapes_digest(shapes_dir) if shapes_dir is not None else ""
    fp = fingerprint(software=software_digest(__version__), authority=directory_digest(authority_dir, "*.csv"),
                     shapes=shapes_hash, base_uri=minter.base, graph_time=graph_time)
    with output.staging() as stage, tempfile.TemporaryDirectory(dir=stage.parent, prefix=".parts-") as parts_dir, \
            ExitStack() as stack:  # the pool and the store's loader: stopped before the staging goes
        parts = Path(parts_dir)
        previous = _published(output)
        state = load_state(previous / STATE_FILE) if previous is not None else None
        full_reason = full_build_reason(None if previous is None else
                                        {"fingerprint": state.fingerprint} if state is not None else {}, fp, forced=full)
        if full_reason == REASONS["format"] and previous is not None and (previous / "build.json").is_file() \
                and "fingerprint" in _build_json_keys(previous):
            full_reason = NO_STATE  # made by a build with incremental support, but its state is gone or damaged
        if full_reason is not None and previous is not None:
            notice(f"full rebuild: {full_reason}")
        if full_reason is not None:
            previous, state = None, None
        cache = DocCache(output.document_cache)
        untidy = output.caches_unclean()  # before anything is written to the caches
        cfg = WorkerConfig(authority, minter.base, str(parts), {**PREFIXES, **minter.prefixes()}, graph_time,
                           str(shapes_dir) if shapes_dir is not None else None, shapes_hash,
                           str(output.validation_cache), fp, str(cache.path))
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="doc", desc="converting", file=sys.stderr,
                   disable=(not sys.stderr.isatty()) if progress_bar is None else not progress_bar)
        results: list[DocResult] = []
        jobs_list = []
        scanned = time.time_ns()
        stats: dict[str, tuple[int, ...] | None] = {}
        for i, (f, rel) in enumerate(files):  # documents converted before are taken from the state or the cache
            hit = _unchanged(None if full else state, cache, file_stats.get(rel), rel, scanned, stats)
            if hit is None:
                hit = None if full else _cached(cache, fp, f, rel)
            if hit is None:
                jobs_list.append((i, str(f), rel))
                continue
            hit.index = i
            results.append(hit)
            bar.update()
        workers = max(1, min(jobs or os.cpu_count() or 1, len(jobs_list) or 1))
        pool = None
        if jobs_list and workers > 1:  # started before the loader's threads: a fork copies no thread
            ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
            pool = stack.enter_context(ctx.Pool(workers, initializer=init_worker, initargs=(cfg,)))
        # A rebuild starts from copies of the published release, made in threads (after the fork) while the
        # documents convert; the staging directory goes only once they are done.
        copies = start_copies(previous, stage) if previous is not None and state is not None else None
        if copies is not None:
            stack.callback(wait_for, copies)
        # A full build loads each document into the new store as soon as it is converted (StoreLoader).
        loader = _loader(stack, stage / "store", parts / "load.nq") if previous is None else None

        def load(r: DocResult) -> None:
            if loader is not None and r.ok and r.parts and r.identifier:
                loader.add(r.identifier, part(r.parts, ".nq.gz"))

        for r in results:
            load(r)
        if not jobs_list:
            pass
        elif pool is None:
            init_worker(cfg)
            for job in jobs_list:
                results.append(res := convert_file(job))
                load(res)
                bar.update()
        else:
            for res in pool.imap_unordered(convert_file, jobs_list, chunksize=1):
                results.append(res)
                if res.fault:  # the machine failed: stop now (raised below)
                    break
                load(res)
                bar.update()
            pool.terminate()
            pool.join()
        bar.close()
        convert_seconds = round(time.monotonic() - started, 2)
        results.sort(key=lambda r: r.index)
        gc.freeze()  # the results live as long as the build: not gone over again by every full collection
        _mark_duplicates(results)
        outcome = BuildOutcome(results=results, failed=[], full_reason=full_reason)
        faults = [r.fault for r in results if r.fault]
        if faults:  # the machine failed (a full disk, a read-only directory), not the documents: stop
            raise OSError(*faults[0])
        outcome.failed = [r for r in results if not r.ok]
        good = [r for r in results if r.ok]
        if (outcome.failed and not keep_going) or not good:
            outcome.seconds = time.monotonic() - started
            return outcome
        authority_persons = {e.id: e for e in authority.of_kind("person")}
        curated = {minter.iri(e.kind, e.id): e.where for e in authority.entities.values()}
        while True:
            release = write_release(
                stage, good, parts, minter=minter, authority_persons=authority_persons,
                authority_entities=[e for e in authority.entities.values() if e.kind != "person"],
                sources={rel: f for f, rel in files}, build_time=build_time, dataset_time=graph_time,
                progress=status, convert_seconds=convert_seconds, fingerprint=fp, previous=previous,
                state=state, loader=loader, copies=copies,
            )
            copies = None  # (a release written again, without some documents, copies again)
            if shapes_dir is None:
                break
            status("checking across documents")
            checked = time.monotonic()
            report = _whole_dataset_report(release, good, minter, shapes_dir, set(curated))
            release.seconds["cross_checks"] = round(time.monotonic() - checked, 2)
            report, blamed = _blame(report, lambda: _appears_in(good, minter), curated)
            outcome.validation = report
            if report.conforms:
                break
            outcome.culprits = sorted({src for srcs in blamed.values() for src in srcs})
            # Leave out only the documents that break a rule; a violation no document causes stops the build.
            if not keep_going or any(not srcs for srcs in blamed.values()):
                outcome.seconds = time.monotonic() - started
                return outcome
            for r in good:
                r.errors += [replace(v, source=r.relpath).render() for v, srcs in blamed.items() if r.relpath in srcs]
            good = [r for r in good if r.ok]
            outcome.failed = [r for r in results if not r.ok]
            if not good:
                outcome.seconds = time.monotonic() - started
                return outcome
            if loader is not None:
                loader.close()  # its store goes with the stage: the release is written again from the dumps
            _empty(stage)  # and build the release again without them
        release.complete()  # the store, loaded (or compacted) in the background while the checks ran
        update_build_info(
            stage, release.info,
            review=[item.as_json() for item in (outcome.validation.review if outcome.validation else [])],
            left_out=[{"source": r.relpath, "id": r.identifier, "errors": r.errors} for r in outcome.failed],
            rebuild=_rebuild_info(full_reason, release, converted=len(jobs_list)),
            seconds=release.seconds,  # with the checks across documents
        )
        assert release.state is not None
        release.state.files = {r.relpath: (stats.get(r.relpath), r.sha256) for r in good}
        save_state(stage / STATE_FILE, release.state)
        build_id = build_time.replace(":", "").replace("-", "") + f"-{os.getpid()}"
        outcome.release = release
        outcome.published = output.publish(stage, build_id)
        # Whatever the build did not use goes. A full build, or one after a build that failed, lists the caches
        # whole, and so also drops what failed builds converted and validated; a rebuild after a successful
        # one drops only what the documents it replaced used (listing 130,000 files takes a fifth of a second).
        used_reports = {r.cache_key for r in results if r.cache_key}
        used_parts = {r.parts_key for r in results if r.parts_key}
        if release.changes is None or state is None or untidy:
            output.prune_validation_cache(used_reports)
            cache.prune(used_parts)
        else:
            touched = release.changes.touched
            replaced: list = [old for old in state.results.values() if old.identifier in touched]  # type: ignore[attr-defined]
            output.forget_validations({o.cache_key for o in replaced} - used_reports - {None, ""})
            cache.forget({o.parts_key for o in replaced} - used_parts - {None, ""})
        output.caches_tidied()
    outcome.seconds = time.monotonic() - started
    return outcome


def _loader(stack: ExitStack, store: Path, fifo: Path) -> StoreLoader | None:
    """A loader of the new store, or None where the file system has no FIFOs (the store is then loaded
    from the dumps once they are written, as an incremental build's is not)."""
    try:
        return stack.enter_context(StoreLoader(store, fifo))
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise  # a full disk or a read-only directory: said as any other
        fifo.unlink(missing_ok=True)
        shutil.rmtree(store, ignore_errors=True)
        return None


def _build_json_keys(release: Path) -> set[str]:
    import json

    try:
        return set(json.loads((release / "build.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def _rebuild_info(full_reason: str | None, release: Release, *, converted: int) -> dict:
    """How this build was made, for build.json: full (and why) or incremental (and what it replaced)."""
    info: dict = {"mode": "full" if release.changes is None else "incremental", "converted": converted}
    if release.changes is None:
        info["reason"] = full_reason
    else:
        info["loaded"], info["removed"] = list(release.changes.load), list(release.changes.remove)
    return info


def _published(output: OutputDir) -> Path | None:
    """The published release, if there is a whole one."""
    current = output.current
    if not current.is_symlink() or not (current / "build.json").is_file() or not (current / "store").is_dir():
        return None
    return current.resolve()


def _unchanged(state: BuildState | None, cache: DocCache, st: os.stat_result | None, relpath: str, scanned: int,
               stats: dict[str, tuple[int, ...] | None]) -> DocResult | None:
    """The published result of a file whose size, times and inode are those the previous build recorded
    (the file is neither read nor hashed), or None. Records the file's stat for the next build."""
    if st is None:
        return None  # the worker reports it
    key = stat_key(st, scanned)
    stats[relpath] = key
    if state is None or key is None:
        return None
    recorded = state.files.get(relpath)
    result = state.results.get(relpath)
    if recorded is None or recorded[0] != key or result is None or result.sha256 != recorded[1]:  # type: ignore[attr-defined]
        return None
    clone = object.__new__(type(result))  # copy.copy, without its __reduce_ex__ (a third of a second at 16,000)
    clone.__dict__.update(result.__dict__)
    result = clone
    result.parts = f"{cache.path}/{result.parts_key[:2]}/{result.parts_key}"  # cache.stem, as a string
    return result


def _cached(cache: DocCache, fp: dict[str, str], path: Path, relpath: str) -> DocResult | None:
    """The cached result of a file converted before under the same fingerprint, or None."""
    import hashlib

    try:
        data = path.read_bytes()
    except OSError:
        return None  # the worker reports it
    key = document_key(fp, relpath, hashlib.sha256(data).hexdigest())
    meta = cache.get(key)
    if meta is None:
        return None
    result = result_from_json(meta)
    result.relpath, result.parts_key, result.parts = relpath, key, str(cache.stem(key))
    return result


def _empty(directory: Path) -> None:
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _appears_in(results: list[DocResult], minter: Minter, keep: set[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """IRI -> (document id, source file) of each document that refers to it or contributes to its description.

    A document graph's outward references name the persons, organisations, places
    and events it refers to; its persons, reported sources, holding archive and
    languages are what it adds to the entities graph. With ``keep``, only those IRIs.
    """
    out: dict[str, set[tuple[str, str]]] = {}
    for r in results:
        iris = {o for o, _s, _p in r.references}
        iris |= {minter.person(slug) for slug, *_ in r.persons}
        iris |= {minter.iri(kind, slug) for kind, slug, _label in r.agents}
        iris |= {str(LEXVO[code]) for code, _name in r.languages}
        if r.archive:
            iris.add(minter.iri("organization", r.archive[0]))
        if keep is not None:
            iris &= keep
        for iri in iris:
            out.setdefault(iri, set()).add((r.identifier or "", r.relpath))
    return {iri: sorted(docs) for iri, docs in out.items()}


def _blame(
    report: Report, appears_in_of: Callable[[], dict[str, list[tuple[str, str]]]], curated: dict[str, str]
) -> tuple[Report, dict[Result, list[str]]]:
    """Each violation of the whole dataset with the source files responsible for it.

    A violation is the documents' when its focus node (or, for a dangling
    reference, the IRI referred to) is something documents refer to or describe;
    each result then names those files. A violation of curated authority data
    names the authority file's line and no document; so does one of the VoID
    description. Warnings are left as they are.
    """
    blamed: dict[Result, list[str]] = {}
    results = []
    # (a function: made only when there is a violation, for it goes over every document's references)
    appears_in = appears_in_of() if report.violations else {}
    for r in report.results:
        if r.severity != "Violation":
            results.append(r)
            continue
        nodes = [n for n in (r.focus, r.value) if n]
        srcs = [] if any(n in curated for n in nodes) else sorted({s for n in nodes for _i, s in appears_in.get(n, [])})
        where = ", ".join(srcs) or next((curated[n] for n in nodes if n in curated), None)
        r = replace(r, source=where or r.source)
        blamed[r] = srcs
        results.append(r)
    return Report(results, report.review), blamed


def _whole_dataset_report(
    release: Release, results: list[DocResult], minter: Minter, shapes_dir: Path, curated: set[str] | None = None,
) -> Report:
    """SHACL on the entities graph and the VoID description, and the checks across documents.

    Both graphs are validated from their N-Quads with the fast engine; an entities graph whose every subject's
    block is the previous release's is not validated again (the previous one was, under the same shapes), and
    its results are the previous ones. The checks across documents need only each document's references that
    dangle, and the documents of each person."""
    shapes = load_shapes(shapes_dir)
    report = Report()
    before, blocks = release.entities_before, release.entities
    entity_results = _entities_report(before, blocks, release.entity_report, release.entities_nq, shapes)
    if release.state is not None:
        release.state.entity_report = entity_results
    report.results.extend(entity_results)
    persons = release.person_labels
    labelled = dict(persons)
    source_of = {r.identifier: r.relpath for r in results}
    checks_before, touched = release.person_checks_before, release.persons_touched
    if release.changes is not None and touched is not None and isinstance(checks_before, PersonChecks):
        # A rebuild: the published release has no dangling reference, so one can only come from a document
        # loaded now, or from a kept one that refers to a subject no longer described. Only the persons it
        # touched are checked again.
        loaded = set(release.changes.load)
        references = [ref for r in results if r.identifier in loaded for ref in r.references if ref[0] not in blocks]
        gone = set(before or ()) - set(blocks)
        if gone:
            references += [ref for r in results if r.identifier not in loaded for ref in r.references if ref[0] in gone]
    else:
        checks_before = touched = None
        references = [ref for r in results for ref in r.references if ref[0] not in blocks]
    keep = PersonChecks()
    across = cross_document_checks(_full_references(references, results), set(blocks), persons,
                                   _DocumentsOf(release.persons_in, source_of, labelled), curated,
                                   before=checks_before, touched=touched, keep=keep)  # type: ignore[arg-type]
    if release.state is not None:
        release.state.person_checks = keep
    release.finish()  # the whole-archive dumps, written meanwhile, and the VoID description of them
    report.extend(validate_text(release.void_nq.decode("utf-8"), shapes).with_source("void.ttl"))
    report.extend(across)
    return report


_TYPE_LINE = b" <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "


def _entities_report(before: dict | None, blocks: dict, previous: list[Result], entities_nq: bytes, shapes) -> list[Result]:  # type: ignore[no-untyped-def]
    """The validation results of the entities graph, sorted. A rebuild validates only the subjects whose
    block changed, with the types of the subjects they refer to (the shapes of these classes are about the
    node itself and the classes of its values), and keeps the previous results of the others."""
    def ordered(results: list[Result]) -> list[Result]:
        return sorted(results, key=lambda r: (r.focus, r.path or "", r.message, r.value or "", r.severity))

    if before is None:
        return ordered(validate_text(entities_nq.decode("utf-8"), shapes).with_source("dumps/entities.ttl").results)
    changed = {s for s, b in blocks.items() if s not in before or before[s].key != b.key}
    gone = {s for s in before if s not in blocks}
    if not changed and not gone:
        return list(previous)
    data = [blocks[s].nq for s in sorted(changed)]
    referred = {o.value for q in ox.parse(b"".join(data), format=ox.RdfFormat.N_QUADS)
                if isinstance(o := q.object, ox.NamedNode) and o.value in blocks and o.value not in changed}
    data += [line + b"\n" for s in sorted(referred) for line in blocks[s].nq.splitlines() if _TYPE_LINE in line]
    found = validate_text(b"".join(data).decode("utf-8"), shapes).with_source("dumps/entities.ttl").results
    return ordered([r for r in previous if r.focus not in changed and r.focus not in gone]
                   + [r for r in found if r.focus in changed])


class _DocumentsOf(Mapping):
    """(document id, source file) of the documents each labelled person is in, made when asked for: a rebuild
    asks for those of the persons it checks again, not for all 53,000 at 16,000 documents."""

    def __init__(self, persons_in: dict[str, set[str]], source_of: dict[str | None, str],
                 labelled: dict[str, str]) -> None:
        self._persons_in, self._source_of, self._labelled = persons_in, source_of, labelled

    def __getitem__(self, iri: str) -> list[tuple[str, str]]:
        if iri not in self._labelled:
            raise KeyError(iri)
        source_of = self._source_of
        return [(i, source_of[i]) for i in self._persons_in[iri] if i in source_of]

    def __iter__(self) -> Iterator[str]:
        return (iri for iri in self._persons_in if iri in self._labelled)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _full_references(references: list[tuple[str, str, str]], results: list[DocResult]) -> list[tuple[str, str, str]]:
    """``references`` with those the build state kept as the IRI alone (an unchanged document's) read back in
    full from the document's conversion-cache entry: a dangling reference names its node and property."""
    if all(s for _o, s, _p in references):
        return references
    wanted = {o for o, s, _p in references if not s}
    out = [ref for ref in references if ref[1]]
    for r in results:
        if any(o in wanted and not s for o, s, _p in r.references):
            try:
                full = json.loads(Path(part(r.parts, ".json")).read_text(encoding="utf-8"))["references"]
            except (OSError, ValueError, KeyError):
                raise ConversionError(f"the conversion cache entry of {r.relpath} is missing or damaged; "
                                      "build again with --full") from None
            out += [tuple(ref) for ref in full if ref[0] in wanted]  # type: ignore[misc]
    return out
