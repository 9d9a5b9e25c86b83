"""Publication: the output directory, dumps, the embedded store, VoID/DCAT; atomic swap.

One module a part: ``output`` (the directory, releases, build.json, file trees), ``release`` (writing one),
``entities`` (the entities graph by subject), ``dumps`` (the whole-archive dumps), ``void`` (VoID/DCAT),
``store`` (loading the store, or updating a snapshot of the published one).

Layout of ``--out DIR``::

    DIR/current -> releases/<build-id>      the published build (a symlink, swapped atomically)
    DIR/.cache/validation/                  validation reports of document graphs seen before
    DIR/.cache/documents/                   converted documents (cache.DocCache), reused by the next build
    DIR/releases/<build-id>/
        store/                              pyoxigraph on-disk store (named graph per document)
        dumps/archivekg.ttl.gz              the whole graph (union of all graphs) as Turtle
        dumps/archivekg.nq.gz               every quad, named graphs kept, as N-Quads
        dumps/documents/<id>.ttl            one Turtle file per document graph
        dumps/entities.ttl                  persons, organisations, languages, software
        sources/<relpath>                   the source files, as served at {base}source/<relpath>
        search.sqlite                       full-text index (SQLite FTS5) of utterances, paragraphs, claims
        void.ttl                            VoID/DCAT description of the dataset and its dumps
        build.json                          counts, warnings, build time, documents, items to review,
                                            documents left out (--keep-going)
        state.pickle                        what the next build needs to update this release (not
                                            published: cache.BuildState)

A build is written under ``releases/.staging-*`` and becomes visible only when the
``current`` link is replaced in one rename; a failed or interrupted build leaves the
previous release untouched. The previous release is kept (a running server may
still be reading it); older ones are removed. A rebuild under the same fingerprint
(cache.py) starts from a snapshot of the published release and its build state, and
replaces only the documents that changed (``write_release(previous=..., state=...)``).
"""

from __future__ import annotations

from .dumps import NQUADS_DUMP, TURTLE_DUMP
from .entities import ENTITIES, Aggregates  # (Aggregates: build states pickled by earlier versions name it here)
from .output import KEEP_RELEASES, OutputDir, OutputError, collect_sources, read_build_info, update_build_info
from .release import Release, start_copies, wait_for, write_release
from .store import StoreLoader

__all__ = [
    "ENTITIES", "KEEP_RELEASES", "NQUADS_DUMP", "TURTLE_DUMP", "Aggregates", "OutputDir", "OutputError", "Release",
    "StoreLoader", "collect_sources", "read_build_info", "start_copies", "update_build_info", "wait_for",
    "write_release",
]
