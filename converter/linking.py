"""`archivekg link`: proposals into a review file, accepted links into the authority data, a report.

Flow: ``contexts`` reads a published build (which documents an entity appears in, their
dates and languages, the QIDs of entities mentioned alongside); ``propose_all`` asks
the endpoint (``wikidata.WikidataClient``) and ranks (``linker``); ``write_review``
merges the proposals into the review CSV, keeping the curator's decisions;
``apply_review`` writes each accepted QID and its evidence into the authority files;
``report`` says what is linked, what is not, and what waits for review. Only
``apply_review`` changes the authority data, and only for rows marked ``accept``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from .authority import EVIDENCE_COLUMNS, EVIDENCE_FILE, Authority
from .languages import LANGUAGES
from .linker import Context, Proposal, propose
from .wikidata import WikidataClient, candidate_query, parse_candidates, qid_of

__all__ = ["REVIEW_COLUMNS", "REVIEW_FILE", "ReviewError", "apply_review", "contexts", "propose_all", "read_review", "report",
           "write_review"]

REVIEW_FILE = "wikidata-review.csv"  # beside the authority files
REVIEW_COLUMNS = ("kind", "id", "label", "status", "rank", "qid", "candidate_label", "candidate_description", "score",
                  "reasons", "endpoint", "decision")
_KIND_FILES = {"person": "persons.csv", "place": "places.csv", "organization": "organizations.csv",
               "event": "events.csv"}
_BCP47 = {code3: tag for code3, tag in LANGUAGES.values()}
AKG, DCT, SCHEMA, SKOS = ("https://w3id.org/archivekg/ontology#", "http://purl.org/dc/terms/", "http://schema.org/",
                          "http://www.w3.org/2004/02/skos/core#")


class ReviewError(ValueError):
    """A review file that cannot be applied; the message names the file and line."""


def _published(build: Path) -> tuple[ox.Store, str]:
    """The store of the published build in BUILD, read-only, and its base URI."""
    current = build / "current"
    if not current.exists():
        raise FileNotFoundError(f"no published build in {build}; run 'archivekg build --out {build}' first")
    base = json.loads((current / "build.json").read_text(encoding="utf-8"))["base_uri"]
    return ox.Store.read_only(str(Path(os.path.realpath(current)) / "store")), base


@dataclass(frozen=True)
class Appearance:
    years: tuple[int, int] | None
    langs: tuple[str, ...]
    co_linked: frozenset[str]
    speaker: bool


def _appearances(store: ox.Store) -> dict[str, Appearance]:
    """For every entity: the years and languages of its documents, co-mentioned QIDs, whether it speaks."""
    q = f"""SELECT ?e ?doc ?date ?lang ?speaks WHERE {{
      {{ ?doc a <{AKG}Document> ; <{AKG}mentions> ?e }} UNION {{ ?c <{SCHEMA}attendee> ?e ; <{AKG}recordedIn> ?doc }}
      OPTIONAL {{ ?doc <{DCT}date>|<{AKG}earliestDate> ?date }} OPTIONAL {{ ?doc <{DCT}language> ?lang }}
      BIND(EXISTS {{ ?u <{AKG}spokenBy> ?e }} AS ?speaks)
    }}"""
    docs: dict[str, set[str]] = {}
    years: dict[str, list[int]] = {}
    langs: dict[str, set[str]] = {}
    speaks: dict[str, bool] = {}
    doc_years: dict[str, int] = {}
    for r in store.query(q, use_default_graph_as_union=True):
        e, doc = r["e"].value, r["doc"].value
        docs.setdefault(e, set()).add(doc)
        if r["date"] is not None and r["date"].value[:4].isdigit():
            doc_years[doc] = int(r["date"].value[:4])
        if r["lang"] is not None:
            tag = _BCP47.get(r["lang"].value.rsplit("/", 1)[-1])
            if tag:
                langs.setdefault(e, set()).add(tag)
        speaks[e] = speaks.get(e, False) or r["speaks"].value == "true"
    links: dict[str, str] = {r["e"].value: qid_of(r["w"].value) for r in store.query(
        f"SELECT ?e ?w WHERE {{ ?e <{SKOS}exactMatch> ?w }}", use_default_graph_as_union=True)}
    by_doc: dict[str, set[str]] = {}
    for e, ds in docs.items():
        for d in ds:
            by_doc.setdefault(d, set()).add(e)
        years[e] = [doc_years[d] for d in ds if d in doc_years]
    out = {}
    for e, ds in docs.items():
        co = frozenset(links[o] for d in ds for o in by_doc[d] if o != e and o in links)
        ys = years[e]
        out[e] = Appearance((min(ys), max(ys)) if ys else None, tuple(sorted(langs.get(e, set()))), co, speaks[e])
    return out


def contexts(build: Path, authority: Authority, *, all_entities: bool = False) -> list[tuple[Context, tuple[str, ...], tuple[str, ...]]]:
    """(context, names, languages) for each authority entity without a QID (or every one) that the build holds."""
    store, base = _published(build)
    seen = _appearances(store)
    out = []
    for (kind, id_), e in sorted(authority.entities.items()):
        if e.wikidata and not all_entities:
            continue
        a = seen.get(f"{base}id/{kind}/{id_}")
        if a is None:
            continue  # in the authority file, but in no document of this build
        ctx = Context(kind, id_, e.label, e.type, a.years, a.co_linked, a.speaker)
        names = tuple(dict.fromkeys([e.label, *e.aliases]))
        out.append((ctx, names, tuple(dict.fromkeys(["en", *a.langs]))))
    return out


def propose_all(items, client: WikidataClient, progress=None) -> list[Proposal]:  # type: ignore[no-untyped-def]
    proposals = []
    for ctx, names, langs in items:
        results = client.select(candidate_query(list(names), list(langs), ctx.kind, ctx.type))
        proposals.append(propose(ctx, parse_candidates(results)))
        if progress is not None:
            progress(ctx)
    return proposals


def read_review(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_review(path: Path, proposals: list[Proposal], endpoint: str, keep: int = 3) -> None:
    """Merge proposals into the review file: decisions already taken are kept, row order is stable."""
    rows = {(r["kind"], r["id"], r["qid"]): r for r in read_review(path)}
    decided = {k: r.get("decision", "") for k, r in rows.items()}
    for p in proposals:
        ctx = p.context
        for k in [k for k in rows if k[:2] == (ctx.kind, ctx.id) and not decided[k]]:
            del rows[k]  # undecided rows are replaced by the new ranking

        def row(qid: str = "", **fields: str) -> None:
            key = (ctx.kind, ctx.id, qid)
            rows[key] = {c: "" for c in REVIEW_COLUMNS} | {
                "kind": ctx.kind, "id": ctx.id, "label": ctx.label, "qid": qid, "endpoint": endpoint,
                "decision": decided.get(key, "")} | fields

        ranked = p.ranked[:keep]
        if not ranked:
            row(status=p.status, reasons="no item has this label or alias")
        for n, s in enumerate(ranked, 1):
            c = s.candidate
            status = p.status if n == 1 else ("declined" if s.declined else "runner-up")
            if p.status == "ambiguous" and not s.declined:
                status = "ambiguous"
            row(c.qid, status=status, rank=str(n), candidate_label=c.label, candidate_description=c.description,
                score=f"{s.score:.2f}", reasons="; ".join(s.reasons) + (f"; declined: {s.declined}" if s.declined else ""))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REVIEW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows, key=lambda k: (k[0], k[1], int(rows[k]["rank"] or 0), k[2])):
        writer.writerow({c: rows[key].get(c, "") for c in REVIEW_COLUMNS})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _rewrite_csv(path: Path, update) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    update(rows)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def apply_review(review: Path, authority_dir: Path, authority: Authority, today: date | None = None) -> list[tuple[str, str, str]]:
    """Write every accepted QID, with its evidence, into the authority files; return what was applied."""
    accepted: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    problems = []
    for n, r in enumerate(read_review(review), 2):
        decision = (r.get("decision") or "").strip().lower()
        if decision not in ("", "accept", "reject"):
            problems.append(f"{review}:{n}: decision {decision!r} must be accept, reject or empty")
            continue
        if decision != "accept":
            continue
        key = (r["kind"], r["id"])
        entity = authority.get(*key)
        if key in accepted:
            problems.append(f"{review}:{n}: a second accepted item for {key[0]} {key[1]} (line {accepted[key][0]})")
        elif entity is None:
            problems.append(f"{review}:{n}: there is no {key[0]} {key[1]!r} in the authority files")
        elif not r.get("qid"):
            problems.append(f"{review}:{n}: an accepted row needs a qid")
        elif entity.wikidata and entity.wikidata != r["qid"]:
            problems.append(f"{review}:{n}: {key[0]} {key[1]} already has {entity.wikidata} ({entity.where})")
        else:
            accepted[key] = (n, r)
    if problems:
        raise ReviewError("\n".join(problems))
    todo = {k: r for k, (_, r) in accepted.items() if not authority.get(*k).wikidata}  # type: ignore[union-attr]
    when = (today or date.today()).isoformat()
    for kind, file in _KIND_FILES.items():
        mine = {id_: r for (k, id_), r in todo.items() if k == kind}
        if not mine:
            continue

        def update(rows: list[list[str]], mine: dict = mine) -> None:
            col = rows[0].index("wikidata")
            for row in rows[1:]:
                if row and row[0] in mine:
                    row[col] = mine[row[0]]["qid"]

        _rewrite_csv(authority_dir / file, update)
    evidence = authority_dir / EVIDENCE_FILE
    if todo and not evidence.exists():
        evidence.write_text(",".join(EVIDENCE_COLUMNS) + "\n", encoding="utf-8")

    def add(rows: list[list[str]]) -> None:
        for (kind, id_), r in sorted(todo.items()):
            rows.append([kind, id_, r["qid"], f"{r['endpoint']} (archivekg link, accepted {when})",
                         r["candidate_label"], r["candidate_description"], f"score {r['score']}: {r['reasons']}"])
        rows[1:] = sorted(rows[1:], key=lambda row: (row[0], row[1]))

    if todo:
        _rewrite_csv(evidence, add)
    return [(k, i, r["qid"]) for (k, i), r in sorted(todo.items())]


def report(build: Path, authority: Authority, review: Path) -> dict:
    """What the built graph links, what it does not, and what waits for the curator."""
    store, base = _published(build)
    q = f"""SELECT ?e ?kind ?label ?w WHERE {{
      ?e a ?type . VALUES ?type {{ <http://xmlns.com/foaf/0.1/Person> <{SCHEMA}Place> <{SCHEMA}Organization> <{SCHEMA}Event> }}
      FILTER(STRSTARTS(STR(?e), "{base}id/") && !CONTAINS(STR(?e), "#"))
      BIND(STRBEFORE(STRAFTER(STR(?e), "{base}id/"), "/") AS ?kind)
      OPTIONAL {{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label }} OPTIONAL {{ ?e <{SKOS}exactMatch> ?w }}
    }}"""
    out: dict[str, dict[str, list]] = {}
    pending = {(r["kind"], r["id"]) for r in read_review(review) if not (r.get("decision") or "").strip() and r["qid"]}
    for r in store.query(q, use_default_graph_as_union=True):
        kind, slug = r["kind"].value, r["e"].value.rsplit("/", 1)[-1]
        if kind == "event" and authority.get("event", slug) is None:
            continue  # events dated within one document are not Wikidata items
        section = out.setdefault(kind, {"linked": [], "pending": [], "unlinked": [], "not_in_authority": []})
        label = r["label"].value if r["label"] else slug
        if r["w"] is not None:
            section["linked"].append((slug, label, qid_of(r["w"].value)))
        elif authority.get(kind, slug) is None:
            section["not_in_authority"].append((slug, label))
        elif (kind, slug) in pending:
            section["pending"].append((slug, label))
        else:
            section["unlinked"].append((slug, label))
    for section in out.values():
        for rows in section.values():
            rows.sort()
    return dict(sorted(out.items()))
