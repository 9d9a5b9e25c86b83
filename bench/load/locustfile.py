"""Locust users for archivekg: what the server's visitors do, mixed.

    locust -f bench/load/locustfile.py --headless -u 16 -r 16 -t 60s --host http://127.0.0.1:8080

bench/load/run.py starts the server and locust and reports the figures; tests/test_load.py runs it for
a few seconds and holds it to no failures. Each user, with a short pause (0-0.1 s) between requests:
- SPARQL: a catalogue query of server/queries/*.rq (those without a SERVICE clause: nothing leaves the
  machine), by POST, JSON results;
- resource pages: the IRI (303) followed to its HTML page, and its Turtle;
- full-text search, as a page and as JSON;
- dump downloads, whole, their size checked;
- reconciliation: a batch of names, as OpenRefine sends them, and the service manifest.

Settings (environment variables, set by run.py from the build it serves):
- AKG_PAGES: resource paths, separated by spaces (default: the seed's document and Mao Zedong);
- AKG_DUMPS: dump paths with their byte sizes, `path=bytes` separated by spaces (default: the two dumps,
  sizes unchecked);
- AKG_WAIT: the longest pause between a user's requests, in seconds (default 0.1).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

ROOT = Path(__file__).resolve().parents[2]
QUERIES = {p.stem.split("-")[0]: p.read_text(encoding="utf-8")
           for p in sorted((ROOT / "server" / "queries").glob("*.rq"))
           if "SERVICE" not in p.read_text(encoding="utf-8").upper()}
PAGES = os.environ.get("AKG_PAGES", "/id/document/111239 /id/person/mao-zedong").split()
DUMPS = [(d.split("=")[0], int(d.split("=")[1]) if "=" in d else None)
         for d in os.environ.get("AKG_DUMPS", "dumps/archivekg.ttl.gz dumps/archivekg.nq.gz").split()]
SEARCHES = ["Albania", "revisionism", "Mao", "imperialism", "Czechoslovakia", "comrades", "tractor plant"]
RECONCILE = {
    "q0": {"query": "Mao Zedong", "type": "person"},
    "q1": {"query": "Chairman Mao", "type": "person", "limit": 3},
    "q2": {"query": "Albania", "type": "place"},
    "q3": {"query": "Beqir Balluku"},
    "q4": {"query": "Soviet Union", "type": "place", "limit": 5},
}


class Visitor(HttpUser):
    wait_time = between(0, float(os.environ.get("AKG_WAIT", "0.1")))

    @task(4)
    def sparql(self) -> None:
        name, query = random.choice(sorted(QUERIES.items()))
        with self.client.post("/sparql", data=query.encode("utf-8"), name=f"sparql {name}", catch_response=True,
                              headers={"Content-Type": "application/sparql-query",
                                       "Accept": "application/sparql-results+json"}) as resp:
            if resp.status_code >= 400:
                resp.failure(f"{resp.status_code}: {resp.text.strip()[:200]}")  # the server says why
            elif "head" not in resp.json():
                resp.failure("not a SPARQL JSON result")

    @task(3)
    def page(self) -> None:
        path = random.choice(PAGES)
        kind = path.strip("/").split("/")[1]
        with self.client.get(path, headers={"Accept": "text/html"}, name=f"page {kind} (303, html)",
                             catch_response=True) as resp:
            if resp.status_code == 200 and (not resp.history or resp.history[0].status_code != 303):
                resp.failure("the IRI did not answer 303 See Other")
        self.client.get(path, headers={"Accept": "text/turtle"}, name=f"page {kind} (303, turtle)")

    @task(2)
    def search(self) -> None:
        q = random.choice(SEARCHES)
        self.client.get("/search", params={"q": q}, name="search (html)")
        with self.client.get("/search", params={"q": q, "format": "json"}, name="search (json)",
                             catch_response=True) as resp:
            if resp.status_code == 200 and not isinstance(resp.json(), dict):
                resp.failure("not a JSON object")

    @task(1)
    def dump(self) -> None:
        path, size = random.choice(DUMPS)
        with self.client.get("/" + path, name=f"dump {path.removeprefix('dumps/')}", catch_response=True) as resp:
            if resp.status_code == 200 and size is not None and len(resp.content) != size:
                resp.failure(f"{len(resp.content)} bytes, not the {size} of the build")

    @task(2)
    def reconcile(self) -> None:
        with self.client.post("/reconcile", data={"queries": json.dumps(RECONCILE)}, name="reconcile (batch of 5)",
                              catch_response=True) as resp:
            if resp.status_code == 200 and sorted(resp.json()) != sorted(RECONCILE):
                resp.failure("not an answer for every query of the batch")
        if random.random() < 0.2:
            self.client.get("/reconcile", name="reconcile (manifest)")
