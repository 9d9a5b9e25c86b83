#!/usr/bin/env python3
"""Generate a synthetic corpus of Wilson Center Digital Archive text exports.

The documents imitate the layouts of the real exports (see
``shared/corpus/manifest.json``) but every sentence is produced from an
invented grammar and an invented vocabulary of ~200 people, so the corpus can
be used freely as benchmark input for ``archivekg build``.

Layouts produced (approximate shares):

* ``seed``      -- ``**Name:**`` turns, all sections (Citation with a numeric
                   ``http://digitalarchive.wilsoncenter.org/document/<id>`` URL,
                   Summary, Original Language, Contents); sometimes Credits.
* ``side``      -- ``North (KIM):`` style labels after a ``Date and Time:`` /
                   ``Location:`` / ``Participants:`` header block.
* ``comrade``   -- no sections at all, ``Comrade Full Name:`` turns.
* ``upper``     -- UPPERCASE labels with inconsistent separators
                   (``NAME.``, ``NAME:``, ``N. S. NAME`` running into the text),
                   narrative and unlabeled continuation paragraphs.
* ``reported``  -- reported speech only (``X asks whether ...``), with a
                   bracketed editorial header.
* ``letter``    -- letters as paragraphs (mostly blank-line separated).
* ``telegram``  -- cipher telegrams, one line per paragraph (single newlines),
                   header fields and routing lists.
* ``report``    -- reports/memoranda with numbered agendas, ``Part one:``
                   headings, ``1- `` lists and ``(p. N)`` page markers.

Dates have day (``November 03, 1972`` / ``October 9, 1964``), month
(``August 1961``) or year (``1950``) precision.

The output is deterministic for a given ``--seed``; the first N documents of
a larger corpus are identical to a corpus of N documents with the same seed.
Standard library only.

Usage::

    python bench/generate_corpus.py OUT_DIR --documents 16000 --seed 1
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 1
VOCAB_SEED = "archivekg-bench-vocabulary-v1"   # the vocabulary never depends on --seed
FIRST_ID = 110000

LAYOUT_WEIGHTS = [
    ("seed", 30),
    ("side", 9),
    ("comrade", 12),
    ("upper", 10),
    ("reported", 10),
    ("letter", 10),
    ("telegram", 9),
    ("report", 10),
]

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
MONTH_ABBR = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.",
              "Sept.", "Oct.", "Nov.", "Dec."]
ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh",
            "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth"]
ORD_NUM = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th",
           "10th", "11th", "12th", "20th", "22nd"]


# --------------------------------------------------------------------------
# Vocabulary: countries (real), places (real), people (invented)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Country:
    key: str
    name: str          # "the Soviet Union"
    adj: str           # "Soviet"
    language: str
    party: str         # long party name
    party_short: str
    cities: tuple[str, ...]
    archive: tuple[str, ...]
    style: str         # name style: western, russian, chinese, korean, viet


COUNTRIES: list[Country] = [
    Country("su", "the Soviet Union", "Soviet", "Russian",
            "Communist Party of the Soviet Union", "CPSU",
            ("Moscow", "Leningrad", "Kiev", "Vladivostok", "Tashkent"),
            ("Archive of the Foreign Policy of the Russian Federation",
             "Russian State Archive of Contemporary History",
             "Russian State Archive of Socio-Political History"), "russian"),
    Country("cn", "China", "Chinese", "Chinese",
            "Chinese Communist Party", "CCP",
            ("Beijing", "Shanghai", "Guangzhou", "Wuhan", "Shenyang"),
            ("Chinese Foreign Ministry Archive", "Chinese Communist Party Central Archives (CCA)",
             "Jiangsu Provincial Archives"), "chinese"),
    Country("kp", "the DPRK", "Korean", "Korean",
            "Workers' Party of Korea", "KWP",
            ("Pyongyang", "Wonsan", "Kaesong", "Hamhung"),
            ("South Korean Foreign Ministry Archive", "Korean Central History Archive"), "korean"),
    Country("kr", "the Republic of Korea", "South Korean", "Korean",
            "Democratic Republican Party", "DRP",
            ("Seoul", "Busan"),
            ("South Korean Foreign Ministry Archive", "National Archives of Korea"), "korean"),
    Country("vn", "the Democratic Republic of Vietnam", "Vietnamese", "Vietnamese",
            "Vietnam Workers' Party", "VWP",
            ("Hanoi", "Haiphong", "Saigon"),
            ("Vietnam National Archives Center No. 3",), "viet"),
    Country("hu", "Hungary", "Hungarian", "Hungarian",
            "Hungarian Socialist Workers' Party", "HSWP",
            ("Budapest", "Debrecen"),
            ("Hungarian National Archives (MOL)", "Hungarian Foreign Ministry Archive"), "western"),
    Country("dd", "the GDR", "East German", "German",
            "Socialist Unity Party of Germany", "SED",
            ("Berlin", "Leipzig", "Rostock"),
            ("SED Archives, IfGA, ZPA", "Political Archive of the Federal Foreign Office"), "western"),
    Country("al", "Albania", "Albanian", "Albanian",
            "Party of Labour of Albania", "PLA",
            ("Tirana", "Durres"),
            ("Central State Archive, Tirana", "Albanian State Archive"), "western"),
    Country("pl", "Poland", "Polish", "Polish",
            "Polish United Workers' Party", "PUWP",
            ("Warsaw", "Gdansk"),
            ("Archive of Modern Records (AAN)", "Polish Foreign Ministry Archive"), "western"),
    Country("cs", "Czechoslovakia", "Czechoslovak", "Czech",
            "Communist Party of Czechoslovakia", "KSC",
            ("Prague", "Bratislava"),
            ("National Archive, Prague", "Czech Foreign Ministry Archive"), "western"),
    Country("ro", "Romania", "Romanian", "Romanian",
            "Romanian Communist Party", "RCP",
            ("Bucharest", "Constanta"),
            ("Romanian National Archives",), "western"),
    Country("bg", "Bulgaria", "Bulgarian", "Bulgarian",
            "Bulgarian Communist Party", "BCP",
            ("Sofia", "Varna"),
            ("Central State Archive, Sofia", "Bulgarian Foreign Ministry Archive"), "western"),
    Country("cu", "Cuba", "Cuban", "Spanish",
            "Communist Party of Cuba", "PCC",
            ("Havana",),
            ("Cuban Ministry of Foreign Relations Archive",), "western"),
    Country("lb", "Lebanon", "Lebanese", "Arabic",
            "Lebanese Communist Party", "LCP",
            ("Beirut", "Tripoli"),
            ("Middle East Centre Archive, St Antony's College, Oxford",), "western"),
    Country("us", "the United States", "American", "English",
            "Department of State", "DoS",
            ("Washington", "New York"),
            ("National Archives and Records Administration", "Gerald R. Ford Presidential Library"),
            "western"),
]
COUNTRY_BY_KEY = {c.key: c for c in COUNTRIES}
# relative weights of countries in the person vocabulary
COUNTRY_PEOPLE = {"su": 34, "cn": 26, "kp": 20, "kr": 8, "vn": 12, "hu": 14, "dd": 14,
                  "al": 12, "pl": 10, "cs": 10, "ro": 8, "bg": 8, "cu": 8, "lb": 6, "us": 10}
NEUTRAL_PLACES = ("Geneva", "Vienna", "Helsinki", "Belgrade", "Ulaanbaatar", "Jakarta",
                  "New Delhi", "Tokyo", "Paris", "London", "Cairo")
PLACES: tuple[str, ...] = tuple(c for co in COUNTRIES for c in co.cities) + NEUTRAL_PLACES

NAME_PARTS = {
    "russian": {
        "given": ["Aleksei", "Boris", "Vadim", "Gennady", "Dmitri", "Yevgeny", "Igor",
                  "Konstantin", "Matvei", "Nikolai", "Oleg", "Pavel", "Roman", "Semyon",
                  "Stepan", "Timofei", "Fyodor", "Viktor", "Yuri", "Arkady", "Grigory",
                  "Anatoly", "Valentin", "Ilya"],
        "patr": "AVGDMINOPSFTKL",
        "stem": ["Bel", "Dorog", "Krasil", "Lapt", "Mel", "Nov", "Orl", "Panf", "Rud",
                 "Sedykh", "Tarak", "Volyn", "Zhar", "Gorb", "Kolt", "Shum", "Yermol",
                 "Pylaev", "Sukhar", "Vetrov", "Kuzmin", "Lebed", "Tokar", "Polev"],
        "suffix": ["ov", "enko", "in", "sky", "ev", "ichev", "nikov", "yakin", "ovsky"],
    },
    "chinese": {
        "surname": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu",
                    "Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo",
                    "Liang", "Song", "Zheng", "Xie", "Han", "Tang", "Feng", "Dong", "Xiao",
                    "Cao", "Yuan", "Fu", "Shen", "Peng", "Jiang", "Cai", "Ding", "Xue", "Pan"],
        "syl": ["jian", "hong", "wei", "ming", "guo", "hua", "zhi", "qing", "yong", "jun",
                "lin", "shan", "de", "xiu", "chang", "bao", "tian", "feng", "ping", "rong",
                "sheng", "wen", "yun", "zhong", "kai", "tao", "xin", "bo"],
    },
    "korean": {
        "surname": ["Kim", "Ri", "Pak", "Choe", "Jeong", "Kang", "Cho", "Yun", "Jang", "Im",
                    "Han", "O", "Seo", "Sin", "Kwon", "Hwang", "Ahn", "Song", "Ryu", "Hong",
                    "Lee", "Chang", "Choi", "Jung"],
        "syl": ["seong", "hyeon", "cheol", "yeong", "ho", "min", "jun", "gyu", "sik", "su",
                "chan", "dong", "il", "hui", "uk", "tae", "sang", "gi", "man", "nam",
                "bong", "rak", "hwan", "ju"],
    },
    "viet": {
        "surname": ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui",
                    "Do", "Ngo", "Duong", "Ly", "Dinh"],
        "middle": ["Van", "Duc", "Huu", "Xuan", "Quoc", "Thanh", "Dinh", "Cong"],
        "given": ["Thanh", "Binh", "Minh", "Hai", "Long", "Tuan", "Quang", "Son", "Hung",
                  "Dung", "Khanh", "Phuc", "Tam", "Loc", "Vinh", "Thuan"],
    },
    "hu": {"given": ["Zoltan", "Laszlo", "Istvan", "Ferenc", "Gyula", "Sandor", "Imre", "Bela",
                     "Tibor", "Miklos", "Karoly", "Jeno", "Lajos", "Dezso", "Geza", "Endre"],
           "surname": ["Bartos", "Csanadi", "Dobrai", "Erdodi", "Fazekas", "Gombos", "Halmos",
                       "Jakab", "Kelemen", "Lakatos", "Markus", "Nadasdi", "Orosz", "Palfi",
                       "Racz", "Somogyi", "Takacs", "Vadasz", "Zentai", "Berczik", "Farkasdi"]},
    "dd": {"given": ["Horst", "Werner", "Gunter", "Kurt", "Heinz", "Karl", "Hans", "Otto",
                     "Fritz", "Walter", "Helmut", "Gerhard", "Manfred", "Rudolf", "Joachim"],
           "surname": ["Brandauer", "Kessler", "Lindemann", "Moller", "Neubert", "Pfeiffer",
                       "Reinhold", "Schaefer", "Steinbach", "Topfer", "Vogler", "Winkler",
                       "Zeller", "Hoffmeister", "Grabner", "Ebersbach", "Kuntzsch"]},
    "al": {"given": ["Agim", "Besnik", "Dritan", "Fatmir", "Gjergj", "Ilir", "Kujtim",
                     "Lulzim", "Nexhat", "Petrit", "Qemal", "Rexhep", "Shpetim", "Ymer",
                     "Sokol", "Bardhyl"],
           "surname": ["Dervishi", "Gjoka", "Hoxholli", "Kapllani", "Leka", "Marku", "Ndreu",
                       "Prifti", "Shehaj", "Toska", "Vrioni", "Xhafa", "Zeqiri", "Bregu",
                       "Lacaj", "Mucaj"]},
    "pl": {"given": ["Jerzy", "Tadeusz", "Zbigniew", "Wladyslaw", "Stanislaw", "Jan", "Jozef",
                     "Ryszard", "Kazimierz", "Wieslaw"],
           "surname": ["Kowalczyk", "Nowicki", "Wroblewski", "Zielinski", "Dabrowa",
                       "Jablonski", "Pietrzak", "Sobczak", "Krawczyk", "Lisowski"]},
    "cs": {"given": ["Bohumil", "Jiri", "Vladimir", "Miroslav", "Vaclav", "Ladislav",
                     "Oldrich", "Zdenek", "Frantisek"],
           "surname": ["Kratochvil", "Novotny", "Prochazka", "Vesely", "Dvorak", "Hruska",
                       "Pospisil", "Benes", "Mracek", "Slavik"]},
    "ro": {"given": ["Ion", "Gheorghe", "Vasile", "Mihai", "Constantin", "Dumitru", "Petre",
                     "Emil"],
           "surname": ["Popescu", "Ionescu", "Dragomir", "Munteanu", "Stanciu", "Vladescu",
                       "Bratianu", "Oprea"]},
    "bg": {"given": ["Todor", "Georgi", "Dimitar", "Petar", "Stoyan", "Lyubomir", "Krum",
                     "Nikola"],
           "surname": ["Petkov", "Stoyanov", "Dimitrov", "Velchev", "Angelov", "Marinov",
                       "Kostadinov", "Hristov"]},
    "cu": {"given": ["Manuel", "Jorge", "Osvaldo", "Armando", "Anibal", "Carlos", "Ramiro",
                     "Faustino", "Rolando"],
           "surname": ["Valdes", "Quintana", "Rojas", "Olivares", "Machado", "Barrios",
                       "Ferrer", "Estrada", "Sotolongo"]},
    "lb": {"given": ["Khalil", "Farid", "Sami", "Adel", "Karim", "Walid", "Youssef", "Salim",
                     "Nabil"],
           "surname": ["Haddad", "Khoury", "Saleh", "Nassar", "Mansour", "Karam", "Azar",
                       "Daher", "Sfeir"]},
    "us": {"given": ["Robert", "William", "Richard", "Thomas", "Charles", "Edward", "Howard",
                     "Frederick", "Lawrence"],
           "surname": ["Whitfield", "Harrington", "Ellsworth", "Pembroke", "Caldwell",
                       "Marbury", "Thornton", "Ashcroft", "Brewster", "Kendrick"]},
}

TITLES = {
    "su": ["First Secretary of the CPSU CC", "Chairman of the USSR Council of Ministers",
           "Minister of Foreign Affairs of the USSR", "USSR Ambassador to {host}",
           "Deputy Minister of Foreign Affairs", "Secretary of the CPSU CC",
           "Head of the International Department of the CPSU CC", "Marshal of the Soviet Union",
           "Counsellor of the USSR Embassy in {hostcity}", "Deputy Chairman of Gosplan"],
    "default": ["First Secretary of the {party_short} CC", "Chairman of the Council of Ministers",
                "Minister of Foreign Affairs", "Ambassador to {host}", "Deputy Premier",
                "Secretary of the Central Committee", "Member of the Politburo",
                "Minister of Defence", "Chairman of the State Planning Committee",
                "Head of the International Department", "Chargé d'Affaires in {hostcity}",
                "Deputy Minister of Foreign Trade", "Chief of the General Staff",
                "First Secretary of the Embassy in {hostcity}", "Deputy Head of Department"],
    "us": ["Secretary of State", "Assistant Secretary of State", "Ambassador to {host}",
           "National Security Adviser", "Deputy Chief of Mission in {hostcity}",
           "Counselor of the Department of State"],
}
HONORIFIC = {"Marshal": "Marshal", "Ambassador": "Ambassador", "Minister": "Minister",
             "Chairman": "Chairman", "Premier": "Premier", "Secretary": "Secretary"}


@dataclass
class Person:
    pid: int
    country: Country
    given: str
    surname: str
    style: str
    title: str
    patronymic: str = ""   # initial, russian names only
    honorific: str = ""

    @property
    def full(self) -> str:
        if self.style in ("chinese", "korean"):
            return f"{self.surname} {self.given}"
        if self.style == "viet":
            return f"{self.surname} {self.given}"
        return f"{self.given} {self.surname}"

    @property
    def short(self) -> str:
        """Form used when a speaker is referred to briefly."""
        if self.style in ("chinese", "viet"):
            return self.full
        return self.surname

    @property
    def initials(self) -> str:
        if self.style == "russian":
            return f"{self.given[0]}. {self.patronymic}. {self.surname}"
        if self.style in ("chinese", "korean", "viet"):
            return self.full
        return f"{self.given[0]}. {self.surname}"

    @property
    def upper_surname(self) -> str:
        return self.surname.upper()

    @property
    def listed(self) -> str:
        """Participant-list form: 'KIM Seong-cheol' / 'PETROV Ivan'."""
        if self.style in ("chinese", "korean", "viet"):
            return f"{self.surname.upper()} {self.given}"
        return f"{self.surname.upper()} {self.given}"


def _build_people() -> list[Person]:
    rng = random.Random(VOCAB_SEED)
    people: list[Person] = []
    seen: set[str] = set()
    keys = list(COUNTRY_PEOPLE)
    for key in keys:
        country = COUNTRY_BY_KEY[key]
        style = country.style
        parts = NAME_PARTS.get(style) or NAME_PARTS.get(key)
        if parts is None:
            parts = NAME_PARTS[key]
        n = COUNTRY_PEOPLE[key]
        tries = 0
        made = 0
        while made < n and tries < 10000:
            tries += 1
            patr = ""
            if style == "russian":
                given = rng.choice(parts["given"])
                surname = rng.choice(parts["stem"]) + rng.choice(parts["suffix"])
                surname = surname.replace("ovov", "ov").replace("ovev", "ev")
                patr = rng.choice(parts["patr"])
            elif style == "chinese":
                surname = rng.choice(parts["surname"])
                a, b = rng.sample(parts["syl"], 2)
                given = (a + b).capitalize() if rng.random() < 0.85 else a.capitalize()
            elif style == "korean":
                surname = rng.choice(parts["surname"])
                a, b = rng.sample(parts["syl"], 2)
                given = f"{a.capitalize()}-{b}" if rng.random() < 0.8 else f"{a.capitalize()} {b.capitalize()}"
            elif style == "viet":
                surname = rng.choice(parts["surname"])
                given = f"{rng.choice(parts['middle'])} {rng.choice(parts['given'])}"
            else:
                given = rng.choice(parts["given"])
                surname = rng.choice(parts["surname"])
            key_name = f"{given}|{surname}"
            # keep surnames mostly distinct within a country so that labels are unambiguous
            if key_name in seen:
                continue
            if style not in ("chinese", "korean", "viet") and any(
                    p.surname == surname and p.country is country for p in people):
                continue
            seen.add(key_name)
            host = rng.choice([c for c in COUNTRIES if c is not country])
            tmpl_list = TITLES.get(key, TITLES["default"])
            title = rng.choice(tmpl_list).format(
                host=host.name.replace("the ", "", 1) if host.name.startswith("the ") else host.name,
                hostcity=rng.choice(host.cities), party_short=country.party_short)
            hon = ""
            for word, h in HONORIFIC.items():
                if title.startswith(word) or f" {word} " in f" {title} ".split(" of")[0]:
                    hon = h
                    break
            people.append(Person(len(people), country, given, surname, style, title, patr, hon))
            made += 1
    return people


PEOPLE: list[Person] = _build_people()
PEOPLE_BY_COUNTRY: dict[str, list[Person]] = {}
for _p in PEOPLE:
    PEOPLE_BY_COUNTRY.setdefault(_p.country.key, []).append(_p)
# Zipf-like popularity so that some people recur in many documents
_pop_rng = random.Random(VOCAB_SEED + "-popularity")
_order = list(range(len(PEOPLE)))
_pop_rng.shuffle(_order)
POPULARITY = [0.0] * len(PEOPLE)
for _rank, _idx in enumerate(_order, start=1):
    POPULARITY[_idx] = 1.0 / (_rank ** 0.8)

# pairs of countries that talk to each other, weighted
COUNTRY_PAIRS = [
    (("su", "cn"), 10), (("su", "kp"), 8), (("cn", "kp"), 8), (("kp", "kr"), 5),
    (("su", "vn"), 6), (("cn", "vn"), 6), (("cn", "al"), 7), (("su", "al"), 3),
    (("su", "dd"), 8), (("su", "hu"), 6), (("su", "pl"), 5), (("su", "cs"), 5),
    (("hu", "kp"), 4), (("dd", "kp"), 3), (("su", "cu"), 5), (("cn", "ro"), 3),
    (("su", "bg"), 3), (("su", "us"), 6), (("cn", "us"), 4), (("lb", "su"), 2),
    (("hu", "dd"), 2), (("cs", "pl"), 2), (("ro", "su"), 3), (("kp", "al"), 2),
    (("cu", "cn"), 2), (("vn", "hu"), 2),
]

# --------------------------------------------------------------------------
# Phrase grammar
# --------------------------------------------------------------------------

BULK = ["grain", "steel", "cotton", "fertiliser", "crude oil", "rolled metal", "rice", "coal",
        "cement", "timber", "sugar", "wool"]
GOODS = ["grain", "steel", "cotton", "machine tools", "fertiliser", "crude oil", "lorries",
         "rolled metal", "rice", "coal", "tractors", "medicines", "cement", "timber",
         "copper wire", "diesel engines", "sugar", "wool"]
FACILITIES = ["power station", "steel works", "textile plant", "harbour", "chemical combine",
              "cement factory", "hydroelectric dam", "tractor factory", "oil refinery",
              "radio station", "airfield", "shipyard"]
TOPICS = [
    "the border question", "economic cooperation", "the trade agreement for {year}",
    "the delivery of {goods}", "the situation in {place}", "the meeting of the fraternal parties",
    "the peace treaty", "the {ord} five-year plan", "the exchange of delegations",
    "military assistance", "the construction of the {place} {facility}", "the training of cadres",
    "the reunification question", "the credit of {num} million roubles",
    "the position of the {adj} party", "the activities of the {adj} embassy",
    "the collectivisation of agriculture", "the ban on nuclear tests",
    "the withdrawal of foreign troops", "the joint communiqué", "the students studying in {place}",
    "the railway line between {place} and {place2}", "the fishing agreement",
    "the plan of cultural exchange", "the preparations for the {ordnum} Congress",
    "the question of {place}", "the armistice negotiations", "the supply of {goods}",
    "the repatriation of citizens", "the visit of the government delegation",
    "the international situation", "the unity of the socialist camp",
    "the struggle against revisionism", "the rectification campaign",
    "the lease of the {place} port", "the radio broadcasts from {place}",
    "the flood damage in the provinces", "the price of {goods}",
]
TOPIC_TITLES = [
    "the Situation in {place}", "Economic Cooperation", "the {ordnum} Party Congress",
    "the Border Question", "the Trade Agreement for {year}", "the Visit of the {adj} Delegation",
    "Military Assistance", "the International Situation", "the Deliveries of {Goods}",
    "the Unity of the Socialist Camp", "the Construction of the {place} {Facility}",
    "the Work of the Embassy", "the Meeting of Communist Parties", "Relations with {country}",
]

SUBJ_DIRECT = ["we", "our party", "our government", "I", "our side", "the leadership of our party",
               "our comrades", "you", "they", "our delegation", "our embassy in {place}"]
SUBJ_THIRD = ["the {adj} side", "the {adj} government", "the Central Committee of the {party}",
              "the embassy in {place}", "the delegation", "{person}", "Comrade {psurname}",
              "the Ministry of Foreign Affairs", "the leadership in {place}", "the {adj} comrades",
              "the Western powers", "the imperialists", "the revisionists",
              "the working people of {country}", "the State Planning Committee",
              "the army command", "the trade union federation", "the youth league",
              "the press in {place}", "the party committee of {place}", "{ptitle} {psurname}",
              "the {adj} ambassador", "the Politburo", "the Secretariat", "{person}"]
# verb phrases carry their own tense so that time adverbials can agree with them
VP_PAST = [
    "raised the question of {topic}", "agreed to postpone {topic} until the autumn",
    "expressed concern about {topic}", "proposed to review {topic}",
    "discussed {topic} with {person}", "informed {person} about {topic}",
    "delivered {num} thousand tons of {bulk} to {place}", "refused to sign the protocol on {topic}",
    "received {person} in {place} on {date}", "did not respond to our proposal on {topic}",
    "fulfilled the plan for {goods} by {pct} percent", "sent a note to {person} concerning {topic}",
    "supported {topic} without reservations", "tried to complicate {topic}",
    "reduced the deliveries of {goods} by {pct} percent", "opened a consulate in {place}",
    "had several meetings with {person} in {place}", "organised a rally of {num} thousand people in {place}",
    "published an article on {topic}", "was surprised by {topic}",
    "asked for additional credits for {topic}", "stationed {small} divisions near {place}",
    "closed the border near {place} for {small} days", "sent {num} specialists to the {place} {facility}",
    "completed the {place} {facility} ahead of schedule", "rejected the proposal of {person}",
]
VP_FUT = [
    "will send a delegation to {place} in {month}", "must not underestimate {topic}",
    "cannot accept {topic}", "should give more attention to {topic}",
    "would welcome a decision on {topic}", "may raise {topic} at the next session",
    "will not yield on {topic}", "could help us with {topic}", "must strengthen {topic}",
    "will need {num} specialists for the {place} {facility}", "should study {topic} more carefully",
    "will give a final answer on {topic} in {month}", "will not agree to {topic}",
    "can deliver {num} thousand tons of {bulk} to {place}", "must settle {topic}",
    "will discuss {topic} with {person}", "should inform {person} about {topic}",
]
VERB_PHRASES = VP_PAST + VP_FUT
ADV_PRE_ANY = ["In our opinion, ", "As you know, ", "Frankly speaking, ", "According to our information, ",
               "On this question ", "Without doubt ", "To be honest, ", "As far as I know, ",
               "Unfortunately, ", "Of course, ", "", "", "", ""]
ADV_PRE_PAST = ["Last year ", "In {month} ", "In {year} ", "After the plenum ", "Recently ",
                "In the last few months ", "Some time ago "]
ADV_PRE_FUT = ["Now ", "At present ", "In the coming months ", "Next year ", "In this situation "]
ADV_POST_PAST = [" in {year}", " last month", " in {month}", " two weeks ago", "", "", "", ""]
ADV_POST_FUT = [" without delay", " as soon as possible", " in the near future",
                " before the end of the year", " by the end of {month}", "", "", "", ""]
STANDALONE = [
    "The {ord} plenum of the Central Committee will take place in {month}.",
    "There are about {num} {adj} specialists working in {place} now.",
    "{Person} told me that {clause3}.",
    "It is not true that {clause3}.",
    "We know that {clause3}, but {clause3}.",
    "This is a serious question, and we must study it carefully.",
    "{Country} produced {num} thousand tons of {bulk} last year, {pct} percent more than in {year}.",
    "I want to thank you for {topic}.",
    "When I was in {place} in {year}, {clause3}.",
    "If {clause3}, then {clause}.",
    "The {adj} press has published several articles on {topic}.",
    "The comrades in {place} believe that {clause3}.",
    "We have informed {person} about this.",
    "Our position on {topic} has not changed.",
    "This is a very important matter for the whole socialist camp.",
    "We cannot agree with this.",
    "History will show who is right.",
    "The harvest this year was poor, and we had to buy {goods} abroad.",
    "The situation in {place} remains tense.",
    "Our people will never forget the help of {country}.",
    "There is a great deal of work ahead of us.",
    "The main thing now is {topic}.",
    "We consider that {clause3}.",
    "These are internal questions of {country}, and we do not interfere in them.",
    "Since {year} the number of {adj} students in {place} has grown to {num}.",
    "{Person} has already spoken about this in {place}.",
    "I will report on this to {person} as soon as I return to {place}.",
    "The Western newspapers write that {clause3}, but this is slander.",
    "Let us return to {topic}.",
]
NARRATIVE = [
    "The {adj} comrades stressed that {clause3}.", "{Person} informed us that {clause3}.",
    "According to {person}, {clause3}.", "It was agreed that {clause3}.",
    "The delegation visited {place}, where {clause3}.", "The comrades in {place} believe that {clause3}.",
    "{Country} produced {num} thousand tons of {bulk} last year, {pct} percent more than in {year}.",
    "The situation in {place} remains tense.", "{Person} did not comment on this.",
    "In the opinion of the embassy, {clause3}.", "The {adj} side has not yet replied.",
    "The discussion lasted about {small} hours.", "There are about {num} {adj} specialists in {place}.",
    "The {ord} plenum of the Central Committee will take place in {month}.",
    "{Person} expressed the hope that {clause3}.", "The {adj} press reported that {clause3}.",
    "We learned from {person} that {clause3}.", "Further information will follow.",
]
LIST_ITEMS = ["To strengthen {topic}.", "To settle {topic}.", "To expose the revisionists in {place}.",
              "To win over the workers of {place}.", "To organise propaganda on {topic}.",
              "To demand {topic}.", "To prepare {topic}.", "To send cadres to {place}.",
              "The struggle for {topic}.", "Support for {topic}."]
QUESTIONS = [
    "What do you think about {topic}?", "How many {adj} specialists are there in {place}?",
    "When will {person} come to {place}?", "Is it true that {clause3}?",
    "What is the position of {person} on {topic}?", "Did you meet {person} in {place}?",
    "How is {topic} progressing?", "Who will head the delegation to {place}?",
    "Have you received our letter on {topic}?", "Why did they decide this?",
    "And what about {topic}?", "How is {person} doing?", "Is {person} in good health?",
    "What does {country} want from us?", "Can you tell us more about {topic}?",
]
REPLIES = ["Yes.", "No.", "That is correct.", "Of course.", "I agree with you.", "Thank you.",
           "Very well.", "We will consider it.", "That is true.", "That many?", "I understand.",
           "Good.", "Not yet.", "It is difficult to say.", "Exactly so.", "We agree.",
           "I have not heard about this.", "Yes, that is right.", "No, not at all."]
EDITORIAL = ["[in {place}]", "[{party_short}]", "[of {country}]", "[the {adj} side]", "[in {year}]",
             "[with {person}]", "[of the {party}]"]
STAGE = ["(Laughter)", "(Pointing to the interpreter)", "(Pointing to the map)",
         "(Both laugh)", "(Applause)", "(Translator's note: the word is unclear)"]

REPORT_VERBS = [("says", True), ("notes", True), ("answers", True), ("replies", True),
                ("stresses", True), ("explains", True), ("remarks", True),
                ("points out", True), ("informs {other}", True), ("adds", True),
                ("agrees", True), ("declares", True)]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


@dataclass
class DocContext:
    rng: random.Random
    participants: list[Person]
    countries: list[Country]
    places: list[str]
    topics: list[str]
    year: int
    others: list[Person] = field(default_factory=list)


class Writer:
    """Produces invented sentences for one document."""

    def __init__(self, ctx: DocContext, narrative: bool = False):
        self.ctx = ctx
        self.r = ctx.rng
        self.narrative = narrative      # third-person report prose instead of speech
        # the document's recurring topics are filled once so that they repeat verbatim
        ctx.topics = [self.fill(t) for t in ctx.topics]

    # --- slot fillers ---------------------------------------------------
    def person_obj(self) -> Person:
        r = self.r
        pool = self.ctx.others if self.ctx.others and r.random() < 0.85 else self.ctx.participants
        if r.random() < 0.2:
            return r.choices(PEOPLE, weights=POPULARITY, k=1)[0]
        return r.choice(pool)

    def person_mention(self, p: Person | None = None) -> str:
        r = self.r
        p = p or self.person_obj()
        k = r.random()
        if k < 0.35:
            return p.full
        if k < 0.55:
            return f"Comrade {p.short}" if p.country.key != "us" else f"Mr. {p.surname}"
        if k < 0.7:
            return p.short
        if k < 0.8 and p.style == "russian":
            return f"Cde. {p.initials}"
        if k < 0.9 and p.honorific:
            return f"{p.honorific} {p.surname}"
        return p.full

    def place(self) -> str:
        r = self.r
        return r.choice(self.ctx.places) if r.random() < 0.7 else r.choice(PLACES)

    def country(self) -> Country:
        r = self.r
        return r.choice(self.ctx.countries) if r.random() < 0.7 else r.choice(COUNTRIES)

    def fill(self, tmpl: str) -> str:
        r = self.r
        out = tmpl
        # iterate until no slot remains (slots can introduce other slots)
        for _ in range(6):
            if "{" not in out:
                break
            c = self.country()
            p = self.person_obj()
            repl = {
                "{topic}": lambda: self.topic(),
                "{place}": self.place, "{place2}": self.place,
                "{person}": lambda: self.person_mention(),
                "{Person}": lambda: _cap(self.person_mention()),
                "{psurname}": lambda: p.short,
                "{ptitle}": lambda: (p.honorific or "Comrade"),
                "{adj}": lambda: self.country().adj,
                "{country}": lambda: _cap_country(self.country().name, False),
                "{Country}": lambda: _cap_country(self.country().name, True),
                "{party}": lambda: c.party, "{party_short}": lambda: c.party_short,
                "{goods}": lambda: r.choice(GOODS), "{bulk}": lambda: r.choice(BULK), "{Goods}": lambda: r.choice(GOODS).title(),
                "{facility}": lambda: r.choice(FACILITIES),
                "{Facility}": lambda: r.choice(FACILITIES).title(),
                "{num}": lambda: str(r.choice([2, 3, 5, 8, 12, 15, 20, 30, 40, 50, 120, 300, 1500])),
                "{small}": lambda: str(r.randint(2, 12)),
                "{pct}": lambda: str(r.randint(3, 60)),
                "{year}": lambda: str(self.ctx.year - r.randint(0, 12)),
                "{year2}": lambda: str(self.ctx.year - r.randint(0, 2)),
                "{month}": lambda: r.choice(MONTHS),
                "{ord}": lambda: r.choice(ORDINALS).lower(),
                "{ordnum}": lambda: r.choice(ORD_NUM),
                "{date}": lambda: f"{r.randint(1, 28)} {r.choice(MONTHS)}",
                "{clause}": lambda: self.clause(direct=True),
                "{clause3}": lambda: self.clause(direct=False),
                "{other}": lambda: self.person_mention(),
            }
            for slot, fn in repl.items():
                while slot in out:
                    out = out.replace(slot, fn(), 1)
        return out

    def topic(self) -> str:
        r = self.r
        if r.random() < 0.6:
            return r.choice(self.ctx.topics)
        return self.fill(r.choice(TOPICS))

    # --- sentences ------------------------------------------------------
    def clause(self, direct: bool, with_pre: bool = False) -> str:
        r = self.r
        subj = r.choice(SUBJ_DIRECT if direct and r.random() < 0.6 else SUBJ_THIRD)
        past = r.random() < 0.55
        vp = r.choice(VP_PAST if past else VP_FUT)
        timed = "{month}" in vp or "{date}" in vp
        post = "" if timed else r.choice(ADV_POST_PAST if past else ADV_POST_FUT)
        pre = ""
        if with_pre:
            pre = r.choice(ADV_PRE_ANY) if (timed or post or r.random() < 0.6) else \
                r.choice(ADV_PRE_PAST if past else ADV_PRE_FUT)
        return f"{pre}{subj} {vp}{post}"

    def statement(self) -> str:
        r = self.r
        if r.random() < 0.35:
            s = _cap(self.fill(r.choice(NARRATIVE if self.narrative else STANDALONE)))
        else:
            s = _cap(self.fill(self.clause(direct=not self.narrative, with_pre=True))) + "."
        return self._decorate(s)

    def question(self) -> str:
        return self._decorate(_cap(self.fill(self.r.choice(QUESTIONS))))

    def _decorate(self, s: str) -> str:
        r = self.r
        x = r.random()
        if x < 0.02:
            words = s.split(" ")
            if len(words) > 4:
                i = r.randint(2, len(words) - 2)
                words.insert(i, r.choice(["[sic]", "[illegible]", "[\u2026]"]))
                s = " ".join(words)
        elif x < 0.04 and s[-1:] in ".?!":
            s = s[:-1] + " " + self.fill(r.choice(EDITORIAL)) + s[-1]
        elif x < 0.055:
            s = s + " " + r.choice(STAGE)
        return s

    def paragraph(self, budget: int, question_rate: float = 0.12) -> str:
        """Statements up to ``budget`` characters; questions mostly close a turn."""
        r = self.r
        parts: list[str] = []
        size = 0
        while size < budget or not parts:
            s = self.question() if r.random() < question_rate / 4 else self.statement()
            parts.append(s)
            size += len(s) + 1
        if r.random() < question_rate:
            parts.append(self.question())
        sep = "  " if r.random() < 0.05 else " "
        return sep.join(parts)

    def reply_or_paragraph(self, budget: int) -> str:
        r = self.r
        x = r.random()
        if x < 0.12:
            return r.choice(REPLIES)
        if x < 0.22:
            return self.question()
        if x < 0.3:
            return r.choice(REPLIES) + " " + self.paragraph(max(40, budget // 2), 0.05)
        return self.paragraph(budget)

    def reported(self, speaker: str, other: str, budget: int) -> str:
        r = self.r
        parts: list[str] = []
        size = 0
        first = True
        while size < budget or not parts:
            who = speaker if first or r.random() < 0.3 else "He"
            x = r.random()
            if x < 0.18:
                s = f"{who} asks whether {self.clause(direct=False)}."
            elif x < 0.26:
                s = f"{who} asks {other} about {self.topic()}."
            elif x < 0.33 and first:
                s = f"{who} thanks {other} for {self.topic()} and says that {self.clause(False)}."
            elif x < 0.4 and not first:
                s = f"According to {speaker}, {self.clause(False)}."
            else:
                verb = r.choice(REPORT_VERBS)[0].replace("{other}", other)
                if not first and r.random() < 0.3:
                    verb = "also " + verb
                s = f"{who} {verb} that {self.clause(False)}."
            s = self.fill(s)
            parts.append(_cap(s))
            size += len(s) + 1
            first = False
        return " ".join(parts)


def _cap_country(name: str, cap: bool) -> str:
    return _cap(name) if cap else name


# --------------------------------------------------------------------------
# Dates, titles and sections
# --------------------------------------------------------------------------

@dataclass
class DocDate:
    year: int
    month: int | None
    day: int | None
    pad: bool

    @property
    def text(self) -> str:
        if self.day is not None:
            d = f"{self.day:02d}" if self.pad else str(self.day)
            return f"{MONTHS[self.month - 1]} {d}, {self.year}"
        if self.month is not None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def body_form(self, r: random.Random) -> str:
        day = self.day if self.day is not None else r.randint(1, 28)
        month = self.month if self.month is not None else r.randint(1, 12)
        return f"{day} {MONTHS[month - 1]} {self.year}"


def make_date(r: random.Random) -> DocDate:
    year = r.choices(range(1945, 1992), weights=[3 if 1949 <= y <= 1980 else 1 for y in range(1945, 1992)])[0]
    x = r.random()
    if x < 0.78:
        return DocDate(year, r.randint(1, 12), r.randint(1, 28), r.random() < 0.6)
    if x < 0.92:
        return DocDate(year, r.randint(1, 12), None, False)
    return DocDate(year, None, None, False)


def archive_ref(r: random.Random, c: Country) -> str:
    base = r.choice(c.archive)
    x = r.random()
    if x < 0.35:
        return f"{base}, Fond {r.randint(1, 120)}{r.choice(['', 'a'])}, Opis {r.randint(1, 60)}, " \
               f"Delo {r.randint(1, 400)}, listy {(a := r.randint(1, 200))}-{a + r.randint(2, 30)}"
    if x < 0.55:
        return f"{base}, Box {r.randint(1, 90)}, Folder {r.randint(1, 40)}"
    if x < 0.7:
        return f"{base}, {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(1, 9)}"
    return base


def citation(r: random.Random, title: str, date: DocDate, c: Country, doc_id: int,
             url: bool, empty_date: bool = False, https_rate: float = 0.15) -> str:
    lq, rq = ("\u201c", "\u201d") if r.random() < 0.75 else ('"', '"')
    date_text = ", " + str(date.year) if empty_date else date.text
    text = f"{lq}{title},{rq} {date_text}, History and Public Policy Program Digital Archive, " \
           f"{archive_ref(r, c)}."
    if r.random() < 0.2:
        tr = r.choice(PEOPLE_BY_COUNTRY["us"])
        text += f" Translated for CWIHP by {tr.given} {tr.surname}."
    if url:
        scheme = "https" if r.random() < https_rate else "http"
        text += f"  \n<{scheme}://digitalarchive.wilsoncenter.org/document/{doc_id}>"
    return text


def header(date: DocDate, title: str, sections: list[tuple[str, str]]) -> str:
    out = [f"## {date.text}", f"# {title}"]
    for name, content in sections:
        out.append(f"### {name}:")
        out.append(content)
    return "\n" + "\n\n".join(out) + "\n\n"


def summary_text(w: Writer, a: Person, b: Person, kind: str) -> str:
    r = w.r
    topics = [w.fill(t) for t in r.sample(w.ctx.topics, k=min(3, len(w.ctx.topics)))]
    tl = ", ".join(topics[:-1]) + (", and " if len(topics) > 2 else " and ") + topics[-1] \
        if len(topics) > 1 else topics[0]
    if kind == "conversation":
        forms = [f"{a.full} and {b.full} discuss {tl}.",
                 f"In a conversation between {a.full} and {b.full}, they exchange views on {tl}.",
                 f"{a.full} informs {b.full} about {topics[0]}. They also touch on {topics[-1]}."]
    elif kind == "letter":
        forms = [f"{a.full} writes to {b.full} about {tl}.",
                 f"{a.full} responds to a letter from {b.full} concerning {topics[0]}."]
    elif kind == "telegram":
        forms = [f"The {a.country.adj} Embassy reports on {tl}.",
                 f"{a.full} informs the ministry about {topics[0]}."]
    else:
        forms = [f"Account of {tl}.", f"{a.full} reports on {tl}."]
    s = r.choice(forms)
    if r.random() < 0.4:
        s += " " + _cap(w.fill(w.clause(direct=False))) + "."
    return _cap(s)


def language_of(r: random.Random, c: Country) -> str:
    return c.language


def std_sections(w: Writer, date: DocDate, title: str, a: Person, b: Person, doc_id: int,
                 kind: str, *, url: bool = True, summary: bool = True, language: bool = True,
                 contents: bool = True, credits: float = 0.1, empty_date: bool = False,
                 https_rate: float = 0.15) -> list[tuple[str, str]]:
    r = w.r
    lang_country = a.country if a.country.key != "us" else b.country
    secs = [("Citation", citation(r, title, date, lang_country, doc_id, url, empty_date,
                                  https_rate))]
    if summary:
        secs.append(("Summary", summary_text(w, a, b, kind)))
    if r.random() < credits:
        secs.append(("Credits", "This document was made possible with support from the "
                     + r.choice(["Leon Levy Foundation", "MacArthur Foundation",
                                 "Korea Foundation", "Henry Luce Foundation"]) + "."))
    if language:
        secs.append(("Original Language", language_of(r, lang_country)))
    if contents:
        c = "- English Translation"
        if r.random() < 0.15:
            c += "\n- Original Scan"
        secs.append(("Contents", c))
    return secs


# --------------------------------------------------------------------------
# Document builders
# --------------------------------------------------------------------------

def pick_participants(r: random.Random, n: int) -> tuple[list[Person], list[Country]]:
    pair = r.choices([p for p, _ in COUNTRY_PAIRS], weights=[w for _, w in COUNTRY_PAIRS])[0]
    pair = list(pair)
    r.shuffle(pair)
    cs = [COUNTRY_BY_KEY[k] for k in pair]
    chosen: list[Person] = []
    for i in range(n):
        pool = PEOPLE_BY_COUNTRY[pair[i % 2]]
        weights = [POPULARITY[p.pid] for p in pool]
        for _ in range(20):
            p = r.choices(pool, weights=weights)[0]
            if p not in chosen:
                break
        if p not in chosen:
            chosen.append(p)
    return chosen, cs


def make_context(r: random.Random, n_participants: int, date: DocDate
                 ) -> tuple[DocContext, list[Person], list[Country]]:
    parts, cs = pick_participants(r, n_participants)
    places = []
    for c in cs:
        places.extend(r.sample(c.cities, k=min(2, len(c.cities))))
    places.append(r.choice(PLACES))
    topics = r.sample(TOPICS, k=r.randint(3, 5))
    others_pool = PEOPLE_BY_COUNTRY[cs[0].key] + PEOPLE_BY_COUNTRY[cs[1].key]
    others = [p for p in r.sample(others_pool, k=min(5, len(others_pool))) if p not in parts]
    ctx = DocContext(r, parts, cs, places, topics, date.year, others)
    return ctx, parts, cs


def sizes(r: random.Random, lo_units: int = 10, hi_units: int = 40) -> tuple[int, int]:
    """(number of units, target body size in characters)."""
    target = int(r.triangular(2400, 14000, 4800))
    n = r.randint(lo_units, hi_units)
    # keep the average unit between ~90 and ~1100 characters
    n = max(lo_units, min(n, target // 90))
    n = max(n, min(hi_units, target // 1100))
    return n, target


def budgets(r: random.Random, total: int, n: int):
    remaining = total
    for i in range(n, 0, -1):
        b = int(remaining / i * r.uniform(0.4, 1.6))
        yield max(30, b)
        remaining = max(0, remaining - b)


def conv_title(r: random.Random, a: Person, b: Person, date: DocDate, style: str) -> str:
    if style == "upper":
        return f"Record of Conversations between Cde. {a.initials}, {a.title}, and {b.full}, {b.title}"
    base = r.choice(["Conversation between {a} and {b}", "Record of Conversation between {a} and {b}",
                     "Memorandum of Conversation between {a} and {b}", "Meeting between {a} and {b}",
                     "Minutes of Conversation between {a} and {b}",
                     "Record of a Meeting of {a} with {b}", "Conversation Between {a} and {b}"])
    if style == "comrade":
        base = base.replace("{a}", "Comrade {a}").replace("{b}", "Comrade {b}")
    t = base.format(a=a.full, b=b.full)
    if style == "comrade" or r.random() < 0.1:
        t += f" on {date.body_form(r)}"
    return t


def turns(w: Writer, labels: list[str], n: int, total: int, *, joiner: str = " ",
          label_fn=None, continuation: float = 0.0) -> list[str]:
    """Conversation turns; the first label opens, speakers mostly alternate."""
    r = w.r
    out: list[str] = []
    cur = 0
    for i, b in enumerate(budgets(r, total, n)):
        if i > 0:
            if len(labels) > 2 and r.random() < 0.25:
                cur = r.randrange(len(labels))
            else:
                cur = (cur + 1) % min(2, len(labels)) if r.random() < 0.9 else cur
        text = w.reply_or_paragraph(b) if i > 0 else w.paragraph(b, 0.4)
        if out and continuation and r.random() < continuation:
            out.append(w.paragraph(b, 0.05))        # unlabeled continuation of the previous turn
            continue
        lab = label_fn(cur) if label_fn else labels[cur]
        out.append(f"{lab}{joiner}{text}")
    return out


def doc_seed(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    nspk = r.choices([2, 3, 4], weights=[80, 15, 5])[0]
    ctx, parts, cs = make_context(r, nspk, date)
    w = Writer(ctx)
    a, b = parts[0], parts[1]
    title = conv_title(r, a, b, date, "seed")
    secs = std_sections(w, date, title, a, b, doc_id, "conversation", credits=0.15,
                        https_rate=0.0)   # seed-like: always the old numeric http URL
    labels = [p.full if (i == 0 or r.random() < 0.5) else p.short for i, p in enumerate(parts)]
    n, total = sizes(r)
    body = turns(w, [f"**{lab}:**" for lab in labels], n, total)
    return header(date, title, secs) + "\n\n".join(body)


SIDE_PAIRS = {("kp", "kr"): ("North", "South"), ("kr", "kp"): ("South", "North")}


def doc_side(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    if date.day is None:
        date = DocDate(date.year, date.month or r.randint(1, 12), r.randint(1, 28), True)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx)
    a, b = parts
    sides = SIDE_PAIRS.get((a.country.key, b.country.key), (a.country.adj, b.country.adj))
    title = conv_title(r, a, b, date, "side")
    secs = std_sections(w, date, title, a, b, doc_id, "conversation")
    hh = r.randint(8, 16)
    loc_city = r.choice([c for c in a.country.cities[:2] + b.country.cities[:2]])
    lines = [f"Conversation with {b.full}", "",
             f"Date and Time: {MONTH_ABBR[date.month - 1]} {date.day}, {date.year} "
             f"{hh}:{r.choice(['00', '15', '30', '45'])}-{hh + r.randint(1, 3)}:{r.choice(['00', '10', '20', '40'])}",
             f"Location: {loc_city} {r.choice(['Government Building', 'Guest House', 'Party Headquarters', 'Embassy', 'Palace of Culture'])}",
             "", "Participants:"]
    for p, city in ((a, a.country.cities[0]), (b, b.country.cities[0])):
        lines.append(f"From {city}")
        lines.append(f"{p.full} {p.title}")
        extra = [q for q in PEOPLE_BY_COUNTRY[p.country.key] if q is not p]
        for q in r.sample(extra, k=min(len(extra), r.randint(2, 6))):
            lines.append(f"{q.listed} {q.title}" if r.random() < 0.85 else q.listed)
    n, total = sizes(r)
    body = turns(w, [f"{sides[0]} ({a.upper_surname}):", f"{sides[1]} ({b.upper_surname}):"],
                 n, total - 600)
    return header(date, title, secs) + "\n".join(lines) + "\n\n" + "\n\n".join(body)


def doc_comrade(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx)
    a, b = parts
    title = conv_title(r, a, b, date, "comrade")
    intro = title[0].upper() + title[1:].replace("Comrade", "comrade")
    n, total = sizes(r)
    body = turns(w, [f"Comrade {a.full}:", f"Comrade {b.full}:"], n, total)
    return f"\n## {date.text}\n\n# {title}\n\n{intro}\n\n" + "\n\n".join(body)


def doc_upper(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx)
    a, b = parts
    title = conv_title(r, a, b, date, "upper")
    head = f"\n## {date.text}\n\n# {title}\n\n"
    if r.random() < 0.4:
        head = header(date, title, std_sections(w, date, title, a, b, doc_id, "conversation",
                                                url=r.random() < 0.7))
    pre = []
    if r.random() < 0.6:
        pre.append(title.split(" ", 3)[-1] if r.random() < 0.5 else title)
    if r.random() < 0.5:
        pre.append(f"The text of the record was not\n\nreviewed by Cde. {a.initials}")
    pre.append(date.body_form(r))
    pre.append(f"After mutual greetings Cde. {a.initials} informed Cde. {b.full} of "
               + " and ".join(r.sample(ctx.topics, 2)) + ". " + w.statement())
    forms = [a.initials.upper() if r.random() < 0.6 else a.full.upper(), b.full.upper()]

    def label(i: int) -> str:
        sep = r.choices([". ", " ", ": "], weights=[45, 35, 20])[0]
        return forms[i] + sep

    n, total = sizes(r)
    body = turns(w, forms, n, total, joiner="", label_fn=label, continuation=0.08)
    if r.random() < 0.5:
        body.append(w.paragraph(200, 0.0))
    return head + "\n\n".join(pre + body)


def doc_reported(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx)
    a, b = parts
    title = r.choice([f"Meeting between {a.full} and {b.full}",
                      f"Notes of the Conversation between {a.full} and a Delegation from "
                      f"{_cap(b.country.name)} headed by {b.full}",
                      f"Record of the Reception of {b.full} by {a.full}"])
    secs = std_sections(w, date, title, a, b, doc_id, "conversation", url=r.random() < 0.5,
                        language=r.random() < 0.5, contents=r.random() < 0.5)
    team = [q for q in PEOPLE_BY_COUNTRY[b.country.key] if q is not b]
    own = [q for q in PEOPLE_BY_COUNTRY[a.country.key] if q is not a]
    present = ", ".join(q.initials for q in r.sample(own, k=min(3, len(own))))
    side = ", ".join(f"{q.full}" + (f" [{q.surname} {q.given.replace('-', ' ')}]" if q.style == "korean" and r.random() < 0.5 else "")
                     for q in r.sample(team, k=min(len(team), r.randint(2, 6))))
    hh = r.randint(8, 22)
    ed = (f"[Notes of the conversation between {a.full} and a delegation from {b.country.name} "
          f"headed by {b.full}. The meeting began at {hh}:00 {'p.m.' if hh >= 12 else 'a.m.'} "
          f"Present were {present}. On the {b.country.adj} side: {side}.]")
    n, total = sizes(r)
    body = [ed] if r.random() < 0.8 else []
    cur = 0
    for i, bud in enumerate(budgets(r, total, n)):
        sp, other = (a, b) if cur == 0 else (b, a)
        name = sp.full if r.random() < 0.7 else sp.short
        oname = other.full if r.random() < 0.5 else other.short
        if r.random() < 0.35:
            bud = min(bud, 60)
        body.append(w.reported(name, oname, bud))
        cur = 1 - cur if r.random() < 0.85 else cur
    return header(date, title, secs) + "\n\n".join(body)


def doc_letter(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx)
    a, b = parts
    topic_t = w.fill(r.choice(TOPIC_TITLES))
    title = r.choice([f"Letter from {a.full} to {b.full} Regarding {topic_t}",
                      f"Letter from {a.full} to {b.full}",
                      f"Letter from the {a.country.party_short} CC to the {b.country.party_short} CC",
                      f"Letter from {a.full} to {b.full} on {topic_t}"])
    empty = r.random() < 0.05
    head = header(date, title, std_sections(w, date, title, a, b, doc_id, "letter",
                                            credits=0.3, empty_date=empty,
                                            url=r.random() < 0.8))
    if r.random() < 0.1:
        head = f"\n## {date.text}\n\n# {title}\n\n"
    paras = []
    if r.random() < 0.6:
        paras.append(f"Letter from {a.short} to {b.short}, {date.body_form(r)}. "
                     f"{archive_ref(r, a.country)}.")
    paras.append(r.choice([f"Dear Comrade {b.short},", f"Dear Comrade {b.full}!", "Dear Comrades!",
                           f"Esteemed Comrade {b.short},"]))
    n, total = sizes(r)
    for bud in budgets(r, total, n):
        paras.append(w.paragraph(bud, 0.03))
    paras.append(r.choice(["With communist greetings,", "With comradely greetings,",
                           "Respectfully,", "With fraternal greetings,"]))
    sign = f"{a.full}\n{a.title}"
    single = r.random() < 0.25
    text = ("\n" if single else "\n\n").join(paras) + "\n" + sign
    return head + text


def doc_telegram(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    if date.day is None and r.random() < 0.7:
        date = DocDate(date.year, date.month or r.randint(1, 12), r.randint(1, 28), False)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx, narrative=True)
    a, b = parts
    city = r.choice(b.country.cities)
    subj = w.fill(r.choice(TOPIC_TITLES))
    title = r.choice([f"Telegram from the {a.country.adj} Embassy in {city}, '{subj}'",
                      f"Ciphered Telegram from {a.full} to {b.full}",
                      f"Telegram from {a.full} to the {a.country.adj} Foreign Ministry"])
    secs: list[tuple[str, str]] = []
    if r.random() < 0.4:
        secs = std_sections(w, date, title, a, b, doc_id, "telegram", url=r.random() < 0.7)
    elif r.random() < 0.8:
        secs = [("Summary", summary_text(w, a, b, "telegram"))]
    lines = []
    yy = f"{date.year % 100:02d}"
    mm = f"{date.month:02d}" if date.month else "01"
    dd = f"{date.day:02d}" if date.day else "01"
    if r.random() < 0.6:
        lines.append(f"{city.upper()}, {yy}. {mm}. {dd}.")
        lines.append(r.choice(["TOP SECRET!", "SECRET!", "STRICTLY CONFIDENTIAL", "Urgent!"]))
        lines.append(f"Created by {a.surname[:4]}–{r.choice(['Ne', 'Ka', 'Bo'])} {r.randint(8, 20)}.{r.choice(['00', '15', '30', '45'])}")
        lines.append("Checked by [unknown signature]" if r.random() < 0.5 else f"Checked by {a.short}")
        lines.append("CIPHER TELEGRAM")
        lines.append(f"To the {a.country.party_short} Central Committee Foreign Division.")
    else:
        lines.append(f"CIPHERED TELEGRAM No. {r.randint(100, 99999)}")
        lines.append(f"From {city}. To {b.full}.")
        lines.append(f"Date: {date.body_form(r)}")
    lines.append(f"Subject: {subj}")
    n, total = sizes(r)
    for bud in budgets(r, total - 300, n):
        x = r.random()
        if x < 0.06:
            lines.append("Remark:")
        elif x < 0.1:
            lines.append(f"– {r.randint(10, 400)} –")
        elif x < 0.14:
            lines.append(w.fill(r.choice(["They did not invite the {adj} delegation!",
                                          "The comrades in {place} were not informed.",
                                          "Further information will follow."])))
        lines.append(w.paragraph(bud, 0.02))
    if r.random() < 0.7:
        lines.append("To be seen by")
        for q in r.sample(PEOPLE_BY_COUNTRY[a.country.key], k=2):
            lines.append(f"Comrade {q.surname} {q.given[0]}." if r.random() < 0.5 else f"Comrade {q.surname}")
        lines.append("Seen by")
        for q in r.sample(PEOPLE_BY_COUNTRY[a.country.key], k=r.randint(1, 3)):
            lines.append(f"Comrade {q.surname}")
    else:
        lines.append(f"{a.short.upper()}")
    head = header(date, title, secs) if secs else f"\n## {date.text}\n\n# {title}\n\n"
    return head + "\n".join(lines)


def doc_report(r: random.Random, doc_id: int) -> str:
    date = make_date(r)
    ctx, parts, cs = make_context(r, 2, date)
    w = Writer(ctx, narrative=True)
    a, b = parts
    topic_t = w.fill(r.choice(TOPIC_TITLES))
    title = r.choice([f"Report to the Political Committee on {topic_t}",
                      f"Report by {a.full} on {topic_t}", f"Untitled report on {topic_t.lower()}",
                      f"Information on {topic_t}", f"Memorandum from {a.full} on {topic_t}",
                      f"Report on the Consultation Meeting With Comrade {b.initials}"])
    x = r.random()
    if x < 0.4:
        head = header(date, title, std_sections(w, date, title, a, b, doc_id, "report",
                                                url=r.random() < 0.6, contents=r.random() < 0.6,
                                                language=r.random() < 0.6))
    elif x < 0.7:
        head = header(date, title, [("Citation", citation(r, title, date, a.country, doc_id,
                                                            r.random() < 0.3)),
                                    ("Summary", summary_text(w, a, b, "report"))])
    else:
        head = f"\n## {date.text}\n\n# {title}\n\n"
    single = r.random() < 0.6
    n, total = sizes(r)
    paras: list[str] = []
    if title.startswith("Report to"):
        paras.append("Report\n" + title[len("Report "):] + ".")
    paras.append(w.paragraph(min(700, total // n * 2), 0.0))
    style = r.choice(["numbered", "parts", "plain"])
    item = 0
    page = 1
    bud_list = list(budgets(r, total, n))
    for i, bud in enumerate(bud_list):
        y = r.random()
        if style == "numbered" and (i == 0 or y < 0.2):
            if i == 0:
                paras.append(w.fill("The following questions were discussed with {person}:"))
            item += 1
            paras.append(f"{item}. {_cap(w.topic())}.")
        elif style == "parts" and (i == 0 or y < 0.15):
            paras.append(f"Part {['one', 'two', 'three', 'four', 'five', 'six'][min(item, 5)]}: "
                         f"{_cap(w.topic())}:")
            item += 1
            for k in range(1, r.randint(2, 5)):
                paras.append(f"{k}- {w.fill(r.choice(LIST_ITEMS))}")
            continue
        p = w.paragraph(bud, 0.0)
        if r.random() < 0.08 and len(p) > 80:
            # a page marker interrupting a sentence
            cut = p.rfind(" ", 0, len(p) // 2)
            page += 1
            marker = f"(p. {page})" if r.random() < 0.7 else f"– {page} –"
            p = p[:cut] + "\n" + marker + "\n" + p[cut + 1:]
        elif r.random() < 0.03 and len(p) > 80:
            p = p[:p.rfind(" ", 0, len(p) // 2)]    # unfinished item, cut mid-sentence
        paras.append(p)
    if r.random() < 0.5:
        paras.append(f"{a.full}\n{a.title}" if r.random() < 0.5 else f"{date.body_form(r)}, {r.choice(a.country.cities)}")
    return head + ("\n" if single else "\n\n").join(paras)


BUILDERS = {"seed": doc_seed, "side": doc_side, "comrade": doc_comrade, "upper": doc_upper,
            "reported": doc_reported, "letter": doc_letter, "telegram": doc_telegram,
            "report": doc_report}


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def iter_documents(documents: int, seed: int = 1):
    """Yield (index, doc_id, layout, text) for ``documents`` synthetic documents."""
    master = random.Random(seed)
    doc_id = FIRST_ID
    names = [n for n, _ in LAYOUT_WEIGHTS]
    weights = [w for _, w in LAYOUT_WEIGHTS]
    for i in range(documents):
        doc_id += master.randint(1, 9)
        r = random.Random(master.getrandbits(64))
        layout = r.choices(names, weights=weights)[0]
        text = BUILDERS[layout](r, doc_id)
        if r.random() < 0.2:
            text += "\n"
        yield i, doc_id, layout, text


def file_name(index: int, documents: int) -> str:
    return f"{index:0{max(5, len(str(documents - 1)))}d}.txt"


def generate_corpus(out_dir: str | os.PathLike, documents: int = 16000, seed: int = 1,
                    overwrite: bool = False) -> dict:
    """Write ``documents`` files ``OUT_DIR/NNNNN.txt``; return a summary dict.

    Raises FileExistsError if ``out_dir`` already holds ``*.txt`` files and
    ``overwrite`` is false; with ``overwrite`` those files are deleted first.
    """
    if documents < 0:
        raise ValueError("documents must be >= 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    existing = sorted(out.glob("*.txt"))
    if existing:
        if not overwrite:
            raise FileExistsError(f"{out} already contains {len(existing)} .txt files "
                                  f"(use --overwrite to replace them)")
        for f in existing:
            f.unlink()
    t0 = time.perf_counter()
    total = 0
    layouts: dict[str, int] = {}
    for i, _doc_id, layout, text in iter_documents(documents, seed):
        data = text.encode("utf-8")
        (out / file_name(i, documents)).write_bytes(data)
        total += len(data)
        layouts[layout] = layouts.get(layout, 0) + 1
    return {"documents": documents, "bytes": total, "seed": seed,
            "seconds": time.perf_counter() - t0, "layouts": layouts,
            "generator_version": GENERATOR_VERSION, "out_dir": str(out)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Write synthetic Wilson Center Digital Archive text exports "
                    "(OUT_DIR/NNNNN.txt) for benchmarking archivekg.")
    ap.add_argument("out_dir", metavar="OUT_DIR", help="directory to write the documents into")
    ap.add_argument("--documents", "-n", type=int, default=16000,
                    help="number of documents (default: 16000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    ap.add_argument("--overwrite", action="store_true",
                    help="delete existing *.txt files in OUT_DIR first")
    ap.add_argument("--verbose", "-v", action="store_true", help="also print the layout mix")
    args = ap.parse_args(argv)
    try:
        s = generate_corpus(args.out_dir, args.documents, args.seed, args.overwrite)
    except (FileExistsError, ValueError) as e:
        print(f"generate_corpus: {e}", file=sys.stderr)
        return 2
    mean_kb = s["bytes"] / max(1, s["documents"]) / 1024
    print(f"wrote {s['documents']} documents to {s['out_dir']}: {s['bytes'] / 1e6:.1f} MB "
          f"(mean {mean_kb:.1f} KB/doc, seed {s['seed']}, {s['seconds']:.1f} s)")
    if args.verbose:
        print("layouts: " + ", ".join(f"{k}={v}" for k, v in sorted(s["layouts"].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
