"""Asking a Wikidata SPARQL endpoint for candidates, politely, reproducibly and offline when cached.

The endpoint is configurable (default the Wikidata Query Service). Requests go
through SPARQLWrapper with a descriptive User-Agent, at most one every
``min_interval`` seconds, and are retried with exponential back-off on 429, 5xx and
network errors (``Retry-After`` is honoured). Every answer is cached on disk under
the SHA-256 of endpoint and query, so a second run asks nothing, and ``offline``
runs use the cache alone.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
from dataclasses import dataclass
from pathlib import Path

from .linker import HUMAN, Candidate, wanted_classes

__all__ = ["DEFAULT_ENDPOINT", "USER_AGENT", "WikidataClient", "WikidataError", "candidate_query", "parse_candidates",
           "qid_of"]

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
USER_AGENT = "archivekg/0.1 (linked-data publisher of archive documents; https://w3id.org/archivekg) SPARQLWrapper"
ENTITY = "http://www.wikidata.org/entity/"


class WikidataError(RuntimeError):
    """The endpoint could not be asked (after retries), or its answer was not SPARQL results."""


def _literal(name: str, lang: str) -> str:
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def candidate_query(names: list[str], langs: list[str], kind: str, type_: str | None) -> str:
    """Items whose label or alias is one of the names, with what ranking needs."""
    values = " ".join(_literal(n, lang) for n in sorted(set(names)) for lang in langs)
    classes = " ".join(f"wd:{q}" for q in wanted_classes(kind, type_) or (HUMAN,))
    return f"""PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
SELECT ?item ?name ?via ?label ?description ?type ?typed ?born ?died ?founded ?dissolved ?country WHERE {{
  VALUES ?name {{ {values} }}
  {{ ?item rdfs:label ?name BIND("label" AS ?via) }} UNION {{ ?item skos:altLabel ?name BIND("alias" AS ?via) }}
  OPTIONAL {{ ?item rdfs:label ?label FILTER(LANG(?label) = "{langs[0]}") }}
  OPTIONAL {{ ?item schema:description ?description FILTER(LANG(?description) = "{langs[0]}") }}
  OPTIONAL {{ ?item wdt:P31 ?type }}
  OPTIONAL {{ VALUES ?wanted {{ {classes} }} ?item wdt:P31/wdt:P279* ?wanted BIND(true AS ?typed) }}
  OPTIONAL {{ ?item wdt:P569 ?born }} OPTIONAL {{ ?item wdt:P570 ?died }}
  OPTIONAL {{ ?item wdt:P571 ?founded }} OPTIONAL {{ ?item wdt:P576 ?dissolved }}
  OPTIONAL {{ ?item wdt:P27|wdt:P17 ?country }}
}} LIMIT 2000"""


def _year(value: str | None) -> int | None:
    if not value:
        return None
    text = value.lstrip("+")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-").split("-", 1)[0]
    return sign * int(digits) if digits.isdigit() else None


def qid_of(iri: str) -> str:
    """The QID of a Wikidata entity IRI (http://www.wikidata.org/entity/Q5 -> Q5)."""
    return iri.removeprefix(ENTITY)


def parse_candidates(results: dict) -> list[Candidate]:
    """SPARQL JSON results of ``candidate_query`` -> one Candidate per item and matching name."""
    rows: dict[tuple[str, str], dict] = {}
    for b in results.get("results", {}).get("bindings", []):
        item = b.get("item", {}).get("value", "")
        if not item.startswith(ENTITY):
            continue
        key = (item, b["name"]["value"])
        r = rows.setdefault(key, {"via": set(), "types": set(), "countries": set(), "typed": False})
        r["via"].add(b.get("via", {}).get("value", "alias"))
        for name in ("label", "description", "born", "died", "founded", "dissolved"):
            if name in b and name not in r:
                r[name] = b[name]["value"]
        if "type" in b:
            r["types"].add(qid_of(b["type"]["value"]))
        if "country" in b:
            r["countries"].add(qid_of(b["country"]["value"]))
        r["typed"] = r["typed"] or "typed" in b
    out = []
    for (item, name), r in sorted(rows.items()):
        out.append(Candidate(
            qid=qid_of(item), label=r.get("label", name), description=r.get("description", ""), matched=name,
            via="label" if "label" in r["via"] else "alias", typed=r["typed"], types=tuple(sorted(r["types"])),
            born=_year(r.get("born")), died=_year(r.get("died")), founded=_year(r.get("founded")),
            dissolved=_year(r.get("dissolved")), countries=tuple(sorted(r["countries"]))))
    return out


@dataclass
class WikidataClient:
    endpoint: str = DEFAULT_ENDPOINT
    cache_dir: Path | None = None
    user_agent: str = USER_AGENT
    min_interval: float = 1.0  # seconds between requests: the Query Service asks for restraint
    retries: int = 4
    backoff: float = 2.0
    offline: bool = False
    timeout: int = 60
    requests: int = 0  # how many went over the network
    _last: float = 0.0

    def _cache_path(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        return self.cache_dir / f"{digest}.json"

    def select(self, query: str) -> dict:
        path = self._cache_path(query)
        if path is not None and path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        if self.offline:
            raise WikidataError(f"offline, and no cached answer in {self.cache_dir} for this query; run once online")
        result = self._ask(query)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(result, sort_keys=True, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        return result

    def _ask(self, query: str) -> dict:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, EndPointNotFound, SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setTimeout(self.timeout)
        client.setQuery(query)
        delay = self.backoff
        for attempt in range(self.retries + 1):
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                return client.queryAndConvert()  # type: ignore[return-value]
            except urllib.error.HTTPError as err:
                if err.code != 429 and err.code < 500 or attempt == self.retries:
                    raise WikidataError(f"{self.endpoint} answered {err.code} {err.reason}") from None
                retry_after = err.headers.get("Retry-After") if err.headers else None
                delay = max(delay, float(retry_after)) if retry_after and retry_after.isdigit() else delay
            except (urllib.error.URLError, TimeoutError, ConnectionError, EndPointInternalError) as err:
                if attempt == self.retries:
                    raise WikidataError(f"cannot reach {self.endpoint}: {err}") from None
            except (EndPointNotFound, SPARQLWrapperException, ValueError) as err:
                raise WikidataError(f"{self.endpoint} did not answer the query: {err}") from None
            time.sleep(delay)
            delay *= 2
        raise WikidataError(f"cannot reach {self.endpoint}")  # pragma: no cover - the loop returns or raises
