"""Server settings: one table of (name, default, help). Overridden by ARCHIVEKG_* variables or create_app(config=)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from converter.wikidata import DEFAULT_ENDPOINT

__all__ = ["SETTINGS", "Setting", "SettingError", "from_env", "public_url_setting", "service_allow"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "build", "The --out directory of `archivekg build`; the server reads DATA_DIR/current."),
    Setting("ENDPOINT", "", "A remote SPARQL endpoint (Oxigraph server, Virtuoso) the build was published to with "
            "`archivekg publish --to`; queries and pages read it instead of the build's embedded store. Empty: the "
            "embedded store."),
    Setting("MAX_QUERY_BYTES", 100_000, "Largest SPARQL query accepted, in bytes (413 above)."),
    Setting("MAX_RESULT_ROWS", 10_000, "Most rows or triples a query returns; the response says when it was cut."),
    Setting("HEAD_ROWS", 1_000, "Rows read before a result starts streaming; a cut within them is stated in the headers."),
    Setting("CORS_ORIGIN", "*", "Value of Access-Control-Allow-Origin on every response."),
    Setting("QUERY_TIMEOUT", 30, "Seconds a query may run before it is stopped (503)."),
    Setting("SERVICE_ALLOW", DEFAULT_ENDPOINT,
            "The endpoints a SERVICE clause may name, separated by spaces; any other is refused (403)."),
    Setting("WIKIDATA_ENDPOINT", DEFAULT_ENDPOINT,
            "Where SERVICE <https://query.wikidata.org/sparql> is sent: the Query Service, a mirror or a local copy."),
    Setting("QUERY_MEMORY_MB", 4096, "Memory a query process may take beyond what it holds at rest, in MiB; a query "
            "that needs more is stopped (503). 0: no limit."),
    Setting("QUERY_WORKERS", 2, "Processes that run queries; 0 runs them in the request thread, with no time limit."),
    Setting("QUERY_RESERVED", 1, "Processes kept for queries that come while every one of QUERY_WORKERS is busy; "
            "there a query may run QUERY_RESERVED_TIMEOUT seconds, so heavy work cannot lock cheap requests out."),
    Setting("PAGE_CONCURRENCY", 4, "Resource pages made at once (the rest of the server's threads stay free for "
            "queries and everything else); 0: no bound."),
    Setting("PAGE_WAIT", 5, "Seconds a page request waits for a place to be made in before it gets a 503 with "
            "Retry-After."),
    Setting("PICTURE_WAIT", 1.5, "Seconds a request for /timeline, /network or /map waits for its data; past that the "
            "page says the picture is being prepared (503 with Retry-After, reloading itself) while the data is "
            "gathered on."),
    Setting("HTML_MAX_ROWS", 1000, "Most rows or triples a results table for a browser shows (the downloads give "
            "up to MAX_RESULT_ROWS)."),
    Setting("HTML_MAX_CHARS", 2000, "Longest literal a results table for a browser shows whole; longer ones are cut "
            "there, saying their length."),
    Setting("QUERY_RECYCLE_MB", 512, "A query process that holds more than this many MiB after a query (a large "
            "result grew it) is replaced, so that memory goes back to the machine. 0: never."),
    Setting("QUERY_LOOKUP_ROWS", 100, "A lookup (one triple pattern, its variables distinct, nothing else: ASK, or "
            "SELECT with a LIMIT of at most this many rows; server/lookups.py) over the build's own store is answered in "
            "the request's thread, without a query process: its form bounds what it reads to its LIMIT of index "
            "entries, and a result longer than 64 KiB goes to a query process. 0: every query goes to a query process."),
    Setting("QUERY_RESERVED_TIMEOUT", 2, "Seconds a query may run on a reserved process before it is stopped (503 "
            "with Retry-After: the pool is busy)."),
    Setting("PUBLIC_URL", "", "The URL the server is reached at from outside (https://host/path/), from which every "
            "URL it writes is made: the Service Description's sd:endpoint, the reconciliation manifest, relative IRIs "
            "in queries. Empty: the base URI of the published build (build.json). Never taken from the Host header."),
    Setting("RECONCILE_MAX_QUERIES", 50, "Most queries in one /reconcile batch (400 above)."),
    Setting("RECONCILE_MAX_PROPERTIES", 50, "Most property values one /reconcile query may give, each value of each "
            "property counted (400 above)."),
    Setting("RECONCILE_MAX_JSON_DEPTH", 32, "Deepest nesting of arrays and objects in the JSON of a /reconcile "
            "request, counted before it is parsed (400 above)."),
    Setting("RESULT_CACHE_MB", 16, "Memory kept for answers to repeated queries, in MiB: a result of at most 64 KiB "
            "that completed within the limits is kept for the published build and sent again, byte for byte, to the "
            "same query with the same dataset and format, until a new build is published. Never a query with SERVICE, "
            "NOW(), RAND(), UUID(), STRUUID() or BNODE(), nor over a remote store (ENDPOINT). 0: off."),
    Setting("MAX_PAGE", 1000, "Highest ?page= of a paged list (a resource's page, /search); a higher one, or one "
            "that is not a whole number, is a 400."),
)

_PUBLIC_URL = re.compile(r"^https?://[^/\s?#@]+(/[^\s?#]*)?$", re.I)


def public_url_setting(raw: str) -> str:
    """PUBLIC_URL as the server uses it: an absolute http(s) URL ending in a slash, or empty (ValueError otherwise)."""
    value = raw.strip()
    if not value:
        return ""
    if not _PUBLIC_URL.match(value):
        raise ValueError(f"{raw!r} is not an absolute http or https URL without query or fragment")
    return value.rstrip("/") + "/"


class SettingError(ValueError):
    """A setting's variable holds what the setting cannot take."""


def from_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults, overridden by ARCHIVEKG_<NAME> environment variables (whole numbers parsed).

    Every bad value is reported at once (SettingError), each with its variable and what it takes.
    """
    env = os.environ if environ is None else environ
    out: dict[str, object] = {}
    problems = []
    for s in SETTINGS:
        raw = env.get(f"ARCHIVEKG_{s.name}")
        if raw is not None and s.name == "PUBLIC_URL":
            try:
                out[s.name] = public_url_setting(raw)
            except ValueError as err:
                problems.append(f"ARCHIVEKG_{s.name}: {err} (such as https://archive.example.org/kg/)")
            continue
        if raw is not None and isinstance(s.default, float):
            try:
                out[s.name] = float(raw.strip())
                if not out[s.name] >= 0:
                    raise ValueError
            except ValueError:
                problems.append(f"ARCHIVEKG_{s.name}={raw!r} is not a number of 0 or more ({s.help})")
            continue
        if raw is None or not isinstance(s.default, int):
            out[s.name] = s.default if raw is None else raw
            continue
        try:
            out[s.name] = int(raw.strip())
            if out[s.name] < 0:
                raise ValueError
        except ValueError:
            problems.append(f"ARCHIVEKG_{s.name}={raw!r} is not a whole number of 0 or more ({s.help})")
    if problems:
        raise SettingError("; ".join(problems))
    return out


def service_allow(config: dict) -> tuple[str, ...]:
    """The SERVICE allow-list of a configuration, as a tuple of endpoint IRIs."""
    value = config["SERVICE_ALLOW"]
    return tuple(value.replace(",", " ").split()) if isinstance(value, str) else tuple(value)
