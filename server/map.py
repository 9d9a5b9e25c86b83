"""/map: the places with coordinates, each sized by the number of documents that name it, on a world outline.

The outline is Natural Earth's countries at 1:110m from the world-atlas package (vendored by
scripts/vendor-assets.sh into server/vendor/world-atlas/, with its licence), so no tile server is asked
at run time. The projection is equirectangular: x is the longitude, y the latitude turned over, so the SVG
needs no projection code (a ring that crosses the antimeridian is drawn on both sides). The places and
their counts come from queries/pictures/map.rq; each circle links to the place's page. Under the picture:
the same places as a table, and the query.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from .errors import ApiError
from .layout import page
from .links import safe_href
from .picture_cache import NotReady, PictureCache, preparing, reader_wait
from .scope import Scope, build_of, form, options, query_text, scope_of
from .store import StoreUnavailable
from .svg import el, fmt, link, svg_root, to_text
from .timeline import query_section

__all__ = ["bp", "Place", "places", "draw", "outline"]

bp = Blueprint("map", __name__)

WORLD = Path(__file__).parent / "vendor" / "world-atlas" / "countries-110m.geojson"
SCALE = 1000.0 / 360.0  # px a degree: the map is 1000 px wide and 500 high
LABEL_LIMIT = 30


@dataclass(frozen=True)
class Place:
    iri: str
    label: str
    latitude: Decimal
    longitude: Decimal
    documents: int


def places(store, query: str) -> list[Place]:  # type: ignore[no-untyped-def]
    found = []
    for row in store.query(query):
        try:
            lat, lon = Decimal(row["latitude"].value), Decimal(row["longitude"].value)
        except (ArithmeticError, AttributeError, ValueError):
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        iri = row["place"].value
        label = row["label"].value if row["label"] is not None else iri.rsplit("/", 1)[-1]
        found.append(Place(iri, label, lat, lon, int(row["documents"].value)))
    return sorted(found, key=lambda p: (-p.documents, p.label, p.iri))


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) * SCALE, (90.0 - lat) * SCALE


def _ring_path(ring: list[list[float]]) -> str:
    """One ring; one that crosses the antimeridian is unwrapped and drawn again a world to the side."""
    lons = [ring[0][0]]
    for (a, _), (b, _) in zip(ring, ring[1:]):
        step = b - a
        lons.append(lons[-1] + step - 360 * round(step / 360))
    copies = [0.0]
    if max(lons) - min(lons) < 359:  # a ring around a pole (Antarctica) stays as it is
        if max(lons) > 180:
            copies.append(-360.0)
        if min(lons) < -180:
            copies.append(360.0)
    else:
        lons = [p[0] for p in ring]
    out = []
    for shift in copies:
        pts = [_xy(lon + shift, p[1]) for lon, p in zip(lons, ring)]
        out.append("M" + "L".join(f"{fmt(x)},{fmt(y)}" for x, y in pts) + "Z")
    return "".join(out)


@functools.lru_cache(maxsize=1)
def outline() -> tuple[tuple[str, str], ...]:
    """(name, SVG path) of each country of the vendored outline, made once."""
    world = json.loads(WORLD.read_text(encoding="utf-8"))
    out = []
    for feature in world["features"]:
        geom = feature.get("geometry")
        if not geom:
            continue
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out.append((feature["properties"]["name"], "".join(_ring_path(r) for poly in polygons for r in poly)))
    return tuple(out)


def draw(found: list[Place], base: str) -> str:
    root = svg_root(360 * SCALE, 180 * SCALE, f"Map of {len(found)} places", "map-svg")
    el(root, "rect", x=0.0, y=0.0, width=360 * SCALE, height=180 * SCALE, class_="sea")
    grid = el(root, "g", class_="graticule")
    for lon in range(-150, 181, 30):
        el(grid, "line", x1=_xy(lon, 0)[0], x2=_xy(lon, 0)[0], y1=0.0, y2=180 * SCALE, class_="graticule")
    for lat in range(-60, 61, 30):
        el(grid, "line", x1=0.0, x2=360 * SCALE, y1=_xy(0, lat)[1], y2=_xy(0, lat)[1], class_="graticule")
    land = el(root, "g", class_="countries")
    for name, d in outline():
        country = el(land, "path", d=d, class_="country", data_name=name)
        el(country, "title", name)
    marks = el(root, "g", class_="places")
    most = max((p.documents for p in found), default=1)
    for n, p in enumerate(sorted(found, key=lambda p: (-p.documents, p.label, p.iri))):
        x, y = _xy(float(p.longitude), float(p.latitude))
        r = 3.0 + 12.0 * math.sqrt(p.documents / most)
        a = link(marks, safe_href(p.iri, base) or "#", f"{p.label}: {p.documents} document(s)")
        el(a, "circle", cx=x, cy=y, r=r, class_="place", data_iri=p.iri, data_label=p.label, data_documents=p.documents,
           data_latitude=str(p.latitude), data_longitude=str(p.longitude))
        if n < LABEL_LIMIT:
            el(a, "text", p.label, x=x + r + 1.5, y=y + 3.5, class_="place-label")
    return to_text(root)


def _table(found: list[Place], base: str) -> str:
    rows = "".join(
        f'<tr><td><a href="{escape(safe_href(p.iri, base) or "#", quote=True)}">{escape(p.label)}</a></td>'
        f"<td>{p.latitude}</td><td>{p.longitude}</td><td>{p.documents}</td></tr>" for p in found)
    return (f'<h2 id="places">The same, as a table</h2><p>{len(found)} place(s) with coordinates.</p>'
            '<table id="map-table"><thead><tr><th>place</th><th>latitude</th><th>longitude</th><th>documents</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


_cache: PictureCache[list[Place]] = PictureCache()


def cached_places(store, query: str, wait: float | None = None) -> list[Place]:  # type: ignore[no-untyped-def]
    """The places of a query on the published build, the last few kept; NotReady past ``wait`` seconds."""
    return _cache.get((build_of(store).key, query), lambda: places(store, query), wait)


@bp.route("/map")
def map_view() -> Response:
    scope = scope_of(request.args)
    store = current_app.extensions["archivekg.store"]
    try:
        base = build_of(store).base
        query = query_text("map", scope, base)
        found = cached_places(store, query, reader_wait())
        choices = options(store, base)
    except StoreUnavailable as err:
        raise ApiError(503, str(err)) from None
    except NotReady:
        return preparing("map")
    body = ("<h1>Map: where the documents take us</h1>"
            "<p>Places with coordinates (Wikidata's coordinate location, P625, kept in the authority data), each "
            "circle sized by the number of documents that name it; a circle leads to the place's page. The outline "
            "of the countries is Natural Earth's, drawn here: no map tiles are fetched.</p>"
            + form("map", scope, choices, {})
            + f'<figure class="picture">{draw(found, base)}</figure>'
            + _table(found, base) + query_section(query))
    return Response(page("Map", body, wide=True, styles=("pictures.css",)), mimetype="text/html")
