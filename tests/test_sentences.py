"""Sentences slice back exactly from the source, and tricky punctuation splits where a reader would."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.readers import read
from converter.sentences import Sentence, split_sentences

from .conftest import LAYOUTS, SEED, layout


def _check_block(source: str, block_text: str, offset: int) -> list[Sentence]:
    """Every sentence slices back, is trimmed and non-empty; together they cover the block."""
    sentences = split_sentences(block_text, offset)
    previous_end = offset
    for s in sentences:
        assert s.text
        assert s.text == s.text.strip()
        assert source[s.start : s.end] == s.text
        assert block_text[s.start - offset : s.end - offset] == s.text
        assert s.start >= previous_end
        assert not block_text[previous_end - offset : s.start - offset].strip()  # only whitespace between
        previous_end = s.end
    assert not block_text[previous_end - offset :].strip()
    return sentences


@pytest.fixture(scope="module")
def seed_doc(seed_text: str):
    return read(seed_text, SEED.name)


def test_every_seed_turn_slices_back(seed_text: str, seed_doc) -> None:
    total = 0
    for turn in seed_doc.turns:
        sentences = _check_block(seed_text, turn.text, turn.span.start)
        assert sentences, turn.text
        total += len(sentences)
    assert total == 91  # reviewed by hand


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_block_slices_back(name: str) -> None:
    text, _ = layout(name)
    doc = read(text, f"{name}.txt")
    for block in (*doc.turns, *doc.paragraphs):
        _check_block(text, block.text, block.span.start)


def _texts(seed_doc, opening: str) -> list[str]:
    """The sentences of the seed turn that opens with ``opening``."""
    (turn,) = [t for t in seed_doc.turns if t.text.startswith(opening)]
    return [s.text for s in split_sentences(turn.text, turn.span.start)]


def test_seed_turns_split_as_a_reader_would(seed_doc) -> None:
    assert _texts(seed_doc, "We have not seen") == [
        "We have not seen each other for quite a while.",
        "When did we meet the last time?",
        "Did Liu Shaoqi and Deng Xiaoping also attend one of our meetings?",
    ]
    assert _texts(seed_doc, "Many young people")[:4] == [
        "Many young people have not lived a bitter life.",
        "(Mao pointed to the interpreter) The Foreign Ministry has been divided into two factions.",
        "The one headed by Wang Zhongqi is an ultra-leftist faction, and has been strongly influenced by anarchism.",
        "(Pointing to the interpreter) He stood at the middle at that time and did not stand on the side of"
        " Wang Zhongqi's ultra-leftist faction.",
    ]
    assert _texts(seed_doc, "As far as those")[1:3] == [
        '"Cure the disease and save the person."',
        "But we certainly should not do the same thing toward the enemy.",
    ]
    assert _texts(seed_doc, "Yes. Because these")[:2] == [
        "Yes.",
        "Because these are airborne divisions, each with 3,000 to 4,000 soldiers, the total number of soldiers is"
        " between 35,000-40,000.",
    ]
    assert _texts(seed_doc, "First, the situation")[3] == (
        "They are also afraid that a pro-Western, Dub...ek-style revisionist may seize power."
    )
    assert "If we include the Romanians and Dub...ek, East European countries are now divided into two groups." in (
        _texts(seed_doc, "Even Tito")
    )


def test_offset_is_added() -> None:
    assert split_sentences("  Yes. No.", 100) == [Sentence("Yes.", 102, 106), Sentence("No.", 107, 110)]


def test_empty_and_blank() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t") == []


TRICKY = [
    # abbreviations
    ("Mr. Smith and Mrs. Jones met Dr. Brown. They talked.",
     ["Mr. Smith and Mrs. Jones met Dr. Brown.", "They talked."]),
    ("Cde. Kapo and Com. Hoxha spoke. It was late.", ["Cde. Kapo and Com. Hoxha spoke.", "It was late."]),
    ("He lived on St. Petersburg Avenue. He left.", ["He lived on St. Petersburg Avenue.", "He left."]),
    ("See No. 5 and Nos. 7-8. Then p. 3, pp. 4-6 and vol. 2. Done.",
     ["See No. 5 and Nos. 7-8.", "Then p. 3, pp. 4-6 and vol. 2.", "Done."]),
    ("No. We cannot agree.", ["No.", "We cannot agree."]),
    ("Big states, e.g. China, and small ones, i.e. Albania, cf. Tito vs. Stalin. Next.",
     ["Big states, e.g. China, and small ones, i.e. Albania, cf. Tito vs. Stalin.", "Next."]),
    ("Tanks, guns, etc. The rest came later.", ["Tanks, guns, etc.", "The rest came later."]),
    ("Relations between the U.S. Government and the U.S.S.R. Foreign Ministry improved.",
     ["Relations between the U.S. Government and the U.S.S.R. Foreign Ministry improved."]),
    ("They want peace with the U.S.S.R. The Americans do not.",
     ["They want peace with the U.S.S.R.", "The Americans do not."]),
    ("On Jan. 5, Feb. 6, Aug. 7, Sept. 8, Oct. 9, Nov. 10 and Dec. 11 they met. Good.",
     ["On Jan. 5, Feb. 6, Aug. 7, Sept. 8, Oct. 9, Nov. 10 and Dec. 11 they met.", "Good."]),
    # initials
    ("Cde. N. S. Khrushchev welcomed him. He smiled.", ["Cde. N. S. Khrushchev welcomed him.", "He smiled."]),
    ("A.Ia. Vyshinsky and J. Andropov came with T.F. Shtykov. Then they left.",
     ["A.Ia. Vyshinsky and J. Andropov came with T.F. Shtykov.", "Then they left."]),
    ("Yu. V. Andropov agreed.", ["Yu. V. Andropov agreed."]),
    ("He called it plan B. The others agreed.", ["He called it plan B.", "The others agreed."]),
    # numbers and times
    ("Output grew by 3.5 percent. We met at 13.30. Then we ate.",
     ["Output grew by 3.5 percent.", "We met at 13.30.", "Then we ate."]),
    ("The talk began at 8:00 p.m. and ended at 10 p.m. Mao then left.",
     ["The talk began at 8:00 p.m. and ended at 10 p.m.", "Mao then left."]),
    ("The conversation began at 9:30 p.m. Present were V.M. Molotov and T.F. Shtykov.",
     ["The conversation began at 9:30 p.m.", "Present were V.M. Molotov and T.F. Shtykov."]),
    ("PYONGYANG, 08. 09. 02. Secret.", ["PYONGYANG, 08. 09. 02.", "Secret."]),
    ("That was in 1964. 3,000 people came.", ["That was in 1964.", "3,000 people came."]),
    ("The questions were: 1. Conference of the parties. 2. Vietnam.",
     ["The questions were: 1. Conference of the parties.", "2. Vietnam."]),
    # ellipses
    ("If we include the Romanians and Dub...ek, Europe is divided.",
     ["If we include the Romanians and Dub...ek, Europe is divided."]),
    ("We thought... But then he came.", ["We thought...", "But then he came."]),
    ("We waited… Nothing happened.", ["We waited…", "Nothing happened."]),
    ("We will see...", ["We will see..."]),
    ("The party [...] The rest is illegible.", ["The party [...] The rest is illegible."]),
    ("He spoke of ... Khrushchev and left.", ["He spoke of ... Khrushchev and left."]),
    # brackets
    ("The problem of which path [socialism or capitalism] wins. Next.",
     ["The problem of which path [socialism or capitalism] wins.", "Next."]),
    ("A bitter life. (Mao pointed to the interpreter) The ministry is big.",
     ["A bitter life.", "(Mao pointed to the interpreter) The ministry is big."]),
    ("He said so. (He laughed.) Then we left.", ["He said so.", "(He laughed.)", "Then we left."]),
    ("The note (see the annex. It is long.) was read. Next.",
     ["The note (see the annex. It is long.) was read.", "Next."]),
    ("[The minutes begin. Present were Mao and Kang.] Mao spoke.",
     ["[The minutes begin. Present were Mao and Kang.]", "Mao spoke."]),
    ("A stray ( bracket. It must not glue. Sentences.", ["A stray ( bracket.", "It must not glue.", "Sentences."]),
    # quotes
    ('We should save them. "Cure the disease and save the person." But not the enemy.',
     ["We should save them.", '"Cure the disease and save the person."', "But not the enemy."]),
    ('He said: "Cure the disease and save the person." But we disagree.',
     ['He said: "Cure the disease and save the person."', "But we disagree."]),
    ("He said: “Yes. We agree.” Then he left.", ["He said: “Yes. We agree.”", "Then he left."]),
    ("Он сказал: «Да. Мы согласны». Потом ушел.", ["Он сказал: «Да. Мы согласны».", "Потом ушел."]),
    ("He called it ‘a farce.’ Nobody laughed.", ["He called it ‘a farce.’", "Nobody laughed."]),
    ('In negating so-called "rumors," they lied. We know.', ['In negating so-called "rumors," they lied.', "We know."]),
    # question and exclamation marks
    ("That many? Yes. Long live the Party! Who knows?", ["That many?", "Yes.", "Long live the Party!", "Who knows?"]),
    ("Why? because he said so.", ["Why? because he said so."]),
    # newlines
    ("They carry out three tasks:\n- to criticise;\n- to take part",
     ["They carry out three tasks:", "- to criticise;", "- to take part"]),
    ("Part one\n1- Each cell counts seven members\n2- The secretary",
     ["Part one", "1- Each cell counts seven members", "2- The secretary"]),
    ("Agenda\n1. Meeting with the press\n2. Dinner", ["Agenda", "1. Meeting with the press", "2. Dinner"]),
    ("First paragraph without a stop\n\nSecond paragraph", ["First paragraph without a stop", "Second paragraph"]),
    ("Remark:\nIn our opinion they are right.", ["Remark:", "In our opinion they are right."]),
    ("the transit continues, and that\n(p. 1)\nthe comrades have asked",
     ["the transit continues, and that\n(p. 1)\nthe comrades have asked"]),
    ("The output was\n1.5 million tons.", ["The output was\n1.5 million tons."]),
    # Cyrillic
    ("Хрущев: Мы благодарны. Праздник прошел. Зачем нужно было стрелять? Ясно.",
     ["Хрущев: Мы благодарны.", "Праздник прошел.", "Зачем нужно было стрелять?", "Ясно."]),
    ("Присутствуют Н. С. Хрущев, М. А. Суслов. Мао говорит.",
     ["Присутствуют Н. С. Хрущев, М. А. Суслов.", "Мао говорит."]),
    ("Это было в 1959 г. в Пекине, тов. Мао и т.е. все. Да.",
     ["Это было в 1959 г. в Пекине, тов. Мао и т.е. все.", "Да."]),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY, ids=[t[:40] for t, _ in TRICKY])
def test_tricky(text: str, expected: list[str]) -> None:
    sentences = _check_block(text, text, 0)
    assert [s.text for s in sentences] == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([
            "Mr.", " ", "\n", "\n\n", ". ", "? ", "...", "…", "(", ")", "[", "]", '"', "“", "”", "«", "»", "He", "said",
            "U.S.", "N.", "3.5", "1. ", "- ", "p.m.", "Хрущев", ":", "'",
        ])
        | st.text(max_size=8),
        max_size=40,
    ),
    st.integers(0, 10_000),
)
def test_random_text_slices_back(parts: list[str], offset: int) -> None:
    text = "".join(parts)
    source = " " * offset + text
    _check_block(source, text, offset)
