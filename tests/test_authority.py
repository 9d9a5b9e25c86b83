"""Authority data: every QID carries the evidence it was checked against, and the state of its time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from converter.authority import EVIDENCE_FILE, AuthorityError, load_authority

from .conftest import ROOT

AUTHORITY = ROOT / "seeds" / "authority"


def test_every_qid_has_its_evidence() -> None:
    auth = load_authority(AUTHORITY)
    linked = [e for e in auth.entities.values() if e.wikidata]
    assert len(linked) == len(auth.evidence) > 100
    for e in linked:
        ev = auth.evidence[(e.kind, e.id)]
        assert ev.qid == e.wikidata and ev.source and ev.label, e.id


@pytest.mark.parametrize(("place", "words"), [
    # Historical states get the item of their time; the evidence names that item.
    ("yugoslavia", "Socialist Federal Republic"),
    ("czechoslovakia", "Socialist Republic"),
    ("east-germany", "German Democratic Republic"),
    ("bulgaria", "People's Republic"),
    ("poland", "People's Republic"),
    ("albania", "Socialist Republic"),
    ("soviet-union", "Soviet"),
    ("kazakhstan", "Soviet Socialist Republic"),
])
def test_historical_states_get_the_item_of_their_time(place: str, words: str) -> None:
    auth = load_authority(AUTHORITY)
    assert words in auth.evidence[("place", place)].label


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "authority"
    shutil.copytree(AUTHORITY, target)
    return target


def _set_qid(directory: Path, file: str, id_: str, qid: str) -> int:
    path = directory / file
    lines = path.read_text(encoding="utf-8").splitlines()
    col = lines[0].split(",").index("wikidata")
    for n, line in enumerate(lines):
        if line.startswith(id_ + ","):
            cells = line.split(",")
            cells[col] = qid
            lines[n] = ",".join(cells)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return n + 1
    raise AssertionError(id_)


def test_a_qid_without_evidence_is_refused_with_its_line(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    line = _set_qid(directory, "persons.csv", "beqir-balluku", "Q999999")
    with pytest.raises(AuthorityError) as err:
        load_authority(directory)
    assert f"persons.csv:{line}: person beqir-balluku has Q999999 but {EVIDENCE_FILE} has no evidence" in str(err.value)


def test_evidence_for_another_qid_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _set_qid(directory, "places.csv", "bulgaria", "Q219")  # the modern state, not the one the evidence is for
    with pytest.raises(AuthorityError) as err:
        load_authority(directory)
    assert f"{EVIDENCE_FILE}:" in str(err.value) and "gives place bulgaria Q219" in str(err.value)


@pytest.mark.parametrize(("row", "message"), [
    ("person,nobody-at-all,Q1,src,label,,", "there is no person 'nobody-at-all'"),
    ("event,prague-spring,Q162401,src,Prague Spring,,", "a second evidence row"),
    ("event,korean-war,Q8663,,Korean War,,", "evidence for Q8663 needs its source"),
])
def test_bad_evidence_rows_are_refused(tmp_path: Path, row: str, message: str) -> None:
    directory = _copy(tmp_path)
    path = directory / EVIDENCE_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text + row + "\n", encoding="utf-8")
    with pytest.raises(AuthorityError) as err:
        load_authority(directory)
    line = len(text.splitlines()) + 1
    assert f"{EVIDENCE_FILE}:{line}: {message}" in str(err.value)
