#!/usr/bin/env python3
"""Measure what SHACL validation adds to a build: pyshacl per document graph.

    python bench/bench_validate.py [--documents 200] [--seed 1]

Generates documents in the archive's layouts (bench/generate_corpus.py), converts each
in-process, and times ``converter.validate.validate_graph`` on each document graph
with the project's shapes. Prints the median and mean time per document and per 1,000
triples, and the time this would add to a build of 16,000 documents on this machine's
cores. The cross-document checks are timed by ``bench_build.py`` (``seconds.cross_checks``
in build.json).
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
from converter.validate import load_shapes, validate_graph  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=200, help="documents to validate (default 200)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--archive", type=int, default=16000, help="archive size to extrapolate to (default 16000)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    authority = load_authority(ROOT / "seeds" / "authority")
    minter = Minter("https://example.org/")
    shapes = load_shapes()
    per_doc, per_ktriples, triples, violations = [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(tmp, documents=args.documents, seed=args.seed)
        for path in sorted(Path(tmp).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            info = SourceInfo(path.name, "0" * 64, len(text.encode("utf-8")), len(text))
            graph = build_document(text, info, authority=authority, minter=minter).graph
            started = time.perf_counter()
            report = validate_graph(graph, shapes)
            seconds = time.perf_counter() - started
            violations += len(report.violations)
            per_doc.append(seconds)
            triples.append(len(graph))
            per_ktriples.append(seconds / len(graph) * 1000)
    cores = os.cpu_count() or 1
    out = {
        "documents": len(per_doc),
        "triples_per_document_mean": round(statistics.mean(triples)),
        "seconds_per_document_median": round(statistics.median(per_doc), 3),
        "seconds_per_document_mean": round(statistics.mean(per_doc), 3),
        "seconds_per_1000_triples_median": round(statistics.median(per_ktriples), 3),
        "violations": violations,
        "cores": cores,
        "archive_documents": args.archive,
        "added_wall_seconds_at_archive_scale": round(statistics.mean(per_doc) * args.archive / cores),
    }
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for k, v in out.items():
            print(f"{k:<38}{v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
