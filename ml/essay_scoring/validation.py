"""Whether an essay can be pre-scored at all; the reason code of :mod:`ml.essay_scoring.api` when not.

Checks, in order (the first that fails is the reason):

1. ``not_text``: not a ``str`` (bytes), or it holds NUL or other control characters (``\\n \\r \\t``
   allowed), U+FFFD replacement characters or lone surrogates — the marks of a binary file or a bad
   decoding;
2. ``empty_text``: no letter once trimmed;
3. ``not_text``: letters are under half of the characters that are not spaces (a combining accent
   counts as a non-letter: even a fully stress-marked Russian text stays far above half);
4. ``language_mismatch``: for ``kk``/``ru``, :func:`~ml.essay_scoring.language.detect_language`
   reads confidently another language (the other of the two, or English); an undecided text (``None``:
   too little evidence, Kazakh in Latin letters) is given the benefit of the doubt. For ``en``, more
   Cyrillic than Latin letters;
5. ``over_word_limit``: more words than ``word_limit`` when one is given, counted as the rules count
   them (:func:`~ml.essay_scoring.text_features.count_essay_words`).
"""

from __future__ import annotations

import re
from typing import Final

from ml.essay_scoring.api import (
    LANGUAGES,
    REASON_EMPTY,
    REASON_LANGUAGE_MISMATCH,
    REASON_NOT_TEXT,
    REASON_OVER_WORD_LIMIT,
    EssayInput,
)
from ml.essay_scoring.language import detect_language, script_letters
from ml.essay_scoring.text_features import count_essay_words

MIN_LETTER_SHARE: Final = 0.5
"""Letters among non-space characters below this share: not prose (numbers, symbols, code)."""

# C0 and C1 control characters but tab, newline and carriage return; the replacement character; surrogates.
_GARBLED: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")


def _letter_share(text: str) -> float:
    non_space = len("".join(text.split()))
    return sum(map(str.isalpha, text)) / non_space if non_space else 0.0


def check_essay(essay: EssayInput) -> str | None:
    """The reason ``essay`` gets no pre-score (a code of ``api.REASONS``), or ``None`` when it can get one.

    ``essay.language`` outside ``api.LANGUAGES`` is the caller's error (``ValueError``), not the text's.
    """
    if essay.language not in LANGUAGES:
        raise ValueError(f"essay language must be one of {', '.join(LANGUAGES)}, not {essay.language!r}")
    text: object = essay.text
    if not isinstance(text, str) or _GARBLED.search(text):
        return REASON_NOT_TEXT
    stripped = text.strip()
    if not any(char.isalpha() for char in stripped):
        return REASON_EMPTY
    if _letter_share(stripped) < MIN_LETTER_SHARE:
        return REASON_NOT_TEXT
    if essay.language == "en":
        cyrillic, latin = script_letters(stripped)
        if cyrillic > latin:
            return REASON_LANGUAGE_MISMATCH
    else:
        detected = detect_language(stripped)
        if detected is not None and detected != essay.language:
            return REASON_LANGUAGE_MISMATCH
    if essay.word_limit is not None and count_essay_words(text) > essay.word_limit:
        return REASON_OVER_WORD_LIMIT
    return None
