"""server/query_guard.py: what a query must not do, found before it runs."""

from __future__ import annotations

import pytest

from server.query_guard import QueryRefused, check_query, position, route_services

WDQS = "https://query.wikidata.org/sparql"
ALLOW = (WDQS,)
EVIL = "http://127.0.0.1:9/sparql"

# Each of these reaches EVIL through pyoxigraph if it runs (tests/test_server.py proves it with a listener).
HOSTILE = [
    f"SELECT * WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE<{EVIL}>{{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ service silent<{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE # a comment\n <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICE SILENT # a comment\r <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p 1SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p trueSERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o.SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o MINUS{{}}SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
    # A lexer that took '<' for an IRI here would see a string from the second quote on and miss the SERVICE.
    f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<'>z' ) SERVICE <{EVIL}> {{ ?s ?p ?o }} FILTER(?o != '') }}",
    f"PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
    f"BASE <http://127.0.0.1:9/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE $endpoint { ?s ?p ?o } }",
    r"SELECT * WHERE { SERVICE <https\u003A//query.wikidata.org/sparql> { ?s ?p ?o } }",  # not as the list writes it
    f"SELECT * WHERE {{ SERVICE <{WDQS}> {{ ?s ?p ?o }} SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_service_outside_the_allow_list_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused) as err:
        check_query(query, ALLOW, 100_000)
    assert err.value.status == 403
    assert "may only reach https://query.wikidata.org/sparql" in err.value.message


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        (f"SELECT * WHERE {{ SERVICE <{WDQS}> {{ ?s ?p ?o }} }}", [f"<{WDQS}>"]),
        (f"SELECT * WHERE {{ SERVICE SILENT<{WDQS}> {{ ?s ?p ?o }} }}", [f"<{WDQS}>"]),
        ('SELECT * WHERE { ?t <http://schema.org/text> ?x FILTER(CONTAINS(?x, "the civil service was")) }', []),
        ('SELECT * WHERE { ?t <http://schema.org/text> ?x FILTER(REGEX(?x, "the secret service?")) }', []),
        ("SELECT ?aSERVICE WHERE { ?aSERVICE <http://x/p> ?o }", []),  # a variable
        ("PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:SERVICE <http://x/o> }", []),  # a prefixed name
        ("PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:a.SERVICE <http://x/o> }", []),
        ("SELECT * WHERE { ?s ?p ?o } # SERVICE is mentioned in a comment", []),
    ],
)
def test_allowed_and_harmless_queries_pass(query: str, targets: list[str]) -> None:
    assert [s.target for s in check_query(query, ALLOW, 100_000)] == targets


def test_refusal_names_line_and_column() -> None:
    query = f"SELECT * WHERE {{\n  ?s ?p ?o .\n  SERVICE <{EVIL}> {{ ?s ?p ?o }}\n}}"
    with pytest.raises(QueryRefused) as err:
        check_query(query, ALLOW, 100_000)
    assert f"SERVICE <{EVIL}> at line 3, column 3" in err.value.message
    assert position(query, query.index("SERVICE")) == (3, 3)


def test_variable_endpoint_refusal_says_what_to_do() -> None:
    with pytest.raises(QueryRefused) as err:
        check_query("SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }", ALLOW, 100_000)
    assert "write the endpoint as a full IRI" in err.value.message


@pytest.mark.parametrize(
    "query",
    ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "PREFIX a: <urn:a#> # note\n DELETE WHERE { ?s ?p ?o }",
     "BASE <urn:x> LOAD <http://example.org/data.ttl>", "clear all", "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"],
)
def test_updates_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused) as err:
        check_query(query, ALLOW, 100_000)
    assert err.value.status == 403 and "read-only" in err.value.message


def test_oversized_query_is_refused() -> None:
    with pytest.raises(QueryRefused) as err:
        check_query("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200, ALLOW, 100)
    assert err.value.status == 413 and "100 bytes" in err.value.message


def test_routing_rewrites_only_the_allowed_targets() -> None:
    query = f'SELECT * WHERE {{ SERVICE<{WDQS}> {{ ?s ?p "SERVICE <{WDQS}> in a string" }} }}'
    found = check_query(query, ALLOW, 100_000)
    routed = route_services(query, found, {WDQS: "http://127.0.0.1:5000/sparql"})
    assert routed.startswith("SELECT * WHERE { SERVICE<http://127.0.0.1:5000/sparql> {")
    assert route_services(query, found, {WDQS: WDQS}) == query


def test_the_hostile_queries_do_reach_the_network_unchecked(listener) -> None:
    """What the guard stops is real: run as they are, the IRI-named SERVICE queries connect out."""
    import time

    import pyoxigraph as ox

    store = ox.Store()
    one = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), one))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("true", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#boolean"))))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(">")))
    reaching = [q for q in HOSTILE if EVIL in q and WDQS not in q]
    for query in reaching:
        try:
            list(store.query(query.replace(EVIL, listener.url)))
        except (OSError, RuntimeError):
            pass  # the listener answers nothing a SPARQL client can read
    time.sleep(0.3)
    assert len(listener.connections) == len(reaching)


@pytest.mark.parametrize("prefix", ["SELECT * WHERE { ?s ?p ?o } SERVICE ", "SERVICE SILENT ", "PREFIX ", "BASE "])
def test_a_run_of_comment_marks_is_read_once_not_split_every_way(prefix: str) -> None:
    """A run of '#' after SERVICE, PREFIX or BASE is one comment, as the parser reads it. When the scan let a
    comment end anywhere it tried every split of the run before giving up: 2^n ways, 0.7 s of the server's time for
    22 marks, days for 40, with the GIL held. Run apart, so that a scan that never ends fails the test instead of
    hanging it: 64 marks finish at once when read once, never when split."""
    import subprocess
    import sys

    code = ("from server.query_guard import QueryRefused, check_query, strip_prologue\n"
            f"query = {prefix!r} + '#' * 64 + ' x'\n"
            "strip_prologue(query)\n"
            "try:\n    check_query(query, ('https://query.wikidata.org/sparql',), 100_000)\n"
            "except QueryRefused:\n    pass\n"
            "print('done')\n")
    from pathlib import Path

    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             cwd=Path(__file__).resolve().parents[1])
    except subprocess.TimeoutExpired:
        pytest.fail(f"the guard's scan of {prefix!r} and 64 comment marks did not end")
    assert out.stdout.strip() == "done", out.stderr


WD = ("https://query.wikidata.org/sparql",)


def test_a_run_of_service_keywords_is_refused_not_searched_from_every_keyword() -> None:
    """ "SERVICESERVICE..." made the scan look for a prefixed name's colon from every keyword to the end of
    the run, and walk back to its start: time in the square of its length (100 KB: 4-6 s with the GIL held),
    and no SERVICE found. A run without a colon in the 256 characters after SERVICE now counts as its
    target, so the query is refused, at once and with the keyword's place."""
    query = "SELECT * WHERE { ?s ?p ?o } #" + "SERVICE" * 14_000
    with pytest.raises(QueryRefused) as err:
        check_query(query, WD, 100_000)
    assert err.value.status == 403 and "at line 1, column 30" in str(err.value)


@pytest.mark.parametrize(("query", "target"), [
    ("SELECT * { SERVICE " + "p" * 200 + ":x { ?s ?p ?o } }", "p" * 200 + ":x"),  # a long prefix is still read
    ("SELECT * { SERVICE a:b:c { ?s ?p ?o } }", "a:b:c"),  # colons after the first: one name, as before
    ("SELECT * { ?" + "v" * 2000 + "SERVICE <http://evil.example/> { } }", "<http://evil.example/>"),  # past the reach
])
def test_service_targets_found_past_the_scan_bounds(query: str, target: str) -> None:
    """A name before SERVICE is looked for 1,024 characters back only: a longer one counts as none, so the
    SERVICE counts and is refused (the safe side). A prefix up to 256 characters is read as one."""
    with pytest.raises(QueryRefused) as err:
        check_query(query, WD, 100_000)
    assert f"SERVICE {target} at line 1" in str(err.value)


def test_a_service_word_inside_a_variable_or_prefixed_name_within_reach_still_does_not_count() -> None:
    for query in ("SELECT ?" + "v" * 500 + "SERVICE WHERE { ?s ?p ?o }",
                  "SELECT * { ?s ex:" + "a" * 500 + "SERVICE ?o }"):
        check_query(query, WD, 100_000)  # no SERVICE clause: nothing refused
