"""Which language an essay is written in: Kazakh, Russian, English, or undecided (``None``).

The script decides first: more Cyrillic than Latin letters reads as Kazakh or Russian, otherwise as
Latin. Among Cyrillic words, Kazakh is told from Russian by evidence counted word by word:

* Kazakh: a word holding a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і; a Latin ``i`` inside a Cyrillic word,
  an old keyboard habit, counts as ``і``), or a Kazakh function word (qaznltk's stop words less the ones
  Russian writes too: ``и``, ``да``, ``не``, ``та``, ``те``, ``потом``, ``типа``);
* Russian: a Russian function word, a word with ``ь ъ щ ё``, or a word of five letters or more with a
  Russian inflection (``-ого``, ``-ая``, ``-ться``, ``-ение`` …) — but never a word with a Kazakh letter.

A language is returned only when its evidence is at least twice the other's (``CONFIDENCE_RATIO``), so
a Kazakh essay quoting a Russian law title stays Kazakh and a Russian essay naming «Мәңгілік Ел» stays
Russian; words with no evidence either way (names, shared loanwords) are ignored. One word of evidence
against none is enough, so a five-word sentence is decided (the tests hold a dozen of each language).
Only Kazakh and Russian are told apart: Ukrainian or Belarusian (their ``і``) would read as Kazakh.

Latin script: ``"en"`` when English function words make at least ``ENGLISH_MIN_SHARE`` of the Latin
words, otherwise ``None`` — Kazakh or Russian transliterated into Latin letters (``Memlekettik qyzmet``,
``gosudarstvennaya sluzhba``) and other Latin-script languages are undecided, not English. Words that
read as function words in a transliteration (``a``, ``i``, ``to``, ``on``, ``no``, ``so``, ``do``,
``by``, ``be``, ``at``, ``more``) are left out of the English list for that reason.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import qaznltk

Language = Literal["kk", "ru", "en"]

CONFIDENCE_RATIO: Final = 2.0
"""The winning language needs at least this many times the other's evidence."""

ENGLISH_MIN_SHARE: Final = 0.15
"""Share of English function words among Latin words for a Latin text to read as English."""

KAZAKH_LETTERS: Final = frozenset("әғқңөұүһі")


def word_set(text: str) -> frozenset[str]:
    """The space-separated words of ``text`` as a set (how the word lists here are written)."""
    return frozenset(text.split())


# Russian function words: prepositions, conjunctions, particles, pronouns and auxiliaries.
RUSSIAN_STOP_WORDS: Final = word_set(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне было "
    "вот от меня еще ещё нет о об обо из ему теперь когда даже ну ли если уже или ни быть был него до вас "
    "нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем "
    "была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем "
    "ним здесь этом один почти мой тем чтобы нее неё сейчас были куда зачем всех никогда можно при наконец "
    "два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя "
    "впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между "
    "также это наш ваш который которая которое которые которых которым является являются должен должна "
    "должны очень свой своей своих свои этих такие таких каждый каждого однако поэтому ради"
)

# Kazakh function words with no Russian twin: qaznltk's list less the words Russian uses too.
_SHARED_OR_RUSSIAN: Final = frozenset({"и", "да", "не", "та", "те", "потом", "типа"})
KAZAKH_STOP_WORDS: Final = frozenset(word.lower() for word in qaznltk.get_stop_words())
_KAZAKH_MARKERS: Final = KAZAKH_STOP_WORDS - _SHARED_OR_RUSSIAN
_RUSSIAN_MARKERS: Final = RUSSIAN_STOP_WORDS - KAZAKH_STOP_WORDS

ENGLISH_STOP_WORDS: Final = word_set(
    "the of and that is in for with this are was were not have has had it its they their them we our you "
    "your he his she her which who whom what when where why how will would can could should must may might "
    "from or but if because about than all there been these those an as does did also into only other such "
    "some any very most many much then while each both own same just being after before over under between "
    "through during without again a i to on no so do by be at more"
)
# Words a transliterated Kazakh or Russian text also writes (а→a, и→i, то→to, он→on, но→no, со→so,
# до→do, бы→by, бе→be, ат→at, море→more): stop words, but no evidence of English.
_ENGLISH_MARKERS: Final = ENGLISH_STOP_WORDS - {"a", "i", "to", "on", "no", "so", "do", "by", "be", "at", "more"}

_RUSSIAN_ENDINGS: Final = (
    "ого",
    "его",
    "ому",
    "ему",
    "ыми",
    "ими",
    "ая",
    "яя",
    "ое",
    "ые",
    "ых",
    "ться",
    "тся",
    "ть",
    "ость",
    "ение",
    "ения",
    "ении",
    "ание",
    "ания",
    "ании",
    "ный",
    "ной",
    "ская",
    "ский",
    "ской",
    "ства",
    "ство",
    "ую",
    "юю",
    "ию",
    "ами",
    "ями",
    "ах",
    "ях",
    "ют",
    "ят",
    "ом",
    "ов",
)
_RUSSIAN_LETTERS: Final = frozenset("ьъщё")
_WORD: Final = re.compile(r"[^\W\d_]+")
_CYRILLIC_CHAR: Final = re.compile("[\u0400-\u04ff]")
# The letters of Basic Latin, Latin-1 (ª µ º and À–ÿ less × ÷) and Latin Extended-A/B, as str.isalpha() has them.
_LATIN_LETTER: Final = re.compile("[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _is_latin(char: str) -> bool:
    return char.isalpha() and char < "\u0250"


def script_letters(text: str) -> tuple[int, int]:
    """How many Cyrillic and how many Latin letters ``text`` holds."""
    return len(_CYRILLIC_CHAR.findall(text)), len(_LATIN_LETTER.findall(text))


def _kazakh_or_russian(words: list[str]) -> Language | None:
    kazakh = russian = 0
    for word in words:
        if not KAZAKH_LETTERS.isdisjoint(word) or "i" in word or word in _KAZAKH_MARKERS:
            kazakh += 1
        elif (
            word in _RUSSIAN_MARKERS
            or not _RUSSIAN_LETTERS.isdisjoint(word)
            or (len(word) >= 5 and word.endswith(_RUSSIAN_ENDINGS))
        ):
            russian += 1
    if kazakh and kazakh >= CONFIDENCE_RATIO * russian:
        return "kk"
    if russian and russian >= CONFIDENCE_RATIO * kazakh:
        return "ru"
    return None


def detect_language(text: str) -> Language | None:
    """``"kk"``, ``"ru"`` or ``"en"`` when the text reads confidently as one of them, else ``None``.

    ``None`` also for text without letters, for Latin-script text that is not English, and for
    Cyrillic text with no or balanced evidence (a list of names or shared loanwords).
    """
    if not isinstance(text, str):
        return None
    lowered = unicodedata.normalize("NFC", text).lower()
    cyrillic, latin = script_letters(lowered)
    if cyrillic == 0 and latin == 0:
        return None
    words = _WORD.findall(lowered)
    if cyrillic >= latin:
        return _kazakh_or_russian([word for word in words if any(_is_cyrillic(char) for char in word)])
    latin_words = [word for word in words if all(_is_latin(char) for char in word)]
    english = sum(1 for word in latin_words if word in _ENGLISH_MARKERS)
    if english and english >= ENGLISH_MIN_SHARE * len(latin_words):
        return "en"
    return None
