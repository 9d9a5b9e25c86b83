"""Coordinates of the authority's places, from Wikidata's coordinate location (P625), with their evidence.

``seeds/authority/coordinates.csv`` (columns ``kind,id,qid,latitude,longitude,source,note``) holds one row
per place: the place, the QID its row in ``places.csv`` gives, the latitude and longitude (WGS 84, decimal
degrees, as the source writes them), and where they come from. ``archivekg link coordinates`` fills it:
for every place with a checked QID and no coordinates yet, it asks the Wikidata endpoint (configurable;
the Query Service, a mirror, a local copy) for the item's ``wdt:P625`` and writes what it finds, the
endpoint and the statement as the source and the day it asked as the note. An item with more than one
coordinate, or one on another globe, is reported and left for a curator. Rows already there are kept as
they are: a curator may correct one by hand, naming their source.

The build reads the file (``converter.authority``), and the entities graph gives each place its
``schema:latitude`` and ``schema:longitude``; ``/map`` draws them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

__all__ = ["COORDINATES_FILE", "COORDINATE_COLUMNS", "Coordinate", "coordinate_query", "fill", "parse_point",
           "parse_coordinates", "read_rows", "write_rows"]

COORDINATES_FILE = "coordinates.csv"
COORDINATE_COLUMNS = ("kind", "id", "qid", "latitude", "longitude", "source", "note")
ENTITY = "http://www.wikidata.org/entity/"
# A WKT point on Earth, as Wikidata writes P625: "Point(longitude latitude)"; another globe is prefixed by its IRI.
_POINT = re.compile(r"^\s*Point\(\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s+([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\)\s*$",
                    re.I)


@dataclass(frozen=True)
class Coordinate:
    latitude: str  # decimal degrees as written (north positive)
    longitude: str  # decimal degrees as written (east positive)


def decimal_in(value: str, low: int, high: int) -> str | None:
    """``value`` as a plain decimal within [low, high], or None."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_point(wkt: str) -> Coordinate | None:
    """A P625 value on Earth ("Point(23.3 42.7)": longitude first) as a coordinate; None otherwise."""
    m = _POINT.match(wkt)
    if m is None:
        return None
    lon, lat = decimal_in(m.group(1), -180, 180), decimal_in(m.group(2), -90, 90)
    return Coordinate(lat, lon) if lat is not None and lon is not None else None


def coordinate_query(qids: list[str]) -> str:
    values = " ".join(f"wd:{q}" for q in sorted(set(qids)))
    return f"""PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?item ?coordinates WHERE {{
  VALUES ?item {{ {values} }}
  ?item wdt:P625 ?coordinates .
}}"""


def parse_coordinates(results: dict) -> dict[str, list[str]]:
    """SPARQL JSON results of ``coordinate_query``: each QID's P625 values, as written, sorted."""
    found: dict[str, set[str]] = {}
    for b in results.get("results", {}).get("bindings", []):
        item = b.get("item", {}).get("value", "")
        if item.startswith(ENTITY) and "coordinates" in b:
            found.setdefault(item.removeprefix(ENTITY), set()).add(b["coordinates"]["value"])
    return {qid: sorted(values) for qid, values in sorted(found.items())}


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    return [{c: (row.get(c) or "").strip() for c in COORDINATE_COLUMNS}
            for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())]


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """The file, its rows sorted by kind and id, written whole and then swapped in."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COORDINATE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r["kind"], r["id"])):
        writer.writerow({c: row.get(c, "") for c in COORDINATE_COLUMNS})
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    tmp.replace(path)


@dataclass(frozen=True)
class Filled:
    added: list[tuple[str, str, Coordinate]]  # (place id, QID, coordinate)
    missing: list[tuple[str, str]]  # places whose item has no P625
    unclear: list[tuple[str, str, list[str]]]  # more than one value, or not on Earth: left for a curator
    kept: int  # rows already in the file


def fill(authority_dir: Path, places: list[tuple[str, str]], select, endpoint: str,  # type: ignore[no-untyped-def]
         today: date, batch: int = 50) -> Filled:
    """Ask for the P625 of each (place id, QID) that has no row yet, and write what is found, with its source.

    ``select`` runs a SPARQL query on the endpoint (WikidataClient.select: cached, rate-limited, retried).
    """
    path = authority_dir / COORDINATES_FILE
    rows = read_rows(path)
    have = {(r["kind"], r["id"]) for r in rows}
    todo = sorted((pid, qid) for pid, qid in places if ("place", pid) not in have)
    values: dict[str, list[str]] = {}
    qids = sorted({qid for _, qid in places})  # every place's, in the same batches each run: the answers cache
    if todo:
        for start in range(0, len(qids), batch):
            values.update(parse_coordinates(select(coordinate_query(qids[start:start + batch]))))
    added, missing, unclear = [], [], []
    for pid, qid in todo:
        found = values.get(qid, [])
        points = [parse_point(v) for v in found]
        if not found:
            missing.append((pid, qid))
        elif len(found) > 1 or points[0] is None:
            unclear.append((pid, qid, found))
        else:
            point = points[0]
            assert point is not None
            added.append((pid, qid, point))
            rows.append({"kind": "place", "id": pid, "qid": qid, "latitude": point.latitude,
                         "longitude": point.longitude, "source": f"{endpoint} wd:{qid} wdt:P625 {found[0]}",
                         "note": f"archivekg link coordinates, {today.isoformat()}"})
    if added or not path.is_file():
        write_rows(path, rows)
    return Filled(added, missing, unclear, len(have))
