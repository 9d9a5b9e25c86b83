#!/usr/bin/env python3
"""How long the pictures take at archive scale: /timeline, /network, /map and the editor's vocabulary.

    python bench/bench_pictures.py [--documents 16000] [--workdir DIR] [--repeat 5] [--settle S] [--browser] [--json]

Builds (or reuses) a generated corpus (bench/generate_corpus.py, via bench_server.generated_build:
WORKDIR/corpus and WORKDIR/out), serves it with `archivekg serve`, and fetches each picture over HTTP:
once cold (the first request after the server starts: the SPARQL queries through the store interface and
the drawing) and --repeat times warm (the server keeps each picture's query results for the published
build; it also prepares the whole archive's pictures in the background as it starts: --settle S waits S
seconds before the first request, so that "cold" is what a reader finds once the server is ready). With
--browser it also loads each page in headless Chromium (Debian's chromium and
chromium-driver) and reads the Navigation Timing of the page: from the request to the end of the load
event, i.e. until the picture is drawn and the page answers. Prints seconds, bytes and the picture's
size (marks, nodes, circles).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
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

PAGES = (
    ("/timeline", "timeline, whole archive"),
    ("/timeline?zoom=decade&at=1960", "timeline, the 1960s"),
    ("/timeline?zoom=year&at=1968", "timeline, 1968"),
    ("/timeline?zoom=month&at=1968-10", "timeline, October 1968"),
    ("/network", "network"),
    ("/network.graphml", "network as GraphML"),
    ("/network.csv", "network as CSV"),
    ("/map", "map"),
    ("/sparql/vocabulary", "editor's vocabulary"),
)


def _get(url: str) -> tuple[float, bytes]:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as resp:
        body = resp.read()
    return time.perf_counter() - t, body


def _shape(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    counts = [(n, len(re.findall(pattern, text))) for n, pattern in (
        ("marks", r'<rect [^>]*class="mark '), ("bars", r'<rect [^>]*class="bar '), ("nodes", r'class="node"'),
        ("lines", r'class="edge"'), ("places", r'class="place"'))]
    return ", ".join(f"{c} {n}" for n, c in counts if c)


def _browser_times(root: str) -> dict[str, float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(600)
    out = {}
    try:
        for path, _ in PAGES:
            if not path.startswith(("/timeline", "/network?", "/map")) and path != "/network":
                continue
            driver.get(root + path)
            t = driver.execute_script("var n = performance.getEntriesByType('navigation')[0];"
                                      "return [n.responseStart - n.requestStart, n.loadEventEnd - n.startTime];")
            out[path] = round(t[1] / 1000, 3)
    finally:
        driver.quit()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=16000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--settle", type=float, default=0.0, help="seconds to wait after the server starts")
    ap.add_argument("--browser", action="store_true", help="also time each page in headless Chromium")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-pictures-bench-"))
    out = generated_build(work, args.documents)
    build = json.loads((out / "current" / "build.json").read_text())
    rows = []
    with served(out, {}) as (sparql_url, _):
        root = sparql_url.removesuffix("/sparql")
        time.sleep(args.settle)
        for path, name in PAGES:
            cold, body = _get(root + path)
            warm = [_get(root + path)[0] for _ in range(args.repeat)]
            rows.append({"page": path, "name": name, "cold_s": round(cold, 3),
                         "warm_s": round(statistics.median(warm), 3) if warm else None,
                         "bytes": len(body), "drawn": _shape(body)})
        browser = _browser_times(root) if args.browser else {}
    for r in rows:
        r["browser_load_s"] = browser.get(r["page"])
    report = {"documents": build.get("documents"), "triples": build.get("triples"), "settle_s": args.settle,
              "pages": rows}
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"{report['documents']} documents, {report['triples']} triples; first request {args.settle:g} s after the start")
    for r in rows:
        load = f"  browser load {r['browser_load_s']:.2f} s" if r["browser_load_s"] is not None else ""
        print(f"{r['name']:<26} cold {r['cold_s']:>7.3f} s  warm {r['warm_s']:>7.3f} s  {r['bytes']:>9} bytes"
              f"{load}  {r['drawn']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
