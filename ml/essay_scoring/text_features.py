"""Language-aware surface features of an essay: length, sentences, lexical diversity, paragraphing, repetition.

Words: Kazakh through qaznltk's word tokeniser (``qaznltk.utils.tokenize_words``: ``\\w+(?:-\\w+)*`` on
lower-cased text; ``qaznltk.tokenize`` itself drops stop words and returns counts), Russian and
English through a regex of the same shape that also keeps apostrophes (``l'état``, ``don't``); a token
counts as a word when it holds a letter (numbers are measured by ``digit_share``). Sentences: qaznltk's
``sent_tokenize`` for Kazakh, a regex split after ``. ! ? …`` for Russian and English, each line
(paragraph) apart; a piece that starts with a lower-case letter, or follows an abbreviation or an
initial (``т.б.``, ``ст.``, ``e.g.``, ``Қ.``), is joined back to the one before. Paragraphs are the
lines with a letter or digit (one newline or more ends a paragraph).

The limit ratio counts words as the rules do (:func:`count_essay_words`: whitespace tokens with a
letter or digit), since that is the count the limit is judged by.

Every feature is a float, 0 for empty text; the function never raises on odd text and is
deterministic. About 1–2 ms for a 600-word essay on this 2-core machine (timeit).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Final

import qaznltk
from qaznltk.utils import tokenize_words as qaznltk_words

from ml.essay_scoring.language import ENGLISH_STOP_WORDS, KAZAKH_STOP_WORDS, RUSSIAN_STOP_WORDS, word_set

FEATURE_NAMES: Final = (
    "words",  # word tokens with a letter
    "log_words",  # ln(1 + words)
    "words_to_limit",  # the rules' word count / word_limit; 0 without a limit
    "characters",  # characters of the trimmed text
    "sentences",
    "mean_sentence_words",
    "std_sentence_words",  # population standard deviation
    "mean_word_length",  # letters per word
    "long_word_share",  # words of 7 letters or more
    "very_long_word_share",  # words of 13 letters or more
    "type_token_ratio",
    "guiraud",  # types / sqrt(tokens)
    "mtld",  # McCarthy & Jarvis (2010), threshold 0.72, mean of both directions
    "hapax_share",  # types used once / types
    "paragraphs",
    "words_per_paragraph",
    "repeated_trigram_share",  # word 3-grams that repeat an earlier one / all 3-grams
    "top_content_word_share",  # the most frequent non-stop word's count / non-stop words
    "stop_word_share",
    "connectives_per_sentence",  # discourse markers: firstly, therefore, however …
    "punctuation_per_sentence",  # characters neither word nor space
    "commas_per_sentence",
    "questions_per_sentence",
    "exclamations_per_sentence",
    "digit_share",  # digits / non-space characters
    "capitalised_word_share",  # words whose first letter is upper-case
)

FEATURE_LANGUAGES: Final = ("kk", "ru", "en")
LONG_WORD: Final = 7
VERY_LONG_WORD: Final = 13
MTLD_THRESHOLD: Final = 0.72

STOP_WORDS: Final = {"kk": KAZAKH_STOP_WORDS, "ru": RUSSIAN_STOP_WORDS, "en": ENGLISH_STOP_WORDS}
CONNECTIVES: Final = {
    "kk": word_set(
        "біріншіден екіншіден үшіншіден сондықтан себебі өйткені алайда дегенмен бірақ сонымен сондай-ақ "
        "мысалы демек яғни керісінше қорыта қорытындылай түйіндей әрине сөйтіп нәтижесінде"
    ),
    "ru": word_set(
        "во-первых во-вторых в-третьих поэтому потому следовательно однако но кроме например итак впрочем "
        "значит также наконец действительно безусловно поскольку напротив"
    ),
    "en": word_set(
        "first firstly second secondly third thirdly finally therefore however moreover furthermore because "
        "although though consequently thus hence additionally instead meanwhile example overall conclusion "
        "nevertheless otherwise besides"
    ),
}

_WORD_RU_EN: Final = re.compile(r"\w+(?:[-'’]\w+)*")
_SENTENCE_END: Final = re.compile(r"(?<=[.!?…])\s+")
_ABBREVIATION: Final = re.compile(
    r"(?<![^\W\d_])(?:т\.б|т\.с\.с|т\.е|т\.д|т\.п|жж|гг|ст|пп|см|им|др|e\.g|i\.e|etc|mr|mrs|ms|dr|vs)\.$",
    re.IGNORECASE,
)
_INITIAL: Final = re.compile(r"(?<![^\W\d_])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]\.$")
_WORD_START: Final = re.compile(r"(?<![\w'’-])[^\W\d_]")
_NOT_WORD_OR_SPACE: Final = re.compile(r"[^\w\s]")
_ALNUM: Final = re.compile(r"[^\W_]")  # \w is str.isalnum() plus the underscore


def count_essay_words(text: str) -> int:
    """Words as the selection rules count them: whitespace tokens holding at least one letter or digit.

    The same semantics as ``app.rules.member_scores.count_essay_words`` (``ml`` never imports ``app``;
    a test keeps the two equal).
    """
    return sum(1 for token in text.split() if token.isalnum() or _ALNUM.search(token))


def _zeros() -> dict[str, float]:
    return dict.fromkeys(FEATURE_NAMES, 0.0)


def _split_sentences(paragraph: str, language: str) -> list[str]:
    pieces = qaznltk.sent_tokenize(paragraph) if language == "kk" else _SENTENCE_END.split(paragraph)
    sentences: list[str] = []
    for raw in pieces:
        piece = raw.strip()
        if not piece:
            continue
        if sentences and (piece[0].islower() or _ABBREVIATION.search(sentences[-1]) or _INITIAL.search(sentences[-1])):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def _words(sentence: str, language: str) -> list[str]:
    tokens = qaznltk_words(sentence) if language == "kk" else _WORD_RU_EN.findall(sentence.lower())
    return [token for token in tokens if token.isalpha() or any(char.isalpha() for char in token)]


def _letters(word: str) -> int:
    return len(word) if word.isalpha() else sum(1 for char in word if char.isalpha())


def _mtld_one_way(words: list[str]) -> float:
    factors = 0.0
    types: set[str] = set()
    count = 0
    for word in words:
        count += 1
        types.add(word)
        if len(types) / count <= MTLD_THRESHOLD:
            factors += 1.0
            types, count = set(), 0
    if count:
        factors += (1.0 - len(types) / count) / (1.0 - MTLD_THRESHOLD)
    return len(words) / factors if factors > 0 else float(len(words))


def _mtld(words: list[str]) -> float:
    return (_mtld_one_way(words) + _mtld_one_way(words[::-1])) / 2.0


def text_features(text: str, language: str, word_limit: int | None = None) -> dict[str, float]:
    """The :data:`FEATURE_NAMES` of ``text`` read as ``language`` (``kk``, ``ru`` or ``en``), in that order.

    ``word_limit``: the policy's limit for ``words_to_limit`` (``None`` or 0: the feature is 0).
    """
    if language not in FEATURE_LANGUAGES:
        raise ValueError(f"text features exist for {', '.join(FEATURE_LANGUAGES)}, not {language!r}")
    if not isinstance(text, str):
        return _zeros()
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.strip()
    if not text:
        return _zeros()

    paragraphs = [line for line in text.splitlines() if any(char.isalnum() for char in line)]
    sentence_lengths: list[int] = []
    words: list[str] = []
    for paragraph in paragraphs:
        for sentence in _split_sentences(paragraph, language):
            sentence_words = _words(sentence, language)
            if sentence_words:
                sentence_lengths.append(len(sentence_words))
                words.extend(sentence_words)

    features = _zeros()
    features["characters"] = float(len(text))
    non_space = len("".join(text.split()))
    features["digit_share"] = sum(map(str.isdigit, text)) / non_space if non_space else 0.0
    if word_limit is not None and word_limit > 0:
        features["words_to_limit"] = count_essay_words(text) / word_limit
    features["paragraphs"] = float(len(paragraphs))
    n = len(words)
    if not n:
        return features

    sentences = len(sentence_lengths)
    mean_sentence = n / sentences
    counts = Counter(words)
    types = len(counts)
    letters = [_letters(word) for word in words]
    stop_words = STOP_WORDS[language]
    content = [word for word in words if word not in stop_words]
    content_top = Counter(content).most_common(1)
    trigrams = [(words[i], words[i + 1], words[i + 2]) for i in range(n - 2)]
    word_starts = _WORD_START.findall(text)
    connectives = CONNECTIVES[language]

    features.update(
        {
            "words": float(n),
            "log_words": math.log1p(n),
            "sentences": float(sentences),
            "mean_sentence_words": mean_sentence,
            "std_sentence_words": math.sqrt(
                sum((length - mean_sentence) ** 2 for length in sentence_lengths) / sentences
            ),
            "mean_word_length": sum(letters) / n,
            "long_word_share": sum(1 for length in letters if length >= LONG_WORD) / n,
            "very_long_word_share": sum(1 for length in letters if length >= VERY_LONG_WORD) / n,
            "type_token_ratio": types / n,
            "guiraud": types / math.sqrt(n),
            "mtld": _mtld(words),
            "hapax_share": sum(1 for count in counts.values() if count == 1) / types,
            "words_per_paragraph": n / len(paragraphs),
            "repeated_trigram_share": (1.0 - len(set(trigrams)) / len(trigrams)) if trigrams else 0.0,
            "top_content_word_share": content_top[0][1] / len(content) if content_top else 0.0,
            "stop_word_share": (n - len(content)) / n,
            "connectives_per_sentence": sum(1 for word in words if word in connectives) / sentences,
            "punctuation_per_sentence": len(_NOT_WORD_OR_SPACE.findall(text)) / sentences,
            "commas_per_sentence": text.count(",") / sentences,
            "questions_per_sentence": text.count("?") / sentences,
            "exclamations_per_sentence": text.count("!") / sentences,
            "capitalised_word_share": (
                sum(1 for char in word_starts if char.isupper()) / len(word_starts) if word_starts else 0.0
            ),
        }
    )
    return features
