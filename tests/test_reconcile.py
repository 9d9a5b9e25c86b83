"""The reconciliation service at /reconcile: over HTTP against the real server, as a pure scoring
function, and through the real client, OpenRefine 3.6, which reconciles a column against it."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from server.reconcile import (EXACT_ALIAS, EXACT_LABEL, MAX_LIMIT, MIN_SCORE, QID_CONTRADICTED, Candidate, Query,
                              name_score, normalise, preview_html, reconcile)

from .conftest import BASE, FIXTURES, ROOT, _free_port, run_cli, serving

HERE = FIXTURES / "reconcile"
JSON = {"Accept": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded", **JSON}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # OpenRefine answers a new project with a redirect naming its id: keep it


_PLAIN = urllib.request.build_opener()
_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def http(method: str, url: str, *, data: bytes | None = None, headers: dict | None = None, follow: bool = True):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with (_PLAIN if follow else _NO_REDIRECT).open(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        try:
            return err.code, err.headers, err.read()
        finally:
            err.close()


def ask(url: str, queries: dict) -> dict:
    """POST a batch as OpenRefine does (form-encoded ``queries``); the answers by key."""
    status, headers, body = http("POST", f"{url}/reconcile", data=urllib.parse.urlencode(
        {"queries": json.dumps(queries)}).encode(), headers=FORM)
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def one(url: str, query: dict) -> list[dict]:
    return ask(url, {"q0": query})["q0"]["result"]


def mao_qid() -> str:
    with (ROOT / "seeds" / "authority" / "persons.csv").open(encoding="utf-8") as f:
        return next(row["wikidata"] for row in csv.DictReader(f) if row["id"] == "mao-zedong")


# --- the manifest --------------------------------------------------------------------------------

def test_manifest(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/reconcile")
    m = json.loads(body)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert m["versions"] == ["0.1", "0.2"] and m["name"] == "archivekg"
    assert m["identifierSpace"] == f"{BASE}id/"
    assert m["schemaSpace"] == "https://w3id.org/archivekg/ontology#"
    assert [(t["id"], t["name"]) for t in m["defaultTypes"]] == [
        ("person", "Person"), ("place", "Place"), ("organization", "Organisation"), ("event", "Event")]
    # the server's URLs are its public ones: PUBLIC_URL, by default the build's base URI (never the Host header)
    assert m["view"]["url"] == f"{BASE}id/{{{{id}}}}"
    assert m["preview"]["url"] == f"{BASE}reconcile/preview?id={{{{id}}}}"
    assert m["preview"]["width"] > 0 and m["preview"]["height"] > 0
    for kind in ("entity", "type", "property"):
        assert m["suggest"][kind] == {"service_url": BASE.rstrip("/"), "service_path": f"/reconcile/suggest/{kind}"}
    # the view template, filled in as OpenRefine does, is the resource's page (here, on loopback)
    view = m["view"]["url"].replace("{{id}}", "person/mao-zedong").replace(BASE, f"{url}/")
    status, _, page = http("GET", view, headers={"Accept": "text/html"})
    assert status == 200 and b"Mao Zedong" in page


def test_jsonp(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/reconcile?callback=jQuery36_1700000000")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert text.startswith("/**/jQuery36_1700000000(") and text.endswith(");")
    assert json.loads(text[len("/**/jQuery36_1700000000("):-2])["name"] == "archivekg"
    q = urllib.parse.quote(json.dumps({"q0": {"query": "Mao Zedong"}}))
    status, _, body = http("GET", f"{url}/reconcile?queries={q}&callback=cb")
    assert status == 200 and body.startswith(b"/**/cb(") and b"person/mao-zedong" in body
    status, _, body = http("GET", f"{url}/reconcile?callback=alert(1)//", headers=JSON)
    assert status == 400 and b"callback" in body


# --- queries -------------------------------------------------------------------------------------

def test_a_name_its_alias_and_a_place(server) -> None:
    url, _ = server
    got = ask(url, {"q0": {"query": "Mao Zedong", "type": "person"}, "q1": {"query": "Mao Tse-tung"},
                    "q2": {"query": "Bulgaria", "type": "place"}, "q3": {"query": "mao   zedong!"}})
    top = {key: answer["result"][0] for key, answer in got.items()}
    assert top["q0"]["id"] == "person/mao-zedong" and top["q0"]["match"] is True and top["q0"]["score"] == EXACT_LABEL
    assert top["q0"]["name"] == "Mao Zedong" and top["q0"]["type"] == [{"id": "person", "name": "Person"}]
    assert top["q1"]["id"] == "person/mao-zedong" and top["q1"]["match"] is True and top["q1"]["score"] == EXACT_ALIAS
    assert top["q2"]["id"] == "place/bulgaria" and top["q2"]["match"] is True
    assert top["q2"]["description"] == "The communist Bulgarian state 1946-1990"  # its rdfs:comment
    assert top["q3"]["id"] == "person/mao-zedong" and top["q3"]["match"] is True  # case and punctuation folded


def test_no_match_for_an_unknown_or_a_near_name(server) -> None:
    url, _ = server
    got = ask(url, {"q0": {"query": "Nobody Atall"}, "q1": {"query": "Beqir Baluku"}, "q2": {"query": ""}})
    assert not any(r["match"] for r in got["q0"]["result"])
    near = got["q1"]["result"]
    assert near[0]["id"] == "person/beqir-balluku" and near[0]["match"] is False and MIN_SCORE <= near[0]["score"] < 90
    assert got["q2"]["result"] == []


def test_types_filter(server) -> None:
    url, _ = server
    got = ask(url, {"q0": {"query": "Bulgaria", "type": "person"},
                    "q1": {"query": "Communist Party", "type": "organization", "limit": 25},
                    "q2": {"query": "Sofia", "type": ["place", "event"]},
                    "q3": {"query": "Sofia", "type": "http://schema.org/Place"}})
    assert got["q0"]["result"] == []
    orgs = got["q1"]["result"]
    assert len(orgs) >= 3 and all(r["type"][0]["id"] == "organization" for r in orgs)
    assert got["q2"]["result"][0]["id"] == got["q3"]["result"][0]["id"] == "place/sofia"


def test_limit(server) -> None:
    url, _ = server
    q = "Communist Party"
    got = ask(url, {"default": {"query": q}, "two": {"query": q, "limit": 2}, "many": {"query": q, "limit": 1000},
                    "zero": {"query": q, "limit": 0}})
    assert len(got["default"]["result"]) == 3 and len(got["two"]["result"]) == 2 and len(got["zero"]["result"]) == 3
    assert 3 < len(got["many"]["result"]) <= MAX_LIMIT
    scores = [r["score"] for r in got["many"]["result"]]
    assert scores == sorted(scores, reverse=True)


def test_wikidata_and_alias_properties(server) -> None:
    url, _ = server
    qid = mao_qid()
    assert qid.startswith("Q")
    got = ask(url, {
        "same": {"query": "Chairman Mao Tse Tung", "properties": [{"pid": "wikidata", "v": qid}]},
        "iri": {"query": "Mao", "properties": [{"pid": "wikidata", "v": f"http://www.wikidata.org/entity/{qid}"}]},
        "other": {"query": "Mao Zedong", "properties": [{"pid": "wikidata", "v": "Q42"}]},
        "alias": {"query": "Mao Zedong", "properties": [{"pid": "alias", "v": "Mao Tsetung"}]},
        "no-alias": {"query": "Mao Zedong", "properties": [{"pid": "alias", "v": "Someone Else"}]},
        "unknown": {"query": "Mao Zedong", "properties": [{"pid": "P569", "v": "1893-12-26"}]},
    })
    same = got["same"]["result"][0]
    assert same["id"] == "person/mao-zedong" and same["score"] == 100 and same["match"] is True
    assert got["iri"]["result"][0]["match"] is True
    other = got["other"]["result"]
    assert [(r["id"], r["score"], r["match"]) for r in other] == [
        ("person/mao-zedong", EXACT_LABEL - QID_CONTRADICTED, False)]  # linked to another item: heavily penalised
    assert got["alias"]["result"][0]["match"] is True and got["alias"]["result"][0]["score"] == 100
    assert got["no-alias"]["result"][0]["match"] is False  # an other name it does not bear: not certain
    assert got["unknown"]["result"][0]["match"] is True  # unknown properties are ignored


def test_a_single_query_by_get(server) -> None:
    url, _ = server
    status, _, body = http("GET", f"{url}/reconcile?query=Sofia")
    assert status == 200 and json.loads(body)["result"][0]["id"] == "place/sofia"
    q = urllib.parse.quote(json.dumps({"query": "Korean War", "type": "event"}))
    status, _, body = http("GET", f"{url}/reconcile?query={q}")
    assert status == 200 and json.loads(body)["result"][0]["id"] == "event/korean-war"


@pytest.mark.parametrize(
    ("queries", "fragment"),
    [
        ('{"q0": {"query": "Mao"', "not valid JSON"),
        ('["Mao Zedong"]', "must be a JSON object"),
        ('{"q0": {"query": 7}}', "'query' must be a string"),
        ('{"q0": 7}', "query 'q0' must be an object"),
        ('{"q0": {"query": "Mao", "type": "planet"}}', "unknown type 'planet'"),
        ('{"q0": {"query": "Mao", "limit": "many"}}', "'limit' must be a whole number"),
        ('{"q0": {"query": "Mao", "properties": [{"v": "Q1"}]}}', "'pid'"),
        (json.dumps({f"q{i}": {"query": "Mao"} for i in range(51)}), "at most 50"),
        (json.dumps({"q0": {"query": "x" * 501}}), "longer than the limit"),
    ],
    ids=["bad-json", "not-object", "query-not-string", "query-not-object", "unknown-type", "bad-limit", "no-pid",
         "too-many", "too-long"],
)
def test_bad_queries_are_400_with_the_envelope(server, queries: str, fragment: str) -> None:
    url, _ = server
    status, headers, body = http("POST", f"{url}/reconcile", data=urllib.parse.urlencode({"queries": queries}).encode(),
                                 headers=FORM)
    assert status == 400 and headers["Content-Type"].startswith("application/json")
    envelope = json.loads(body)
    assert envelope["ok"] is False and envelope["status"] == 400 and fragment in envelope["message"]
    assert b"Traceback" not in body


# --- preview and suggest -------------------------------------------------------------------------

def test_preview(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/reconcile/preview?id=person/mao-zedong")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Mao Zedong" in page and "Mao Tse-tung" in page
    assert f'href="https://www.wikidata.org/wiki/{mao_qid()}"' in page
    assert f'href="{BASE}id/person/mao-zedong"' in page  # the public URL (PUBLIC_URL, by default the base URI)
    status, _, body = http("GET", f"{url}/reconcile/preview?id=person/nobody-at-all", headers=JSON)
    assert status == 404 and "person/nobody-at-all" in json.loads(body)["message"]
    status, _, body = http("GET", f"{url}/reconcile/preview", headers=JSON)
    assert status == 400 and "'id'" in json.loads(body)["message"]


def test_preview_is_escaped() -> None:
    c = Candidate("person/x", "person", '<script>alert("x")</script>', ("A & B",), "<b>bold</b>", frozenset({"Q1"}))
    page = preview_html(c, '/id/person/x"><script>')
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and "A &amp; B" in page


@pytest.mark.parametrize(
    ("path", "expect"),
    [
        ("/reconcile/suggest/entity?prefix=mao", "person/mao-zedong"),
        ("/reconcile/suggest/entity?prefix=Ballu", "person/beqir-balluku"),  # a word of the name
        ("/reconcile/suggest/entity?prefix=Tse-t", "person/mao-zedong"),  # a word of another name
        ("/reconcile/suggest/entity?prefix=sof&type=place", "place/sofia"),
        ("/reconcile/suggest/type?prefix=pers", "person"),
        ("/reconcile/suggest/type?prefix=Organ", "organization"),
        ("/reconcile/suggest/property?prefix=wiki", "wikidata"),
        ("/reconcile/suggest/property?prefix=other", "alias"),
    ],
)
def test_suggest(server, path: str, expect: str) -> None:
    url, _ = server
    status, _, body = http("GET", url + path)
    result = json.loads(body)["result"]
    assert status == 200 and result[0]["id"] == expect and result[0]["name"]
    assert len(result) <= 10


def test_suggest_limits_and_refusals(server) -> None:
    url, _ = server
    status, _, body = http("GET", f"{url}/reconcile/suggest/entity?prefix=s")
    assert status == 200 and len(json.loads(body)["result"]) == 10
    status, _, body = http("GET", f"{url}/reconcile/suggest/entity?prefix=sof&type=person")
    assert status == 200 and json.loads(body)["result"] == []
    status, _, body = http("GET", f"{url}/reconcile/suggest/entity", headers=JSON)
    assert status == 400 and "'prefix'" in json.loads(body)["message"]
    status, _, body = http("GET", f"{url}/reconcile/suggest/entity?prefix=x&callback=cb")
    assert status == 200 and body.startswith(b"/**/cb(")


# --- two entities of one name --------------------------------------------------------------------

@pytest.fixture(scope="module")
def ambiguous(tmp_path_factory: pytest.TempPathFactory):
    """A build whose authority gives two persons the name "Wang Li", served."""
    src = tmp_path_factory.mktemp("reconcile-ambiguous") / "src"
    (src / "documents").mkdir(parents=True)
    shutil.copy(FIXTURES / "documents" / "telegram.txt", src / "documents" / "telegram.txt")
    shutil.copytree(HERE / "authority", src / "authority")
    out = src.parent / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    with serving(out) as url:
        yield url, src, out


def test_two_entities_of_one_name_are_two_unmatched_candidates(ambiguous) -> None:
    url, _, _ = ambiguous
    got = one(url, {"query": "Wang Li", "type": "person"})
    assert sorted(r["id"] for r in got) == ["person/wang-li-diplomat", "person/wang-li-general"]
    assert all(r["score"] == EXACT_ALIAS and r["match"] is False for r in got)
    # a property that only one of them bears settles it
    got = one(url, {"query": "Wang Li", "properties": [{"pid": "alias", "v": "General Wang Li"}]})
    assert [(r["id"], r["match"]) for r in got if r["match"]] == [("person/wang-li-general", True)]
    # and each one's own label is certain
    assert one(url, {"query": "Wang Li (diplomat)"})[0]["match"] is True


def test_a_new_build_is_reconciled_against(ambiguous) -> None:
    url, src, out = ambiguous
    assert one(url, {"query": "Li Wei Invented"}) == []
    with (src / "authority" / "persons.csv").open("a", encoding="utf-8") as f:
        f.write("li-wei-invented,Li Wei Invented,,,,,,,,Invented for the reconciliation tests\n")
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    got = one(url, {"query": "Li Wei Invented"})
    assert got[0]["id"] == "person/li-wei-invented" and got[0]["match"] is True  # the cache follows `current`


# --- the scoring function alone ------------------------------------------------------------------

def test_normalise() -> None:
    assert normalise("  Alexander  Dubček ") == normalise("alexander dubcek") == "alexander dubcek"
    assert normalise("Mao Tse-tung") == normalise("MAO TSE TUNG") == "mao tse tung"
    assert normalise("Ｍａｏ") == "mao"  # compatibility forms fold too
    assert normalise("Мао Цзэдун") == "mao tszedun" == normalise("Mao Tszedun")  # other scripts compare in Latin letters


def test_scoring_function() -> None:
    a = Candidate("person/wang-a", "person", "Wang Li", ("Comrade Wang",), qids=frozenset({"Q1001"}))
    b = Candidate("person/wang-b", "person", "Wang Li", ("General Wang",))
    c = Candidate("place/wang", "place", "Wang Li")
    assert name_score("wang  li", a) == EXACT_LABEL and name_score("Comrade Wang", a) == EXACT_ALIAS
    assert 0 < name_score("Wang Lee", a) < 90 and name_score("Li Wang", a) < 90
    both = reconcile(Query("Wang Li", ("person",)), [a, b, c])
    assert [s.candidate.id for s in both] == ["person/wang-a", "person/wang-b"] and not any(s.match for s in both)
    alone = reconcile(Query("Wang Li", ("place",)), [a, b, c])
    assert [(s.candidate.id, s.match) for s in alone] == [("place/wang", True)]  # sole of the type asked for
    by_qid = reconcile(Query("Wang Li", ("person",), properties=(("wikidata", ("Q1001",)),)), [a, b])
    assert [(s.candidate.id, s.score, s.match) for s in by_qid] == [
        ("person/wang-a", 100, True), ("person/wang-b", 90, False)]  # the one without a link cannot confirm it
    wrong = reconcile(Query("Wang Li", properties=(("wikidata", ("Q2",)),)), [a])
    assert [(s.score, s.match) for s in wrong] == [(EXACT_LABEL - QID_CONTRADICTED, False)]  # linked to another item
    assert len(reconcile(Query("Wang Li", limit=1), [a, b, c])) == 1
    assert reconcile(Query("Nobody Atall"), [a, b, c]) == []


# --- the real client: OpenRefine 3.6 -------------------------------------------------------------

def _stop(proc: subprocess.Popen) -> None:
    """Stop OpenRefine's process group (the launcher script and its Java), which this fixture started."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        proc.poll()
        time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def openrefine(tmp_path_factory: pytest.TempPathFactory):
    """Debian's OpenRefine 3.6, headless, on a free loopback port with a fresh workspace."""
    exe = shutil.which("openrefine")
    if exe is None or shutil.which("java") is None:
        pytest.skip("OpenRefine is not installed: apt-get install openrefine (Debian's package, as .ci/run does)")
    work = tmp_path_factory.mktemp("openrefine")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = work / "openrefine.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [exe, "-i", "127.0.0.1", "-p", str(port), "-d", str(work / "workspace"), "-m", "512M"],
            cwd=work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "JAVA_OPTIONS": "-Drefine.headless=true"},
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    status, _, body = http("GET", f"{url}/command/core/get-version")
                    if status == 200:
                        break
                except OSError:
                    pass  # not listening yet
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"OpenRefine did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.3)
            assert json.loads(body)["version"].startswith("3.")
            yield url
        finally:
            _stop(proc)


def _csrf(refine: str) -> str:
    return json.loads(http("GET", f"{refine}/command/core/get-csrf-token")[2])["token"]


def _create_project(refine: str, csv_path: Path) -> str:
    options = {"separator": ",", "headerLines": 1, "ignoreLines": -1, "skipDataLines": 0, "limit": -1,
               "guessCellValueTypes": False, "processQuotes": True, "storeBlankRows": True,
               "storeBlankCellsAsNulls": True, "includeFileSources": False, "encoding": "UTF-8",
               "projectName": "archivekg reconciliation test"}
    query = urllib.parse.urlencode({"csrf_token": _csrf(refine), "format": "text/line-based/*sv",
                                    "options": json.dumps(options)})
    boundary = f"archivekg-{uuid.uuid4().hex}"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="project-file"; filename="{csv_path.name}"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode() + csv_path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    status, headers, page = http("POST", f"{refine}/command/core/create-project-from-upload?{query}", data=body,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}, follow=False)
    assert status == 302, page[-2000:]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["project"][0]


def _post(refine: str, command: str, project: str, form: dict) -> dict:
    data = urllib.parse.urlencode({**form, "csrf_token": _csrf(refine)}).encode()
    status, _, body = http("POST", f"{refine}/command/core/{command}?project={project}", data=data,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    return json.loads(body)


def _wait_until_idle(refine: str, project: str) -> None:
    deadline = time.monotonic() + 60
    while json.loads(http("GET", f"{refine}/command/core/get-processes?project={project}")[2])["processes"]:
        assert time.monotonic() < deadline, "OpenRefine's reconciliation did not finish in 60 s"
        time.sleep(0.2)


def test_openrefine_reconciles_a_column(openrefine, server) -> None:
    refine = openrefine
    url, _ = server
    project = _create_project(refine, HERE / "names.csv")
    manifest = json.loads(http("GET", f"{url}/reconcile")[2])  # what OpenRefine's "Add standard service" reads
    guessed = _post(refine, "guess-types-of-column", project, {"columnName": "name", "service": f"{url}/reconcile"})
    assert guessed["code"] == "ok" and guessed["types"][0]["id"] == "person"
    config = {"mode": "standard-service", "service": f"{url}/reconcile", "identifierSpace": manifest["identifierSpace"],
              "schemaSpace": manifest["schemaSpace"], "type": {"id": "person", "name": "Person"}, "autoMatch": True,
              "columnDetails": [], "limit": 0}
    started = _post(refine, "reconcile", project, {"columnName": "name", "config": json.dumps(config),
                                                   "engine": json.dumps({"facets": [], "mode": "row-based"})})
    assert started["code"] in ("ok", "pending"), started
    _wait_until_idle(refine, project)
    rows = json.loads(http("GET", f"{refine}/command/core/get-rows?project={project}&start=0&limit=10")[2])
    recons = rows["pool"]["recons"]
    judged = {row["cells"][0]["v"]: recons[str(row["cells"][0]["r"])] for row in rows["rows"]}
    assert set(judged) == {"Mao Zedong", "Beqir Balluku", "Nobody Atall", "Mao Tse-tung"}
    for name, expected in [("Mao Zedong", "person/mao-zedong"), ("Mao Tse-tung", "person/mao-zedong"),
                           ("Beqir Balluku", "person/beqir-balluku")]:
        assert judged[name]["j"] == "matched" and judged[name]["m"]["id"] == expected, judged[name]
        assert judged[name]["identifierSpace"] == f"{BASE}id/"
    assert judged["Nobody Atall"]["j"] == "none" and "m" not in judged["Nobody Atall"]
