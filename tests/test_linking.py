"""`archivekg link` against a real SPARQL endpoint serving a Wikidata-shaped fixture, on loopback.

The endpoint is this project's own server, over tests/fixtures/wikidata/wikidata.ttl;
the linker talks to it through SPARQLWrapper exactly as it would to the Query Service.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import shutil
import threading
from pathlib import Path

import pytest

from converter.linker import Candidate, Context, propose
from converter.wikidata import WikidataClient, WikidataError

from .conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def wikidata(wikidata_endpoint: str) -> str:
    return wikidata_endpoint


@pytest.fixture()
def project(tmp_path: Path, seed_build: Path) -> Path:
    """A copy of the seed's authority data beside the seed's build, so the linker may write to it."""
    shutil.copytree(ROOT / "seeds" / "authority", tmp_path / "seeds" / "authority")
    return tmp_path


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _unlink(project: Path, kind: str, ident: str) -> None:
    """Take an entity's QID, and its evidence row, out of the copied authority data: the linker then looks for it."""
    auth = project / "seeds" / "authority"
    path = auth / {"place": "places.csv", "organization": "organizations.csv", "person": "persons.csv",
                   "event": "events.csv"}[kind]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert any(r["id"] == ident and r["wikidata"] for r in rows), f"{kind} {ident} has no QID to take out"
    for r in rows:
        if r["id"] == ident:
            r["wikidata"] = ""
    _write_csv(path, rows)
    evidence = [line for line in (auth / "wikidata-evidence.csv").read_text(encoding="utf-8").splitlines()
                if not line.startswith(f"{kind},{ident},")]
    (auth / "wikidata-evidence.csv").write_text("\n".join(evidence) + "\n", encoding="utf-8")


def _propose(project: Path, build: Path, endpoint: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli("link", "propose", str(build), "--authority", str(project / "seeds" / "authority"),
                   "--endpoint", endpoint, "--interval", "0", *extra)


def _review(project: Path) -> dict[str, list[dict[str, str]]]:
    rows = csv.DictReader(io.StringIO((project / "seeds" / "authority" / "wikidata-review.csv").read_text(encoding="utf-8")))
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(f"{r['kind']}/{r['id']}", []).append(r)
    return out


def test_the_linker_s_choices_on_the_fixture(project: Path, seed_build: Path, wikidata: str) -> None:
    _unlink(project, "organization", "bulgarian-telegraph-agency")  # the alias trap needs it unlinked
    res = _propose(project, seed_build, wikidata)
    assert res.returncode == 0, res.stderr
    review = _review(project)
    top = {key: rows[0] for key, rows in review.items()}
    # A namesake from another century and a ship of the same name lose to the leader of the documents' time.
    assert top["person/todor-zhivkov"]["status"] == "proposed" and top["person/todor-zhivkov"]["qid"] == "Q90000001"
    zhivkov = {r["qid"]: r for r in review["person/todor-zhivkov"]}
    assert "before the archive's period" in zhivkov["Q90000002"]["reasons"]
    assert zhivkov["Q90000003"]["status"] == "declined" and "not a human" in zhivkov["Q90000003"]["reasons"]
    # Two people of one name at the same time: reported, never guessed.
    assert {r["status"] for r in review["person/hysni-kapo"]} == {"ambiguous"}
    assert "ambiguous: person hysni-kapo" in res.stderr
    # A label that matches only as an alias is found; the company that took the alias later is not chosen.
    bta = top["organization/bulgarian-telegraph-agency"]
    assert (bta["status"], bta["qid"], bta["candidate_label"]) == ("proposed", "Q90000030", "Bulgarian News Agency")
    assert "alias 'Bulgarian Telegraph Agency'" in bta["reasons"]
    assert top["event/invasion-of-czechoslovakia"]["qid"] == "Q90000040"
    assert top["person/josip-broz-tito"]["qid"] == "Q90000050"
    # No candidate at all: said so, nothing invented.
    assert top["person/beqir-balluku"]["status"] == "none" and top["person/beqir-balluku"]["qid"] == ""
    # Entities that already have a checked QID are not asked about.
    assert "person/mao-zedong" not in review


def test_a_historical_state_beats_the_modern_one(project: Path, seed_build: Path, wikidata: str) -> None:
    """With Bulgaria's QID taken out, the linker finds the People's Republic, not the later republic."""
    _unlink(project, "place", "bulgaria")
    assert _propose(project, seed_build, wikidata).returncode == 0
    bulgaria = {r["qid"]: r for r in _review(project)["place/bulgaria"]}
    assert bulgaria["Q121932"]["status"] == "proposed"
    assert "founded 1990, after the documents" in bulgaria["Q90000010"]["reasons"]


def test_accepted_links_enter_the_authority_data_with_evidence(project: Path, seed_build: Path, wikidata: str) -> None:
    auth = project / "seeds" / "authority"
    assert _propose(project, seed_build, wikidata).returncode == 0
    path = auth / "wikidata-review.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for r in rows:
        if (r["id"], r["qid"]) == ("todor-zhivkov", "Q90000001"):
            r["decision"] = "accept"
        if (r["id"], r["qid"]) == ("josip-broz-tito", "Q90000050"):
            r["decision"] = "reject"
    _write_csv(path, rows)
    res = run_cli("link", "apply", "--authority", str(auth))
    assert res.returncode == 0, res.stderr
    assert "linked person todor-zhivkov -> Q90000001" in res.stdout and "josip-broz-tito" not in res.stdout
    from converter.authority import load_authority

    loaded = load_authority(auth)  # the evidence check passes: the QID came with its evidence
    assert loaded.get("person", "todor-zhivkov").wikidata == "Q90000001"
    assert loaded.get("person", "josip-broz-tito").wikidata is None
    ev = loaded.evidence[("person", "todor-zhivkov")]
    assert ev.source.startswith(wikidata) and ev.label == "Todor Zhivkov" and "1911" in ev.description
    # A second proposal keeps the curator's decisions.
    assert _propose(project, seed_build, wikidata).returncode == 0
    kept = {(r["id"], r["qid"]): r["decision"] for rows in _review(project).values() for r in rows}
    assert kept[("josip-broz-tito", "Q90000050")] == "reject"


def test_answers_are_cached_so_a_second_run_is_offline(project: Path, seed_build: Path, wikidata: str) -> None:
    first = _propose(project, seed_build, wikidata)
    assert first.returncode == 0 and " 0 request(s)" not in first.stdout
    again = _propose(project, seed_build, wikidata, "--offline")
    assert again.returncode == 0 and " 0 request(s)" in again.stdout
    cold = _propose(project, seed_build, wikidata, "--offline", "--cache", str(project / "empty-cache"))
    assert cold.returncode == 1 and "offline, and no cached answer" in cold.stderr and "Traceback" not in cold.stderr


def test_report_lists_linked_unlinked_and_pending(project: Path, seed_build: Path, wikidata: str) -> None:
    assert _propose(project, seed_build, wikidata).returncode == 0
    res = run_cli("link", "report", str(seed_build), "--authority", str(project / "seeds" / "authority"), "--format", "json")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    assert ["mao-zedong", "Mao Zedong", "Q5816"] in got["person"]["linked"]
    pending = [row[0] for row in got["person"]["pending"]]
    assert "todor-zhivkov" in pending and "hysni-kapo" in pending
    assert "beqir-balluku" in [row[0] for row in got["person"]["unlinked"]]  # no candidate: nothing to review
    text = run_cli("link", "report", str(seed_build), "--authority", str(project / "seeds" / "authority")).stdout
    assert "person:" in text and "pending review" in text


class _Flaky(http.server.BaseHTTPRequestHandler):
    """A real HTTP endpoint that first answers 429 Too Many Requests, then SPARQL JSON results."""
    calls: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).calls.append(self.headers.get("User-Agent", ""))
        if len(self.calls) == 1:
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        body = json.dumps({"head": {"vars": ["item"]}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
        pass


def test_the_client_retries_after_429_and_says_who_it_is(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = WikidataClient(f"http://127.0.0.1:{server.server_address[1]}/sparql", tmp_path, min_interval=0,
                                backoff=0.05)
        assert client.select("SELECT * WHERE { ?s ?p ?o }") == {"head": {"vars": ["item"]}, "results": {"bindings": []}}
        assert client.requests == 2 and all(ua.startswith("archivekg/") for ua in _Flaky.calls)
        with pytest.raises(WikidataError):
            WikidataClient("http://127.0.0.1:9/sparql", None, min_interval=0, retries=0).select("ASK {}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("scores", "status"), [
    ([("Q1", "label", 1911, 1998), ("Q2", "label", 1931, 2001)], "ambiguous"),  # both alive then
    ([("Q1", "label", 1911, 1998), ("Q2", "label", 1822, 1880)], "proposed"),
    ([("Q1", "label", 1990, None)], "none"),  # born after the documents
])
def test_ranking_by_time(scores: list, status: str) -> None:
    ctx = Context("person", "x", "X", years=(1968, 1968))
    got = propose(ctx, [Candidate(q, "X", matched="X", via=via, typed=True, types=("Q5",), born=b, died=d)
                        for q, via, b, d in scores])
    assert got.status == status
