"""The query catalogue: the competency questions as SPARQL files with a title and description."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CatalogueQuery", "load_catalogue", "CATALOGUE_DIR"]

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "server" / "queries"
_SERVICE = re.compile(r"^\s*(?!#).*\bSERVICE\s", re.M | re.I)
_HEADER = re.compile(r"^#\s*(?P<key>title|description):\s*(?P<value>.+)$", re.M)


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    title: str
    description: str
    sparql: str

    @property
    def federated(self) -> bool:
        """Whether the query asks another endpoint (SERVICE), e.g. the Wikidata Query Service."""
        return _SERVICE.search(self.sparql) is not None


def load_catalogue(directory: Path = CATALOGUE_DIR) -> list[CatalogueQuery]:
    out = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = {m.group("key"): m.group("value").strip() for m in _HEADER.finditer(text)}
        if "title" not in meta or "description" not in meta:
            raise ValueError(f"{path}: a catalogue query needs '# title:' and '# description:' lines")
        out.append(CatalogueQuery(path.stem, meta["title"], meta["description"], text))
    return out
