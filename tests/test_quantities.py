"""Quantities: numbers, ranges, bounds, hedges and units — and the numbers that are not amounts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.quantities import Quantity, find_quantities
from converter.readers import read
from converter.sentences import split_sentences

from .conftest import LAYOUTS, SEED, layout

INF = None  # an open side

# (sentence, [(text, min, max, unit, lower_exclusive, upper_exclusive, approximate), ...])
CASES = [
    # --- from the seed
    ("The Foreign Ministry is a big department, with more than 3,000 people working there.",
     [("more than 3,000 people", 3000, INF, "people", True, False, False)]),
    ("Downsize it by ninety percent.", [("ninety percent", 90, 90, "percent", False, False, False)]),
    ("Among the ambassadors we dispatched to your country, two are bad.", [("two", 2, 2, None, False, False, False)]),
    ("The Italian ambassador to Bulgaria revealed to us that the Soviet Union has nine to ten airborne divisions"
     " in Bulgaria.",
     [("nine to ten airborne divisions", 9, 10, "airborne division", False, False, False)]),
    ("Because these are airborne divisions, each with 3,000 to 4,000 soldiers, the total number of soldiers is between "
     "35,000-40,000.",
     [("3,000 to 4,000 soldiers", 3000, 4000, "soldier", False, False, False),
      ("between 35,000-40,000", 35000, 40000, "soldier", False, False, False)]),
    ("The Foreign Ministry has been divided into two factions.",
     [("two factions", 2, 2, "faction", False, False, False)]),
    ("East European countries are now divided into two groups.", [("two groups", 2, 2, "group", False, False, False)]),
    ("That was in 1964.", []),
    ("The last time I met with you was in February 1967, that is, twenty months ago.", []),
    ("Did Liu Shaoqi and Deng Xiaoping also attend one of our meetings?", []),
    ("The one headed by Wang Zhongqi is an ultra-leftist faction.", []),
    ("One issued an anti-Communist statement in the newspaper, and the other surrendered.", []),
    ("A revolutionization movement like this one will provide good education to the youth.", []),
    ("In the past, until the first half of this year, the students were the vanguards.", []),
    # --- from the layout fixtures
    ("We therefore ask you to examine whether the Soviet Union could deliver an additional 120,000 tons of"
     " rolled steel and 300,000 tons of fodder grain in the first quarter of 1962.",
     [("120,000 tons", 120000, 120000, "ton", False, False, False),
      ("300,000 tons", 300000, 300000, "ton", False, False, False)]),
    ("The sum comes to 150 million rubles over three years.",
     [("150 million rubles", 150_000_000, 150_000_000, "ruble", False, False, False),
      ("three years", 3, 3, "year", False, False, False)]),
    ("The questions were taken up during roughly six hours of talks.",
     [("roughly six hours", 6, 6, "hour", False, False, True)]),
    ("The consultations took place in a friendly atmosphere over six days.",
     [("six days", 6, 6, "day", False, False, False)]),
    ("1- Each cell counts between three and seven members.",
     [("between three and seven members", 3, 7, "member", False, False, False)]),
    ("Nine comrades, from the cooperatives, the textile mills and the schools.",
     [("Nine comrades", 9, 9, "comrade", False, False, False)]),
    ("A delegation stayed in Pyongyang from March 9 to 13.", []),
    ("They stayed in Moscow between February 27 and March 3.", []),
    ("Date and Time: Apr. 12, 1973 14:00-15:40", []),
    ("The Chairman joined the conversation at 4:15 p.m.", []),
    ("Created by Kovács 11.20", []),
    ("PYONGYANG, 79. 03. 14.", []),
    ("Part two: Methods of work.", []),
    ("Cells in one district report to a district committee.",
     [("one district", 1, 1, "district", False, False, False)]),
    # --- invented: ranges
    ("A 4-5 member delegation will come.", [("4-5 member", 4, 5, "member", False, False, False)]),
    ("They moved from 200 to 300 tanks to the border.",
     [("from 200 to 300 tanks", 200, 300, "tank", False, False, False)]),
    ("We need two or three days.", [("two or three days", 2, 3, "day", False, False, False)]),
    ("It will cost 3 to 4 million rubles.",
     [("3 to 4 million rubles", 3_000_000, 4_000_000, "ruble", False, False, False)]),
    ("About 3,000-4,000 people came.", [("About 3,000-4,000 people", 3000, 4000, "people", False, False, True)]),
    # --- invented: bounds and hedges
    ("At least 5 divisions are ready.", [("At least 5 divisions", 5, INF, "division", False, False, False)]),
    ("Less than ten countries voted.", [("Less than ten countries", INF, 10, "country", False, True, False)]),
    ("Fewer than 200 delegations attended.",
     [("Fewer than 200 delegations", INF, 200, "delegation", False, True, False)]),
    ("They can send up to 40,000 men.", [("up to 40,000 men", INF, 40000, "man", False, False, False)]),
    ("Almost 3,000 people left.", [("Almost 3,000 people", INF, 3000, "people", False, True, True)]),
    ("Over 90 per cent of them agreed.", [("Over 90 per cent", 90, INF, "percent", True, False, False)]),
    ("He stayed for over three years.", [("over three years", 3, INF, "year", True, False, False)]),
    ("About 90% of the peasants joined.", [("About 90%", 90, 90, "percent", False, False, True)]),
    ("Approximately 3 000 soldiers and around twenty-five tanks crossed.",
     [("Approximately 3 000 soldiers", 3000, 3000, "soldier", False, False, True),
      ("around twenty-five tanks", 25, 25, "tank", False, False, True)]),
    ("Some 300 trained soldiers arrived.",
     [("Some 300 trained soldiers", 300, 300, "trained soldier", False, False, True)]),
    ("We talked about two problems.", [("two problems", 2, 2, "problem", False, False, False)]),
    ("3,000 or more soldiers are there.", [("3,000 or more soldiers", 3000, INF, "soldier", False, False, False)]),
    ("There are 3,000-odd advisers.", [("3,000-odd advisers", 3000, 3000, "adviser", False, False, True)]),
    # --- invented: number words and digits
    ("Three hundred delegates and two thousand guests came.",
     [("Three hundred delegates", 300, 300, "delegate", False, False, False),
      ("two thousand guests", 2000, 2000, "guest", False, False, False)]),
    ("A hundred trucks and a thousand workers were sent.",
     [("A hundred trucks", 100, 100, "truck", False, False, False),
      ("a thousand workers", 1000, 1000, "worker", False, False, False)]),
    ("Two hundred and fifty thousand men were mobilized.",
     [("Two hundred and fifty thousand men", 250_000, 250_000, "man", False, False, False)]),
    ("Output rose by 3.5 percent, or 1.2 million tons.",
     [("3.5 percent", 3.5, 3.5, "percent", False, False, False),
      ("1.2 million tons", 1_200_000, 1_200_000, "ton", False, False, False)]),
    ("A 10-day visit by a three-party delegation.",
     [("10-day", 10, 10, "day", False, False, False), ("three-party", 3, 3, "party", False, False, False)]),
    ("Fifteen countries, ninety ambassadors and eleven ministries signed.",
     [("Fifteen countries", 15, 15, "country", False, False, False),
      ("ninety ambassadors", 90, 90, "ambassador", False, False, False),
      ("eleven ministries", 11, 11, "ministry", False, False, False)]),
    ("They have one Soviet division there.", [("one Soviet division", 1, 1, "Soviet division", False, False, False)]),
    ("3,000 more soldiers arrived.", [("3,000 more soldiers", 3000, 3000, "soldier", False, False, False)]),
    ("About 2000 soldiers crossed.", [("About 2000 soldiers", 2000, 2000, "soldier", False, False, True)]),
    ("The loan is $5 million.", [("$5 million", 5_000_000, 5_000_000, "dollar", False, False, False)]),
    ("3 000 человек пришли.", [("3 000 человек", 3000, 3000, "человек", False, False, False)]),
    # --- invented: not amounts
    ("The 22nd Congress and the 6th Congress met in the first half of the decade.", []),
    ("1- To abolish the old customs.", []),
    ("1. Meeting with the press.", []),
    ("The talks lasted from 10:15-12:20 and resumed at 13.30.", []),
    ("The meeting began at 8:00 p.m. and ended at 10 p.m.", []),
    ("On September 1 and on 4 September 1962 they met.", []),
    ("PYONGYANG, 08. 09. 02.", []),
    ("The 1967 plans were revised in 1968 and again since 1970.", []),
    ("Between 1961-1962 nothing changed.", []),
    ("See p. 5, pp. 34-35, No. 3 and vol. 2.", []),
    ("– 157 –", []),
    ("[1] Vito Kapo was at that time chairwoman.", []),
    ("Archive 110-01789-04, J IV 2/202/131, f. 52, op. 1, d. 512, ll. 4-19.", []),
    ("T-34 tanks and MiG-21 fighters.", []),
    ("In the 1960s they met one another, and no one knew.", []),
    ("One can say that one must wait.", []),
    ("Article 5 of Chapter three applies.", []),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_quantities(sentence: str, expected: list[tuple]) -> None:
    found = find_quantities(sentence)
    for q in found:
        assert sentence[q.start : q.end] == q.text
    got = [(q.text, q.min, q.max, q.unit, q.lower_exclusive, q.upper_exclusive, q.approximate) for q in found]
    assert got == expected


def test_offset_is_added_and_types() -> None:
    (q,) = find_quantities("with more than 3,000 people", 1000)
    assert q == Quantity(3000, None, "people", True, False, False, "more than 3,000 people", 1005, 1027)
    assert isinstance(q.min, int)
    (d,) = find_quantities("3.5 percent")
    assert isinstance(d.min, float) and d.min == 3.5


def test_seed_quantities(seed_text: str) -> None:
    doc = read(seed_text, SEED.name)
    found = []
    for turn in doc.turns:
        for sent in split_sentences(turn.text, turn.span.start):
            for q in find_quantities(sent.text, sent.start):
                assert seed_text[q.start : q.end] == q.text
                assert sent.start <= q.start < q.end <= sent.end
                found.append((q.text, q.min, q.max, q.unit))
    assert found == [
        ("two possibilities", 2, 2, "possibility"),
        ("two factions", 2, 2, "faction"),
        ("more than 3,000 people", 3000, None, "people"),
        ("ninety percent", 90, 90, "percent"),
        ("3,000 people", 3000, 3000, "people"),
        ("two", 2, 2, None),
        ("nine to ten airborne divisions", 9, 10, "airborne division"),
        ("3,000 to 4,000 soldiers", 3000, 4000, "soldier"),
        ("between 35,000-40,000", 35000, 40000, "soldier"),
        ("two groups", 2, 2, "group"),
    ]


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_quantities_slice_back(name: str) -> None:
    text, _ = layout(name)
    doc = read(text, f"{name}.txt")
    for block in (*doc.turns, *doc.paragraphs):
        for sent in split_sentences(block.text, block.span.start):
            for q in find_quantities(sent.text, sent.start):
                assert text[q.start : q.end] == q.text
                assert q.min is None or q.max is None or q.min <= q.max


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([
            " ", "3,000", "35,000-40,000", "3 000", "3.5", "13.30", "10:15", "nine", "to", "ten", "twenty-five", "a",
            "hundred", "and", "thousand", "million", "between", "more than", "about", "up to", "percent", "%",
            "soldiers", "divisions", "one", "of", "1964", "February", "-", "–", "(", ")", "[", "]", ".", ",", "$",
            "or", "more", "so", "-odd", "+", "p.", "No.", "\n",
        ])
        | st.text(max_size=6),
        max_size=30,
    ),
    st.integers(0, 10_000),
)
def test_random_text_slices_back(parts: list[str], offset: int) -> None:
    sentence = "".join(parts)
    previous_end = offset
    for q in find_quantities(sentence, offset):
        assert sentence[q.start - offset : q.end - offset] == q.text
        assert q.start >= previous_end and q.end > q.start
        previous_end = q.end
        assert q.min is None or q.max is None or q.min <= q.max
        assert q.min is not None or q.max is not None


@pytest.mark.parametrize(("text", "value"), [("4 mıllion troops", "4000000"), ("2 thouſand men", "2000"),
                                             ("3 bıllion dollars", "3000000000")])
def test_a_scale_word_with_a_letter_re_i_folds_into_ascii_is_that_scale(text, value):
    """Damaged or odd text that the pattern matches is a quantity, never a crash (it was a KeyError)."""
    assert [str(q.min) for q in find_quantities(text)] == [value]
