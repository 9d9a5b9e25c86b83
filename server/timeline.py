"""/timeline: documents, the conversations they record and the events they refer to, on a time axis.

Drawn on the server as SVG from queries/pictures/timeline.rq. Zoom: the whole archive (``zoom=all``), a
decade (``zoom=decade&at=1960``), a year (``zoom=year&at=1968``), a month (``zoom=month&at=1968-10``).
Each mark covers the time its date stands for (server/intervals.py): a day, a whole month, a whole year,
or a range from its start to its end; each links to its page. A lane with more marks than it can show
(MARK_LIMIT, or more than MAX_ROWS rows of them) shows how many there are per column instead, each
column a link to a closer look. Under the picture: the same items as a table, and the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from .errors import bad_request
from .intervals import Interval, add_months, interval, span
from .picture_cache import NotReady, PictureCache, preparing, reader_wait
from .layout import page
from .links import safe_href
from .pages import page_number
from .scope import Scope, build_of, form, options, query_text, scope_of
from .svg import el, link, svg_root, to_text
from .store import StoreUnavailable

__all__ = ["bp", "Item", "items", "Window", "window", "draw"]

bp = Blueprint("timeline", __name__)

KINDS = (("document", "Documents"), ("conversation", "Conversations"), ("event", "Referred events"))
ZOOMS = ("all", "decade", "year", "month")
MARK_LIMIT = 400  # marks a lane draws one by one; above it, counts per column
MAX_ROWS = 16  # rows of marks a lane stacks; above it, counts per column
TABLE_PAGE = 200  # rows of the table under the picture, a page
WIDTH, LEFT, RIGHT, TOP, ROW, BARS = 1000.0, 130.0, 10.0, 34.0, 13.0, 64.0
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Item:
    iri: str
    kind: str
    label: str
    when: Interval


def items(store, query: str) -> list[Item]:  # type: ignore[no-untyped-def]
    """Each item once, with the time its dates stand for; an item whose date is not a date is left out."""
    found: dict[tuple[str, str], Item] = {}
    for row in store.query(query):
        start = row["start"]
        first = interval(start.value, start.datatype.value) if start is not None and hasattr(start, "datatype") else None
        if first is None:
            continue
        end = row["end"]
        last = interval(end.value, end.datatype.value) if end is not None and hasattr(end, "datatype") else None
        iri, kind = row["item"].value, row["kind"].value
        label = row["label"].value if row["label"] is not None else iri.rsplit("/", 1)[-1]
        item = Item(iri, kind, label, span(first, last))
        key = (kind, iri)
        if key not in found or (item.when, item.label) < (found[key].when, found[key].label):
            found[key] = item  # the same item in many documents: one mark, the same one every time
    return sorted(found.values(), key=lambda i: (i.when.start, i.when.end, i.kind, i.iri))


@dataclass(frozen=True)
class Window:
    zoom: str
    at: str  # "" for all, "1960", "1968", "1968-10"
    start: date
    end: date
    columns: tuple[tuple[date, date, str], ...]  # (start, end, label) of each column

    def x(self, d: date) -> float:
        whole = (self.end - self.start).days
        return LEFT + (WIDTH - LEFT - RIGHT) * ((d - self.start).days / whole)


def _years(first: int, last: int) -> tuple[tuple[date, date, str], ...]:
    return tuple((date(y, 1, 1), date(y + 1, 1, 1), str(y)) for y in range(first, last))


def window(zoom: str, at: str, all_items: list[Item]) -> Window:
    """The stretch of time a zoom shows; a 400 for a zoom or an ``at`` that is not one."""
    if zoom not in ZOOMS:
        raise bad_request(f"'zoom' must be one of {', '.join(ZOOMS)}, not {zoom[:40]!r}")
    try:
        if zoom == "all":
            if at:
                raise ValueError
            if all_items:
                first = min(i.when.start.year for i in all_items) // 10 * 10
                last = (max((i.when.end.toordinal() - 1) for i in all_items))
                last_year = date.fromordinal(last).year // 10 * 10 + 10
            else:
                first, last_year = 1940, 2000
            return Window(zoom, "", date(first, 1, 1), date(last_year, 1, 1), _years(first, last_year))
        if zoom == "decade":
            if len(at) != 4 or not at.isdigit() or int(at) % 10:
                raise ValueError
            y = int(at)
            return Window(zoom, at, date(y, 1, 1), date(y + 10, 1, 1), _years(y, y + 10))
        if zoom == "year":
            if len(at) != 4 or not at.isdigit():
                raise ValueError
            y = int(at)
            cols = tuple((date(y, m, 1), add_months(date(y, m, 1), 1), MONTHS[m - 1][:3]) for m in range(1, 13))
            return Window(zoom, at, date(y, 1, 1), date(y + 1, 1, 1), cols)
        if len(at) != 7 or at[4] != "-" or not (at[:4].isdigit() and at[5:].isdigit()):
            raise ValueError
        first_day = date(int(at[:4]), int(at[5:]), 1)
        after = add_months(first_day, 1)
        cols = tuple((date.fromordinal(o), date.fromordinal(o + 1), str(date.fromordinal(o).day))
                     for o in range(first_day.toordinal(), after.toordinal()))
        return Window(zoom, at, first_day, after, cols)
    except ValueError:
        shape = {"all": "nothing", "decade": "a year ending in 0 (1960)", "year": "a year (1968)",
                 "month": "a year and month (1968-10)"}[zoom]
        raise bad_request(f"'at' for zoom={zoom} must be {shape}, not {at[:40]!r}") from None


def _closer(w: Window, col: tuple[date, date, str]) -> tuple[str, str] | None:
    """The zoom and ``at`` of a closer look at one column."""
    start = col[0]
    if w.zoom in ("all", "decade"):
        return "year", f"{start.year:04d}"
    if w.zoom == "year":
        return "month", f"{start.year:04d}-{start.month:02d}"
    return None


def _pack(marks: list[Item], w: Window) -> list[int] | None:
    """A row for each mark, first fit in time order; None if they need more than MAX_ROWS rows."""
    ends: list[float] = []
    rows = []
    for item in marks:
        x0 = w.x(max(item.when.start, w.start))
        for r, end in enumerate(ends):
            if end + 1.5 <= x0:
                break
        else:
            r = len(ends)
            if r >= MAX_ROWS:
                return None
            ends.append(0.0)
        ends[r] = max(w.x(min(item.when.end, w.end)), x0 + 3.0)
        rows.append(r)
    return rows


def _counts(marks: list[Item], w: Window) -> list[int]:
    """How many marks touch each column: each mark counted in the columns it spans (bisect, one pass)."""
    from bisect import bisect_right

    starts = [c0 for c0, _, _ in w.columns]
    counts = [0] * len(starts)
    for item in marks:
        n = max(0, bisect_right(starts, item.when.start) - 1)
        while n < len(starts) and starts[n] < item.when.end:
            if w.columns[n][1] > item.when.start:
                counts[n] += 1
            n += 1
    return counts


def _href(params: dict[str, str]) -> str:
    return "timeline?" + urlencode({k: v for k, v in params.items() if v})


def draw(all_items: list[Item], w: Window, base: str, scope: Scope) -> str:
    """The timeline of the items in the window, as SVG."""
    inside = [i for i in all_items if i.when.start < w.end and i.when.end > w.start]
    lanes = []
    for kind, title in KINDS:
        marks = [i for i in inside if i.kind == kind]
        rows = _pack(marks, w) if len(marks) <= MARK_LIMIT else None
        height = (max(rows) + 1 if rows else 1) * ROW + 10 if rows is not None else BARS
        lanes.append((kind, title, marks, rows, height))
    total = TOP + sum(lane[4] for lane in lanes) + 8
    root = svg_root(WIDTH, total, f"Timeline {w.start.isoformat()} to {w.end.isoformat()}", "timeline-svg")
    axis = el(root, "g", class_="axis")
    step = max(1, len(w.columns) // 31 + (1 if len(w.columns) > 31 else 0))
    for n, (c0, c1, text) in enumerate(w.columns):
        x = w.x(c0)
        el(axis, "line", x1=x, x2=x, y1=TOP - 6.0, y2=total - 4.0, class_="tick")
        if n % step == 0:
            closer = _closer(w, (c0, c1, text))
            label_parent = link(axis, _href({"zoom": closer[0], "at": closer[1], **scope.params()}),
                                f"Closer: {text}") if closer else axis
            el(label_parent, "text", text, x=x + 2.0, y=TOP - 10.0, class_="tick-label")
    y = TOP
    for kind, title, marks, rows, height in lanes:
        lane = el(root, "g", class_=f"lane lane-{kind}", data_kind=kind, data_count=len(marks))
        el(lane, "rect", x=0.0, y=y, width=WIDTH, height=height, class_="lane-bg")
        el(lane, "text", f"{title} ({len(marks)})", x=6.0, y=y + 16.0, class_="lane-label")
        if rows is not None:
            for item, r in zip(marks, rows):
                x0, x1 = w.x(max(item.when.start, w.start)), w.x(min(item.when.end, w.end))
                href = safe_href(item.iri, base) or "#"
                a = link(lane, href, f"{item.label} ({item.when.written})")
                clipped = " clipped" if item.when.start < w.start or item.when.end > w.end else ""
                el(a, "rect", x=x0, y=y + 5.0 + r * ROW, width=max(x1 - x0, 2.0), height=ROW - 3.0,
                   class_=f"mark {kind} {item.when.precision}{clipped}", data_iri=item.iri, data_date=item.when.written,
                   data_precision=item.when.precision)
        else:
            counts = _counts(marks, w)
            most = max(counts) if counts else 0
            for (c0, c1, text), count in zip(w.columns, counts):
                if not count:
                    continue
                x0, x1 = w.x(c0), w.x(c1)
                h = (height - 10) * count / most
                closer = _closer(w, (c0, c1, text))
                href = _href({"zoom": closer[0], "at": closer[1], **scope.params()}) if closer else "#items"
                a = link(lane, href, f"{count} {title.lower()} in {text}")
                el(a, "rect", x=x0 + 0.5, y=y + height - 5 - h, width=max(x1 - x0 - 1.0, 1.0), height=h,
                   class_=f"bar {kind}", data_count=count, data_column=text)
        y += height
    return to_text(root)


_cache: PictureCache[list[Item]] = PictureCache()


def cached_items(store, query: str, wait: float | None = None) -> list[Item]:  # type: ignore[no-untyped-def]
    """The items of a query on the published build, the last few kept (zooming asks the same query again);
    NotReady when they take longer than ``wait`` seconds (server/picture_cache.py)."""
    return _cache.get((build_of(store).key, query), lambda: items(store, query), wait)


def _title(w: Window) -> str:
    if w.zoom == "all":
        return "the whole archive"
    if w.zoom == "decade":
        return f"the {w.at}s"
    if w.zoom == "year":
        return w.at
    return f"{MONTHS[int(w.at[5:]) - 1]} {w.at[:4]}"


def _navigation(w: Window, scope: Scope) -> str:
    p = scope.params()
    crumbs = [("all", "")]
    if w.zoom != "all":
        crumbs.append(("decade", f"{w.start.year // 10 * 10}"))
    if w.zoom in ("year", "month"):
        crumbs.append(("year", f"{w.start.year}"))
    if w.zoom == "month":
        crumbs.append(("month", w.at))
    names = {"all": "All", "decade": "{}s", "year": "{}", "month": "{}"}
    out = [f'<a href="{escape(_href({"zoom": z, "at": a, **p}), quote=True)}">{escape(names[z].format(a))}</a>'
           for z, a in crumbs]
    if w.zoom != "all":
        prev_at, next_at = _step(w, -1), _step(w, 1)
        out.append(f'<a rel="prev" href="{escape(_href({"zoom": w.zoom, "at": prev_at, **p}), quote=True)}">earlier</a>')
        out.append(f'<a rel="next" href="{escape(_href({"zoom": w.zoom, "at": next_at, **p}), quote=True)}">later</a>')
    return '<p class="pager" id="zoom">Zoom: ' + " · ".join(out) + "</p>"


def _step(w: Window, by: int) -> str:
    if w.zoom == "decade":
        return f"{w.start.year + 10 * by:04d}"
    if w.zoom == "year":
        return f"{w.start.year + by:04d}"
    d = add_months(w.start, by)
    return f"{d.year:04d}-{d.month:02d}"


def _table(all_items: list[Item], w: Window, base: str, page_no: int) -> str:
    inside = [i for i in all_items if i.when.start < w.end and i.when.end > w.start]
    shown = inside[(page_no - 1) * TABLE_PAGE: page_no * TABLE_PAGE]
    kinds = dict(KINDS)
    rows = "".join(
        f'<tr><td>{escape(i.when.written)}</td><td>{escape(i.when.precision)}</td><td>{escape(kinds[i.kind])}</td>'
        f'<td><a href="{escape(safe_href(i.iri, base) or "#", quote=True)}">{escape(i.label)}</a></td></tr>'
        for i in shown)
    more = ""
    if len(inside) > page_no * TABLE_PAGE or page_no > 1:
        args = {k: v for k, v in request.args.items() if k != "page"}
        links = []
        if page_no > 1:
            links.append(f'<a rel="prev" href="{escape(_href({**args, "page": str(page_no - 1)}), quote=True)}#items">previous</a>')
        if len(inside) > page_no * TABLE_PAGE:
            links.append(f'<a rel="next" href="{escape(_href({**args, "page": str(page_no + 1)}), quote=True)}#items">next</a>')
        more = f'<p class="pager">Rows {(page_no - 1) * TABLE_PAGE + 1}–{min(len(inside), page_no * TABLE_PAGE)} of {len(inside)}. {" · ".join(links)}</p>'
    return (f'<h2 id="items">The same, as a table</h2><p>{len(inside)} item(s) in {escape(_title(w))}.</p>'
            f'<table id="timeline-table"><thead><tr><th>date</th><th>precision</th><th>kind</th><th>item</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>{more}")


def query_section(query: str, summary: str = "The SPARQL query behind this picture", ident: str = "query") -> str:
    """The query that feeds a picture, shown under it, with a link that opens it in the query editor."""
    editor = "sparql?" + urlencode({"edit": "1", "query": query})
    return (f'<details id="{ident}"><summary>{escape(summary)}</summary><pre>{escape(query)}</pre>'
            f'<p><a href="{escape(editor, quote=True)}">Open it in the query editor</a></p></details>')


@bp.route("/timeline")
def timeline_view() -> Response:
    from .errors import ApiError

    args = request.args
    for name in ("zoom", "at", "page"):
        if len(args.getlist(name)) > 1:
            raise bad_request(f"the '{name}' parameter is given {len(args.getlist(name))} times; give it once")
    scope = scope_of(args)
    page_no = page_number(args.get("page"))
    store = current_app.extensions["archivekg.store"]
    try:
        base = build_of(store).base
        query = query_text("timeline", scope, base)
        found = cached_items(store, query, reader_wait())
        choices = options(store, base)
    except StoreUnavailable as err:
        raise ApiError(503, str(err)) from None
    except NotReady:
        return preparing("timeline")
    w = window(args.get("zoom", "all").strip(), args.get("at", "").strip(), found)
    picture = draw(found, w, base, scope)
    body = (f"<h1>Timeline: {escape(_title(w))}</h1>"
            '<p>Documents, the conversations they record and the events they refer to. A date is drawn as what it '
            'says: a day, a whole month, a whole year, or a range from its start to its end. Every mark links to its '
            'page; where a lane holds too many marks, it counts them by column, and a column leads closer.</p>'
            + form("timeline", scope, choices, {"zoom": w.zoom, "at": w.at})
            + _navigation(w, scope)
            + f'<figure class="picture">{picture}</figure>'
            + _table(found, w, base, page_no) + query_section(query))
    resp = Response(page("Timeline", body, wide=True, styles=("pictures.css",)), mimetype="text/html")
    return resp
