"""The full-text index published with the store: SQLite FTS5 over utterance, paragraph and claim text.

None of Oxigraph, rdflib or SPARQL has full-text search, and researchers ask for it
first. The build writes ``search.sqlite`` next to the store: one row per passage
with its document, date and speaker, indexed with diacritics folded ("Dubcek"
finds "Dubček") and ranked by BM25.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Passage", "RANK_MOST", "ranked", "write_index", "update_index", "search", "SearchHit"]

SCHEMA = """
CREATE TABLE passages (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, iri TEXT NOT NULL, doc_id TEXT NOT NULL, doc_title TEXT NOT NULL,
  date TEXT, speaker TEXT, speaker_label TEXT, text TEXT NOT NULL);
CREATE VIRTUAL TABLE passages_fts USING fts5(text, content='passages', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE INDEX passages_doc ON passages(doc_id);
CREATE INDEX passages_speaker ON passages(speaker);
"""


@dataclass(frozen=True)
class Passage:
    kind: str  # utterance, paragraph, claim
    iri: str
    doc_id: str
    doc_title: str
    date: str | None
    speaker: str | None  # person slug
    text: str


@dataclass(frozen=True)
class SearchHit:
    kind: str
    iri: str
    doc_id: str
    doc_title: str
    date: str | None
    speaker: str | None
    speaker_label: str | None
    snippet: str
    score: float | None  # BM25, higher is better; None when the search was too broad to rank


def _staged(path: Path) -> sqlite3.Connection:
    """A connection to an index being written into a release's staging directory: without a rollback journal
    on disk or syncs (a failed build throws the whole staging away; a published one is never written)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = MEMORY")
    con.execute("PRAGMA synchronous = OFF")
    return con


def write_index(path: Path, passages: Iterable[Passage], speaker_labels: dict[str, str]) -> int:
    con = _staged(path)
    try:
        con.executescript(SCHEMA)
        n = 0
        for p in passages:
            con.execute(
                "INSERT INTO passages(kind, iri, doc_id, doc_title, date, speaker, speaker_label, text) VALUES (?,?,?,?,?,?,?,?)",
                (p.kind, p.iri, p.doc_id, p.doc_title, p.date, p.speaker, speaker_labels.get(p.speaker or ""), p.text),
            )
            n += 1
        con.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
        con.commit()
        return n
    finally:
        con.close()


def update_index(path: Path, documents: Iterable[str], passages: Iterable[Passage], speaker_labels: dict[str, str],
                 *, relabel: dict[str, str | None] | None = None) -> int:
    """Replace the rows of ``documents`` in an index written before with ``passages``; relabel speakers.

    An incremental build's index: the same rows as ``write_index`` would write (row ids aside),
    and a speaker whose label changed (it is the name the documents write most) is relabelled:
    those of ``relabel`` (speaker: new label) when the caller knows which changed, else every
    speaker whose label differs from ``speaker_labels`` (a scan of the whole index).
    """
    con = _staged(path)
    try:
        for doc in sorted(set(documents)):
            for rowid, text in con.execute("SELECT id, text FROM passages WHERE doc_id = ?", (doc,)).fetchall():
                con.execute("INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', ?, ?)", (rowid, text))
            con.execute("DELETE FROM passages WHERE doc_id = ?", (doc,))
        n = 0
        for p in passages:
            cur = con.execute(
                "INSERT INTO passages(kind, iri, doc_id, doc_title, date, speaker, speaker_label, text) VALUES (?,?,?,?,?,?,?,?)",
                (p.kind, p.iri, p.doc_id, p.doc_title, p.date, p.speaker, speaker_labels.get(p.speaker or ""), p.text),
            )
            con.execute("INSERT INTO passages_fts(rowid, text) VALUES (?, ?)", (cur.lastrowid, p.text))
            n += 1
        if relabel is None:
            relabel = {speaker: speaker_labels.get(speaker) for speaker, label in con.execute(
                "SELECT DISTINCT speaker, speaker_label FROM passages WHERE speaker IS NOT NULL").fetchall()
                if speaker_labels.get(speaker) != label}
        for speaker, new in sorted(relabel.items()):
            con.execute("UPDATE passages SET speaker_label = ? WHERE speaker = ? AND speaker_label IS NOT ?",
                        (new, speaker, new))
        con.commit()
        return n
    finally:
        con.close()


def _fts_query(q: str) -> str:
    """Words of a user's query as FTS5 terms (quoted, so punctuation cannot break the syntax)."""
    import re

    words = re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*\*?", q)
    return " ".join('"' + w.rstrip("*").replace('"', "") + '"' + ("*" if w.endswith("*") else "") for w in words)


RANK_MOST = 10_000  # most matches ranked by BM25 (15-60 ms at most); a search matching more gives them as indexed
_PAGE_FTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS temp.page USING fts5(text, "
             "tokenize='unicode61 remove_diacritics 2')")  # the index's own tokenizer: the same matches


def ranked(total: int) -> bool:
    """Whether a search with TOTAL matches is ranked by BM25 (else it is in the order the index holds)."""
    return total <= RANK_MOST


def search(path: Path, q: str, *, speaker: str | None = None, document: str | None = None,
           date_from: str | None = None, date_to: str | None = None, kinds: tuple[str, ...] = (),
           limit: int = 20, offset: int = 0) -> tuple[int, list[SearchHit]]:
    """(total matches, one page of hits): best first (BM25) when at most RANK_MOST passages match, else in the
    order they were indexed (by document, then in the document), with no score (``ranked(total)`` tells which).

    Ranking scores every match (about 1.5 microseconds each: 2 s for a word in 1.4 million passages, at
    16,000 documents), so a search for a common word is answered in the index's order instead, which
    FTS5 reads without scoring. Only the page's passages are read, and their snippets are made by FTS5 over
    those passages alone (a temporary in-memory table with the index's tokenizer): asked of the whole index,
    a snippet for a few given rows reads every match of the words first.
    """
    match = _fts_query(q)
    if not match:
        return 0, []
    where: list[str] = []
    args: list = []
    if speaker:
        where.append("(p.speaker = ? OR p.speaker_label = ? COLLATE NOCASE)")
        args += [speaker, speaker]
    if document:
        where.append("p.doc_id = ?")
        args.append(document)
    if date_from:
        where.append("p.date >= ?")
        args.append(date_from)
    if date_to:
        where.append("substr(p.date, 1, ?) <= ?")
        args += [len(date_to), date_to]
    if kinds:
        where.append(f"p.kind IN ({','.join('?' * len(kinds))})")
        args += list(kinds)
    # The matches: from the full-text index alone, or joined to the passages the filters keep.
    matches = ("FROM passages_fts WHERE passages_fts MATCH ?" if not where else
               "FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid WHERE passages_fts MATCH ? AND "
               + " AND ".join(where))
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        total = con.execute(f"SELECT COUNT(*) {matches}", [match, *args]).fetchone()[0]
        if ranked(total):
            sql = (f"SELECT passages_fts.rowid, bm25(passages_fts) {matches} "
                   f"ORDER BY bm25(passages_fts), passages_fts.rowid LIMIT ? OFFSET ?")
        else:
            sql = f"SELECT passages_fts.rowid, NULL {matches} ORDER BY passages_fts.rowid LIMIT ? OFFSET ?"
        scores = dict(con.execute(sql, [match, *args, limit, offset]).fetchall())
        marks = ",".join("?" * len(scores))
        rows = {r[0]: r[1:] for r in con.execute(
            f"SELECT id, kind, iri, doc_id, doc_title, date, speaker, speaker_label, text FROM passages "
            f"WHERE id IN ({marks})", list(scores))}
        con.execute(_PAGE_FTS)
        con.executemany("INSERT INTO temp.page(rowid, text) VALUES (?, ?)", ((i, r[-1]) for i, r in rows.items()))
        snippets = dict(con.execute("SELECT rowid, snippet(page, 0, '\x02', '\x03', '…', 24) FROM temp.page "
                                    "WHERE page MATCH ?", [match]))
    finally:
        con.close()
    return total, [SearchHit(*rows[i][:7], snippet=snippets.get(i, ""), score=None if s is None else -s)
                   for i, s in scores.items() if i in rows]
