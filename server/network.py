"""/network: who met whom, from the attendees of the conversations the documents record.

Two people are joined when both attend one conversation; an edge's weight is the number of documents
(queries/pictures/network.rq; the people and their counts, network-people.rq). The picture is SVG drawn on
the server: networkx lays out the NODE_LIMIT people with most documents (Fruchterman-Reingold, a fixed
seed, so the same data gives the same picture), each node a link to the person's page and each edge with
its weight in its tooltip (at most EDGE_LIMIT lines, the heaviest). The whole network, not only the drawn part, is a table under the
picture and downloads as GraphML (/network.graphml) and as CSV for Gephi (/network.csv, the edges;
/network-nodes.csv, the people).
"""

from __future__ import annotations

import csv
import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request

from .errors import ApiError, bad_request
from .layout import page
from .links import safe_href
from .picture_cache import NotReady, PictureCache, preparing, reader_wait
from .pages import page_number
from .scope import Scope, build_of, form, options, query_text, scope_of
from .store import StoreUnavailable
from .svg import el, link, svg_root, to_text
from .timeline import query_section

__all__ = ["bp", "Network", "network", "draw", "graphml", "edges_csv", "nodes_csv"]

bp = Blueprint("network", __name__)

NODE_LIMIT = 120  # people drawn: those with most documents; the table and downloads have everyone
LABEL_LIMIT = 40  # of them, those whose names are written by their node (the others' show on hover)
EDGE_LIMIT = 1500  # lines drawn between them, the heaviest; the table and downloads have every pair
TABLE_PAGE = 200
WIDTH, HEIGHT, PAD, LABEL_ROOM = 1000.0, 680.0, 40.0, 140.0


@dataclass(frozen=True)
class Network:
    people: dict[str, tuple[str, int]]  # IRI -> (label, documents)
    edges: list[tuple[str, str, int]]  # (a, b, documents), a < b, heaviest first


def network(store, scope: Scope, base: str) -> Network:  # type: ignore[no-untyped-def]
    people: dict[str, tuple[str, int]] = {}
    for row in store.query(query_text("network-people", scope, base)):
        iri = row["person"].value
        label = row["label"].value if row["label"] is not None else iri.rsplit("/", 1)[-1]
        people[iri] = (label, int(row["documents"].value))
    edges = [(row["a"].value, row["b"].value, int(row["documents"].value))
             for row in store.query(query_text("network", scope, base))]
    edges.sort(key=lambda e: (-e[2], people.get(e[0], ("",))[0], people.get(e[1], ("",))[0], e[0], e[1]))
    return Network(dict(sorted(people.items())), edges)


_cache: PictureCache[Network] = PictureCache()


def cached_network(store, scope: Scope, base: str, wait: float | None = None) -> Network:  # type: ignore[no-untyped-def]
    """Who met whom in a scope of the published build, the last few kept; NotReady past ``wait`` seconds."""
    return _cache.get((build_of(store).key, scope, base), lambda: network(store, scope, base), wait)


def _graph(net: Network, iris: list[str] | None = None):  # type: ignore[no-untyped-def]
    import networkx as nx

    keep = set(iris) if iris is not None else set(net.people)
    g = nx.Graph()
    for iri in (iris if iris is not None else list(net.people)):
        label, docs = net.people.get(iri, (iri, 0))
        g.add_node(iri, label=label, documents=docs)
    for a, b, w in net.edges:
        if a in keep and b in keep:
            g.add_edge(a, b, weight=w)
    return g


def drawn(net: Network) -> list[str]:
    """The people the picture draws: those with most documents, then by name."""
    ranked = sorted(net.people, key=lambda iri: (-net.people[iri][1], net.people[iri][0], iri))
    return ranked[:NODE_LIMIT]


def _layout(g) -> tuple[dict[str, tuple[float, float]], float]:  # type: ignore[no-untyped-def]
    """Positions in the picture, and its height. Each group of people who met (a connected component) is laid
    out by networkx's spring layout (a fixed seed) in a square of its own, sized by how many it holds, and
    the squares are set in rows, the largest first: a lone pair does not squeeze everyone else into a dot."""
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    if not comps:
        return {}, 120.0
    room = WIDTH - 2 * PAD
    unit = (HEIGHT - 2 * PAD) / math.sqrt(max(len(comps[0]), 9))  # the largest group fills the height
    pos: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for comp in comps:
        side = max(unit * math.sqrt(len(comp)), 60.0)
        if x > 0 and x + side > room:
            x, y, row = 0.0, y + row, 0.0
        inner = side - LABEL_ROOM * min(1.0, side / room) - 20.0 if len(comp) > 1 else 0.0
        if len(comp) == 1:
            pos[comp[0]] = (PAD + x + side / 2, PAD + y + side / 2)
        else:
            placed = nx.spring_layout(g.subgraph(comp), weight="weight", seed=15, iterations=120)
            xs = [float(p[0]) for p in placed.values()]
            ys = [float(p[1]) for p in placed.values()]
            x0, y0 = min(xs), min(ys)
            scale = max(inner, 20.0) / max(max(xs) - x0, max(ys) - y0, 1e-9)
            for node, p in placed.items():
                pos[node] = (PAD + x + 10.0 + (float(p[0]) - x0) * scale, PAD + y + 10.0 + (float(p[1]) - y0) * scale)
        x += side
        row = max(row, side)
    return pos, PAD * 2 + y + row


def draw(net: Network, base: str) -> str:
    iris = drawn(net)
    g = _graph(net, iris)
    pos, height = _layout(g)
    root = svg_root(WIDTH, height, f"Network of {len(iris)} people", "network-svg")
    edges = el(root, "g", class_="edges")
    shown = [(a, b, w) for a, b, w in net.edges if a in pos and b in pos][:EDGE_LIMIT]  # the heaviest first
    for a, b, w in shown:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        line = el(edges, "line", x1=xa, y1=ya, x2=xb, y2=yb, class_="edge", stroke_width=round(1 + math.log2(w), 2),
                  data_a=a, data_b=b, data_documents=w)
        el(line, "title", f"{net.people[a][0]} and {net.people[b][0]}: {w} document(s)")
    nodes = el(root, "g", class_="nodes")
    most = max((net.people[i][1] for i in iris), default=1)
    for n, iri in enumerate(iris):
        if iri not in pos:
            continue
        x, y = pos[iri]
        label, docs = net.people[iri]
        anchor = link(nodes, safe_href(iri, base) or "#", f"{label}: {docs} document(s)")
        r = 4.0 + 14.0 * math.sqrt(docs / most)
        el(anchor, "circle", cx=x, cy=y, r=r, class_="node", data_iri=iri, data_label=label, data_documents=docs)
        if n < LABEL_LIMIT:
            el(anchor, "text", label, x=x + r + 2.0, y=y + 4.0, class_="node-label")
    return to_text(root)


_svg_lock = threading.Lock()
_svg: OrderedDict[int, tuple[Network, str]] = OrderedDict()


def drawn_svg(net: Network, base: str) -> str:
    """The picture of a network, drawn once while the network is kept (the layout is the slow part)."""
    with _svg_lock:
        hit = _svg.get(id(net))
        if hit is not None and hit[0] is net:
            return hit[1]
    svg = draw(net, base)
    with _svg_lock:
        _svg[id(net)] = (net, svg)
        while len(_svg) > 8:
            _svg.popitem(last=False)
    return svg


def graphml(net: Network) -> str:
    import networkx as nx

    g = _graph(net)
    return "\n".join(nx.generate_graphml(g, prettyprint=True)) + "\n"


def edges_csv(net: Network) -> str:
    """The edges as Gephi reads an edges table: Source, Target, Type, Weight, and the names as labels."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Source", "Target", "Type", "Weight", "Source label", "Target label"])
    for a, b, w in net.edges:
        writer.writerow([a, b, "Undirected", w, net.people.get(a, ("",))[0], net.people.get(b, ("",))[0]])
    return out.getvalue()


def nodes_csv(net: Network) -> str:
    """The people as Gephi reads a nodes table: Id, Label, and the number of documents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", "Label", "Documents"])
    for iri, (label, docs) in net.people.items():
        writer.writerow([iri, label, docs])
    return out.getvalue()


def _table(net: Network, base: str, page_no: int) -> str:
    shown = net.edges[(page_no - 1) * TABLE_PAGE: page_no * TABLE_PAGE]

    def person(iri: str) -> str:
        return f'<a href="{escape(safe_href(iri, base) or "#", quote=True)}">{escape(net.people.get(iri, (iri,))[0])}</a>'

    rows = "".join(f"<tr><td>{person(a)}</td><td>{person(b)}</td><td>{w}</td></tr>" for a, b, w in shown)
    pager = ""
    if len(net.edges) > TABLE_PAGE:
        args = {k: v for k, v in request.args.items() if k != "page"}
        links = []
        if page_no > 1:
            links.append(f'<a rel="prev" href="network?{escape(urlencode({**args, "page": page_no - 1}), quote=True)}#pairs">previous</a>')
        if len(net.edges) > page_no * TABLE_PAGE:
            links.append(f'<a rel="next" href="network?{escape(urlencode({**args, "page": page_no + 1}), quote=True)}#pairs">next</a>')
        pager = f'<p class="pager">Pairs {(page_no - 1) * TABLE_PAGE + 1}–{min(len(net.edges), page_no * TABLE_PAGE)} of {len(net.edges)}. {" · ".join(links)}</p>'
    return (f'<h2 id="pairs">The same, as a table</h2><p>{len(net.people)} people, {len(net.edges)} pair(s) who met.</p>'
            '<table id="network-table"><thead><tr><th>person</th><th>person</th><th>documents</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>{pager}")


def _load(args, wait: float | None = None) -> tuple[Network, Scope, str, dict]:  # type: ignore[no-untyped-def]
    for name in ("page",):
        if len(args.getlist(name)) > 1:
            raise bad_request(f"the '{name}' parameter is given {len(args.getlist(name))} times; give it once")
    scope = scope_of(args)
    store = current_app.extensions["archivekg.store"]
    try:
        base = build_of(store).base
        return cached_network(store, scope, base, wait), scope, base, options(store, base)
    except StoreUnavailable as err:
        raise ApiError(503, str(err)) from None


@bp.route("/network")
def network_view() -> Response:
    try:
        net, scope, base, choices = _load(request.args, reader_wait())
    except NotReady:
        return preparing("network")
    page_no = page_number(request.args.get("page"))
    params = urlencode(scope.params())
    q = f"?{params}" if params else ""
    left = len(net.people) - len(drawn(net))
    more = f" The {left} people with fewest documents are left out of the picture; they are in the table and the downloads." if left > 0 else ""
    body = (f"<h1>Network: who met whom</h1>"
            "<p>People joined when both attend a conversation a document records; the thicker the line, the more "
            f"documents (hover over a line for the number). A node leads to the person's page.{more}</p>"
            + form("network", scope, choices, {})
            + f'<p class="formats" id="downloads">Download for Gephi: <a href="network.graphml{escape(q, quote=True)}">GraphML</a>'
            f' · <a href="network.csv{escape(q, quote=True)}">CSV (pairs)</a>'
            f' · <a href="network-nodes.csv{escape(q, quote=True)}">CSV (people)</a></p>'
            + f'<figure class="picture">{drawn_svg(net, base)}</figure>'
            + _table(net, base, page_no)
            + query_section(query_text("network", scope, base), "The SPARQL query behind the lines (who met whom)")
            + query_section(query_text("network-people", scope, base), "The SPARQL query behind the people",
                            "query-people"))
    return Response(page("Network", body, wide=True, styles=("pictures.css",)), mimetype="text/html")


def _download(text: str, media: str, name: str) -> Response:
    resp = Response(text, mimetype=media)
    resp.headers["Content-Type"] = f"{media}; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.route("/network.graphml")
def network_graphml() -> Response:
    net, _, _, _ = _load(request.args)
    return _download(graphml(net), "application/graphml+xml", "archivekg-network.graphml")


@bp.route("/network.csv")
def network_csv() -> Response:
    net, _, _, _ = _load(request.args)
    return _download(edges_csv(net), "text/csv", "archivekg-network-edges.csv")


@bp.route("/network-nodes.csv")
def network_nodes_csv() -> Response:
    net, _, _, _ = _load(request.args)
    return _download(nodes_csv(net), "text/csv", "archivekg-network-nodes.csv")
