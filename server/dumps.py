"""Downloads: /dumps/*, the VoID/DCAT description at /.well-known/void, source files, the landing page.

Files are sent with ``ETag``, ``Last-Modified``, ``Content-Length`` and range
support (werkzeug's conditional responses). A gzip dump is served as the file it
is (``Content-Type: application/gzip``), not with ``Content-Encoding``, so clients
save exactly the bytes whose sha256 the VoID description gives.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_file
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from .errors import not_acceptable
from .layout import page
from .links import public_url
from .negotiation import negotiate

__all__ = ["bp"]

bp = Blueprint("dumps", __name__)

_TYPES = {".gz": "application/gzip", ".ttl": "text/turtle", ".nq": "application/n-quads", ".txt": "text/plain"}


def _release() -> Path:
    store = current_app.extensions["archivekg.store"]
    store.build_info()  # raises StoreUnavailable (503) when nothing is published
    return store.current_path()


def _send(root: Path, relpath: str) -> Response:
    path = safe_join(str(root), relpath)
    if path is None or not Path(path).is_file():
        raise NotFound(f"no file {relpath}")
    unit = request.headers.get("Range", "").partition("=")[0].strip().lower()
    if unit and unit != "bytes":  # a range unit this server does not know is ignored: the whole file (RFC 9110, 14.2)
        request.environ.pop("HTTP_RANGE", None)
        request.environ.pop("HTTP_IF_RANGE", None)
    mimetype = _TYPES.get(Path(path).suffix, "application/octet-stream")
    resp = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=3600)
    if mimetype.startswith("text/"):
        resp.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    return resp


@bp.route("/dumps/<path:relpath>")
def dump(relpath: str) -> Response:
    return _send(_release() / "dumps", relpath)


@bp.route("/source/<path:relpath>")
def source(relpath: str) -> Response:
    """The source files the Web Annotation selectors count in (oa:hasSource)."""
    return _send(_release() / "sources", relpath)


@bp.route("/.well-known/void")
def void() -> Response:
    offers = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/html"]
    named = {"ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
             "rdf": "application/rdf+xml"}
    fmt = request.args.get("format", "").lower()
    media = named.get(fmt) if fmt else negotiate(request.headers.get("Accept"), offers)
    if media is None:
        raise not_acceptable(offers if not fmt else list(named))
    if media == "text/html":  # a person: the landing page says the same about the dumps, readably
        resp = Response("See /#download\n", status=303, mimetype="text/plain")
        resp.headers["Location"] = "/#download"
        resp.headers["Vary"] = "Accept"
        return resp
    path = _release() / "void.ttl"
    if media == "text/turtle":
        resp = _send(path.parent, path.name)
    else:
        import pyoxigraph as ox

        from .executor import serialize_graph

        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        resp = Response(serialize_graph(triples, media), mimetype=media)
    resp.headers["Vary"] = "Accept"
    return resp


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@bp.route("/")
def landing() -> Response:
    info = current_app.extensions["archivekg.store"].build_info()
    dumps = "".join(
        f'<li><a href="/{escape(d["path"])}">{escape(name)}</a>: {d["bytes"]:,} bytes, {d["triples"]:,} triples, '
        f'sha256 <code>{escape(d["sha256"])}</code></li>'
        for name, d in sorted(info["dumps"].items())
    )
    from urllib.parse import urlencode

    from converter.catalogue import load_catalogue

    examples = "".join(
        f'<li><a href="/sparql?{escape(urlencode({"query": q.sparql, "format": "html"}), quote=True)}">{escape(q.title)}</a>'
        f'{" <small>(joins Wikidata)</small>" if q.federated else ""}</li>' for q in load_catalogue())
    html = page("Home", f"""<h1>archivekg</h1>
<p>A knowledge graph of historical archive documents: who said what, when, to whom, with every statement
anchored to its source text. {_count(info["documents"], "document")}, {_count(info["triples"], "triple")},
{_count(info["persons"], "person")}, {_count(info["utterances"], "utterance")}; built {escape(info["build_time"])}.</p>
<h2>Query</h2><p>SPARQL 1.1 endpoint: <a href="/sparql">/sparql</a> (GET or POST; JSON, XML, CSV, TSV, Turtle, JSON-LD),
with example queries on its page. From a script:</p>
<pre id="curl">curl {escape(public_url())}sparql -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?doc ?title WHERE {{ ?doc a &lt;https://w3id.org/archivekg/ontology#Document&gt; ; &lt;http://purl.org/dc/terms/title&gt; ?title }} LIMIT 10'</pre>
<p>Example queries, each answering a question researchers ask (run them, then edit):</p>
<ul id="examples">{examples}</ul>
<p>Full-text search of what was said: <a href="/search">/search</a>. Every resource has a page and RDF at its IRI.</p>
<h2 id="download">Download</h2><ul>{dumps}<li>One Turtle file per document under <code>/dumps/documents/</code></li>
<li>Description of the dataset and its dumps (VoID/DCAT) at <code>/.well-known/void</code>:
<a href="/.well-known/void?format=ttl">Turtle</a> · <a href="/.well-known/void?format=jsonld">JSON-LD</a></li></ul>""")
    return Response(html, mimetype="text/html")
