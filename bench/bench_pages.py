#!/usr/bin/env python3
"""Latency of the Linked Data pages: every kind of resource, as HTML and as Turtle, over HTTP.

    python bench/bench_pages.py [--documents 1000] [--per-kind 30] [--workdir DIR] [--json]

Builds (or reuses) a generated corpus (bench/generate_corpus.py), serves it, picks up to
--per-kind resources of each kind (documents, utterances, paragraphs, claims, mentions,
persons, places, organisations, events) from the store, and fetches each one's page
(Accept: text/html) and its RDF (Accept: text/turtle). Prints median, 95th percentile
and slowest latency per kind and format, and the slowest resource, so that a page whose
queries scan the store stands out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import generated_build, served  # noqa: E402

KINDS = ("document", "utterance", "paragraph", "claim", "mention", "person", "place", "organization", "event")


def _sample(out: Path, per_kind: int) -> dict[str, list[str]]:
    """Up to per_kind IRIs of each kind, spread over the store (every n-th, in IRI order)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / "current" / "store"))
    base = json.loads((out / "current" / "build.json").read_text())["base_uri"]
    picked: dict[str, list[str]] = {}
    for kind in KINDS:
        prefix = f"{base}id/{kind}/"
        iris = sorted({q.subject.value for q in store.quads_for_pattern(None, None, None)
                       if q.subject.value.startswith(prefix) and "#" not in q.subject.value}) if kind in (
            "person", "place", "organization", "event") else None
        if iris is None:  # the big kinds: read their class instead of every quad
            cls = {"document": "Document", "utterance": "Utterance", "paragraph": "Paragraph", "claim": "Claim",
                   "mention": "Mention"}[kind]
            iris = sorted(r["s"].value for r in store.query(
                f"SELECT DISTINCT ?s WHERE {{ ?s a <https://w3id.org/archivekg/ontology#{cls}> }}",
                use_default_graph_as_union=True))
        step = max(1, len(iris) // per_kind) if iris else 1
        picked[kind] = iris[::step][:per_kind]
    return picked, base  # type: ignore[return-value]


def _get(url: str, accept: str) -> tuple[float, int]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as resp:
        size = len(resp.read())
    return time.perf_counter() - t, size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--per-kind", type=int, default=30)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-pages-bench-"))
    out = generated_build(work, args.documents)
    picked, base = _sample(out, args.per_kind)
    rows = []
    with served(out, {}) as (sparql_url, _):
        root = sparql_url.removesuffix("/sparql")
        for kind, iris in picked.items():
            for accept, label in (("text/html", "html"), ("text/turtle", "turtle")):
                times, slowest = [], ("", 0.0)
                for iri in iris:
                    took, _size = _get(root + "/" + iri[len(base):], accept)
                    times.append(took)
                    if took > slowest[1]:
                        slowest = (iri[len(base):], took)
                if times:
                    rows.append({"kind": kind, "format": label, "n": len(times),
                                 "ms_p50": round(statistics.median(times) * 1000, 1),
                                 "ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1),
                                 "ms_max": round(slowest[1] * 1000, 1), "slowest": slowest[0]})
    if args.json:
        print(json.dumps({"documents": args.documents, "pages": rows}, indent=1))
    else:
        for r in rows:
            print(f"{r['kind']:<13} {r['format']:<7} n={r['n']:<3} p50 {r['ms_p50']:>8} ms  p95 {r['ms_p95']:>8} ms  "
                  f"max {r['ms_max']:>8} ms  ({r['slowest']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
