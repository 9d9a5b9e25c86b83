#!/usr/bin/env python3
"""Measure what SHACL validation adds to a build, engine by engine, per document graph.

    python bench/bench_validate.py [--documents 200] [--seed 1] [--no-reference]

Generates documents in the archive's layouts (bench/generate_corpus.py), converts each
in-process, and times on each document graph, with the project's shapes:

- the floor: pyoxigraph parsing the graph's N-Quads (what any validator must at least read);
- the build's engine: ``converter.validate.validate_text`` on the N-Quads (``shacl`` from PyPI);
- the reference: pyshacl on the rdflib graph (``--no-reference`` skips it: it is 40-60x slower).

Prints the median and mean time per document, per 1,000 triples, the ratio to the floor,
whether the two engines agree on every document, and the time validation would add to a
build of 16,000 documents on this machine's cores. The cross-document checks are timed by
``bench_build.py`` (``seconds.cross_checks`` in build.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_corpus import generate_corpus  # noqa: E402

from converter.authority import load_authority  # noqa: E402
from converter.pipeline import build_document  # noqa: E402
from converter.to_rdf import SourceInfo  # noqa: E402
from converter.uris import Minter  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from converter.rdf_io import graph_of, sorted_nquads  # noqa: E402
from converter.validate import load_shapes, validate_graph, validate_text  # noqa: E402


def _ms(seconds: list[float]) -> dict:
    return {"median_ms": round(statistics.median(seconds) * 1000, 1), "mean_ms": round(statistics.mean(seconds) * 1000, 1)}


def _key(report) -> list:  # type: ignore[no-untyped-def]
    return sorted((r.severity, r.focus, r.path or "", r.message, r.value or "") for r in report.results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=200, help="documents to validate (default 200)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--archive", type=int, default=16000, help="archive size to extrapolate to (default 16000)")
    ap.add_argument("--no-reference", dest="reference", action="store_false",
                    help="do not time pyshacl (the reference engine) beside the build's engine")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    authority = load_authority(ROOT / "seeds" / "authority")
    minter = Minter("https://example.org/")
    shapes = load_shapes()
    floor, fast, reference, triples, violations, disagree = [], [], [], [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(tmp, documents=args.documents, seed=args.seed)
        for path in sorted(Path(tmp).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            info = SourceInfo(path.name, "0" * 64, len(text.encode("utf-8")), len(text))
            built = build_document(text, info, authority=authority, minter=minter)
            nq = sorted_nquads(built.triples, minter.graph(built.doc.identifier))
            triples.append(len(built.triples))
            started = time.perf_counter()
            sum(1 for _ in ox.parse(nq, format=ox.RdfFormat.N_QUADS))
            floor.append(time.perf_counter() - started)
            started = time.perf_counter()
            report = validate_text(nq.decode("utf-8"), shapes)
            fast.append(time.perf_counter() - started)
            violations += len(report.violations)
            if args.reference:
                graph = graph_of(nq)
                started = time.perf_counter()
                ref = validate_graph(graph, shapes, engine="pyshacl")
                reference.append(time.perf_counter() - started)
                disagree += _key(ref) != _key(report)
    cores = os.cpu_count() or 1
    mean_triples = statistics.mean(triples)
    out = {
        "documents": len(fast),
        "triples_per_document_mean": round(mean_triples),
        "floor_parse": _ms(floor),
        "shacl_engine": _ms(fast),
        "shacl_engine_ms_per_1000_triples": round(statistics.mean(fast) * 1000 / mean_triples * 1000, 2),
        "shacl_engine_x_floor": round(statistics.median(fast) / statistics.median(floor), 1),
        "violations": violations,
        "cores": cores,
        "archive_documents": args.archive,
        "added_wall_seconds_at_archive_scale": round(statistics.mean(fast) * args.archive / cores),
    }
    if reference:
        out["pyshacl_reference"] = _ms(reference)
        out["pyshacl_x_floor"] = round(statistics.median(reference) / statistics.median(floor), 1)
        out["documents_where_the_engines_disagree"] = disagree
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for k, v in out.items():
            print(f"{k:<38}{v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
