"""What a picture is narrowed to: a person, a place, a holding archive (``?person=``, ``?place=``, ``?archive=``).

Each is the slug of an IRI of this archive (``person=mao-zedong`` is ``{base}id/person/mao-zedong``). The
scope becomes a pattern on the picture query's ``?doc``: the documents whose conversation the person
attends, whose conversation is held at the place (or that refer to an event there), or that the archive
holds. A value that is not a slug is a 400 that names the parameter.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path

from werkzeug.datastructures import MultiDict

from .errors import bad_request

__all__ = ["FACETS", "Build", "Scope", "build_of", "form", "options", "query_text", "scope_of"]

QUERIES = Path(__file__).parent / "queries" / "pictures"
PLACEHOLDER_BASE = "https://archivekg.invalid/"  # in a picture's query, stands for the build's base URI
# facet -> (the kind of IRI it names, the pattern on ?doc, what the form calls it)
FACETS: dict[str, tuple[str, str, str]] = {
    # Joins, not FILTER EXISTS: the store starts from the chosen person, place or archive, so a narrowed
    # picture reads only its own documents. A document found twice (a place of its conversation and of an
    # event it refers to) is counted once by each picture.
    "person": ("person", "?attended schema:attendee <{iri}> . ?doc akg:records ?attended .", "Person"),
    "place": ("place", "{ ?heldThere schema:location <{iri}> . ?doc akg:records ?heldThere } UNION "
                       "{ ?eventThere schema:location <{iri}> . ?doc akg:refersToEvent ?eventThere }", "Place"),
    "archive": ("organization", "?doc dcterms:isPartOf <{iri}> .", "Archive"),
}
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")


@dataclass(frozen=True)
class Scope:
    """The chosen facets: (facet, slug) pairs, in FACETS order; empty for the whole archive."""

    chosen: tuple[tuple[str, str], ...] = ()

    def iri(self, base: str, facet: str, slug: str) -> str:
        return f"{base}id/{FACETS[facet][0]}/{slug}"

    def pattern(self, base: str) -> str:
        """The chosen documents, as a subquery the picture's query joins on ``?doc`` (empty for the whole archive):
        evaluated on its own, it starts from the person, place or archive, whatever the rest of the query is."""
        if not self.chosen:
            return ""
        joins = "\n    ".join(FACETS[f][1].replace("{iri}", self.iri(base, f, s)) for f, s in self.chosen)
        return f"{{ SELECT DISTINCT ?doc WHERE {{\n    {joins}\n  }} }}"

    def params(self) -> dict[str, str]:
        return dict(self.chosen)


def scope_of(args: MultiDict) -> Scope:
    chosen = []
    for facet in FACETS:
        values = [v.strip() for v in args.getlist(facet) if v.strip()]
        if len(values) > 1:
            raise bad_request(f"the '{facet}' parameter is given {len(values)} times; give it once")
        if values:
            if not _SLUG.fullmatch(values[0]):
                raise bad_request(f"'{facet}' must be the slug of a {FACETS[facet][0]} of this archive "
                                  f"(as in its IRI: letters, digits, '-', '.', '_', '~'), not {values[0][:60]!r}")
            chosen.append((facet, values[0]))
    return Scope(tuple(chosen))


def query_text(name: str, scope: Scope, base: str) -> str:
    """A picture's query (queries/pictures/NAME.rq) with the scope's pattern in place of its #SCOPE line and
    the build's base URI in place of PLACEHOLDER_BASE."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8").replace(PLACEHOLDER_BASE, base)
    pattern = scope.pattern(base)
    return text.replace("#SCOPE", pattern if pattern else "# (the whole archive: no person, place or archive chosen)")


@dataclass(frozen=True)
class Build:
    base: str  # the build's base URI
    key: str  # what tells this build from the next one: the pictures' results are kept under it


_builds: dict[str, Build] = {}


def build_of(store) -> Build:  # type: ignore[no-untyped-def]
    """The published build's base URI and key, read from build.json once per release. build.json holds the
    per-document index, megabytes at archive scale: parsing it on every request cost 0.17 s at 4,000
    documents, three times a picture. The release directory changes with every publication."""
    where = str(store.current_path())
    found = _builds.get(where)
    if found is None:
        info = store.build_info()
        found = Build(str(info["base_uri"]), f"{where}|{info.get('build_time')}|{info.get('triples')}")
        _builds.clear()
        _builds[where] = found
    return found


_lock = threading.Lock()
_cache: dict[str, dict[str, list[tuple[str, str, int]]]] = {}


def options(store, base: str) -> dict[str, list[tuple[str, str, int]]]:  # type: ignore[no-untyped-def]
    """Per facet, (slug, label, documents) of what can be chosen, most documents first; once per build."""
    key = f"{build_of(store).key}|{base}"
    with _lock:
        if key in _cache:
            return _cache[key]
    found: dict[str, list[tuple[str, str, int]]] = {facet: [] for facet in FACETS}
    for row in store.query((QUERIES / "scope-options.rq").read_text(encoding="utf-8")):
        facet, value = row["facet"].value, row["value"].value
        prefix = f"{base}id/{FACETS[facet][0]}/"
        slug = value[len(prefix):] if value.startswith(prefix) else ""
        if slug and _SLUG.fullmatch(slug):
            label = row["label"].value if row["label"] is not None else slug
            found[facet].append((slug, label, int(row["documents"].value)))
    for facet in found:
        found[facet].sort(key=lambda o: (-o[2], o[1], o[0]))
    with _lock:
        _cache.clear()
        _cache[key] = found
    return found


def form(action: str, scope: Scope, choices: dict[str, list[tuple[str, str, int]]], hidden: dict[str, str],
         most: int = 300) -> str:
    """The GET form that narrows a picture: a menu per facet (the ``most`` with most documents)."""
    chosen = scope.params()
    fields = []
    for facet, (_, _, title) in FACETS.items():
        opts = [f'<option value="">any</option>']
        listed = choices.get(facet, [])[:most]
        if chosen.get(facet) and all(slug != chosen[facet] for slug, _, _ in listed):
            listed = [(chosen[facet], chosen[facet], 0), *listed]
        for slug, label, docs in listed:
            sel = " selected" if chosen.get(facet) == slug else ""
            count = f" ({docs})" if docs else ""
            opts.append(f'<option value="{escape(slug, quote=True)}"{sel}>{escape(label)}{count}</option>')
        fields.append(f'<label>{title} <select name="{facet}" id="scope-{facet}">{"".join(opts)}</select></label>')
    keep = "".join(f'<input type="hidden" name="{escape(k, quote=True)}" value="{escape(v, quote=True)}">'
                   for k, v in hidden.items() if v)
    return (f'<form method="get" action="{escape(action, quote=True)}" class="scope">{keep}'
            + " ".join(fields) + ' <button type="submit">Show</button></form>')
