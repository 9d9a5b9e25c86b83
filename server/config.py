"""Server settings: one table of (name, default, help). Overridden by ARCHIVEKG_* variables or create_app(config=)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from converter.wikidata import DEFAULT_ENDPOINT

__all__ = ["SETTINGS", "Setting", "from_env", "service_allow"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_DIR", "build", "The --out directory of `archivekg build`; the server reads DATA_DIR/current."),
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
)


def from_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults, overridden by ARCHIVEKG_<NAME> environment variables (ints parsed)."""
    env = os.environ if environ is None else environ
    out: dict[str, object] = {}
    for s in SETTINGS:
        raw = env.get(f"ARCHIVEKG_{s.name}")
        out[s.name] = s.default if raw is None else (int(raw) if isinstance(s.default, int) else raw)
    return out


def service_allow(config: dict) -> tuple[str, ...]:
    """The SERVICE allow-list of a configuration, as a tuple of endpoint IRIs."""
    value = config["SERVICE_ALLOW"]
    return tuple(value.replace(",", " ").split()) if isinstance(value, str) else tuple(value)
