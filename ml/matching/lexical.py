"""Lexical matching: a Russian/Kazakh/English tokeniser with stemming, and BM25 (``rank-bm25``) with term shares.

Stemming: Snowball Russian for Cyrillic words, Snowball English for Latin ones; Kazakh words
go through the Russian stemmer too (no Kazakh Snowball exists), which only trims shared
endings. The same tokens serve the scores and the explanation ("which terms matched").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import snowballstemmer
from rank_bm25 import BM25Okapi

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)

_STOPWORD_TEXT = (
    # Russian function words and the boilerplate of job ads.
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот "
    "от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять "
    "уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без "
    "будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один "
    "почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после "
    "над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед "
    "иногда лучше чуть том нельзя такой им более всегда конечно всю между также это наш ваш который которые "
    "работы работа опыт опыта наличие знание умение желательно обязательно год года лет "
    # Kazakh function words.
    "және мен бен пен да де та те бұл осы сол ол біз сіз үшін бойынша туралы арқылы немесе не әр барлық "
    # English function words.
    "the a an and or of to in on for with by at is are be as from"
)
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one lower-case word (Russian rules for Cyrillic, English for Latin)."""
    stemmer = _RUSSIAN if _CYRILLIC.search(word) else _ENGLISH
    return str(stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` (``ё`` read as ``е``), stopwords and one-letter words dropped."""
    lowered = text.casefold().replace("ё", "е")
    return [word for word in _WORD.findall(lowered) if len(word) > 1 and word not in STOPWORDS]


def tokenize(text: str) -> list[str]:
    """Stemmed tokens of ``text``: what BM25 indexes and matches."""
    return [stem(word) for word in words(text)]


def surface_forms(text: str) -> dict[str, str]:
    """Each stem of ``text`` with the first word that produced it, to show people a real word."""
    forms: dict[str, str] = {}
    for word in words(text):
        forms.setdefault(stem(word), word)
    return forms


class BM25:
    """Okapi BM25 over tokenised documents (``rank_bm25.BM25Okapi``) with per-term contributions."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.size = len(documents)
        # rank_bm25 divides by the corpus size: an empty corpus or all-empty documents get a placeholder.
        corpus = [list(doc) for doc in documents] or [[]]
        if not any(corpus):
            corpus = [*corpus[:-1], ["\x00"]]
        self._model = BM25Okapi(corpus, k1=k1, b=b)
        self.k1, self.b = k1, b

    def scores(self, query: Sequence[str]) -> npt.NDArray[np.float64]:
        """BM25 score of every document for ``query``."""
        if self.size == 0:
            return np.zeros(0)
        return np.asarray(self._model.get_scores(list(query)), dtype=np.float64)[: self.size]

    def contributions(self, query: Sequence[str], document: int) -> dict[str, float]:
        """Each query term's share of one document's score (terms absent from the document are left out)."""
        model = self._model
        frequencies = model.doc_freqs[document]
        length = model.doc_len[document]
        out: dict[str, float] = {}
        for term in dict.fromkeys(query):
            count = frequencies.get(term, 0)
            if not count:
                continue
            idf = model.idf.get(term, 0.0)
            value = idf * count * (self.k1 + 1) / (count + self.k1 * (1 - self.b + self.b * length / model.avgdl))
            out[term] = out.get(term, 0.0) + float(value) * list(query).count(term)
        return out
