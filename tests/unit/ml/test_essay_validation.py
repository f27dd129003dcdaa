"""Essay validation (``ml.essay_scoring.validation``) and language detection (``ml.essay_scoring.language``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules.member_scores import count_essay_words as rules_count_essay_words
from ml.essay_scoring.api import (
    REASON_EMPTY,
    REASON_LANGUAGE_MISMATCH,
    REASON_NOT_TEXT,
    REASON_OVER_WORD_LIMIT,
    REASONS,
    EssayInput,
)
from ml.essay_scoring.language import detect_language
from ml.essay_scoring.text_features import count_essay_words
from ml.essay_scoring.validation import check_essay

KAZAKH_SENTENCES = [
    "Мемлекеттік қызмет халыққа адал қызмет етуі тиіс.",
    "Цифрландыру мемлекеттік органдардың жұмысын жеделдетеді.",
    "Меритократия — заманауи мемлекеттік қызметтің негізі.",
    "Әр шенеунік Әдеп кодексін сақтауға міндетті.",
    "Ашық конкурстар талантты жастарды мемлекеттік қызметке тартады.",
    "Басшы өз командасының нәтижесіне жауап береді.",
    "Азаматтар сапалы мемлекеттік қызметтерді күтеді.",
    "Бюрократия өңірлердің дамуын тежейді.",
    "Реформа қоғамға пайда әкеледі деп ойлаймын.",
    "Сыбайлас жемқорлыққа қарсы саясат жүйелілікті талап етеді.",
    "Мен бұл мәселе туралы көп ойландым.",
    "Ол кеше ауылға келді ме екен?",
]
RUSSIAN_SENTENCES = [
    "Государственная служба должна честно служить народу.",
    "Цифровизация меняет работу госорганов очень быстро.",
    "Открытость власти укрепляет доверие граждан к государству.",
    "Меритократия — основа современной государственной службы.",
    "Каждый чиновник обязан соблюдать Кодекс этики.",
    "Прозрачные конкурсы привлекают талантливую молодёжь на службу.",
    "Руководитель отвечает за результаты своей команды.",
    "Граждане ждут качественных государственных услуг.",
    "Бюрократия тормозит развитие регионов нашей страны.",
    "Считаю, что реформа принесёт пользу обществу.",
    "Антикоррупционная политика требует последовательности и воли.",
    "Коррупция — это зло, с которым надо бороться.",
]


@pytest.mark.parametrize("sentence", KAZAKH_SENTENCES)
def test_short_kazakh_sentences_read_as_kazakh(sentence: str) -> None:
    assert detect_language(sentence) == "kk"


@pytest.mark.parametrize("sentence", RUSSIAN_SENTENCES)
def test_short_russian_sentences_read_as_russian(sentence: str) -> None:
    assert detect_language(sentence) == "ru"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # A Kazakh essay quoting a Russian law title stays Kazakh.
        (
            "Мен «О государственной службе Республики Казахстан» Заңының талаптарын жақсы білемін және оларды "
            "әрдайым орындаймын.",
            "kk",
        ),
        # A Russian essay naming a Kazakh programme stays Russian.
        ("Программа «Мәңгілік Ел» стала основой для развития нашей страны и общества.", "ru"),
        # A Latin «i» typed for «і» inside Cyrillic words is still Kazakh.
        ("Мемлекеттiк қызметшiлер халыққа адал болуы керек", "kk"),
        ("Мен мектепте оқимын", "kk"),
        ("Public servants must serve people honestly.", "en"),
        ("Technology changes how people live and work today.", "en"),
        # Kazakh and Russian transliterated into Latin letters: undecided, not English.
        ("Memlekettik qyzmet halyqqa adal qyzmet etui tiis.", None),
        ("Gosudarstvennaya sluzhba dolzhna chestno sluzhit narodu, a to budet ploho.", None),
        ("Memlekettık qyzmet halyqqa adal qyzmet etuı tiıs.", None),  # the 2021 Latin alphabet
        ("Der Staat dient den Bürgern jeden Tag.", None),
        # No evidence either way (a name and a shared loanword), balanced evidence, no letters.
        ("Президент Назарбаев", None),
        ("Жаңа закон для жастар", None),
        ("2025 — 615, 423!", None),
        ("", None),
    ],
)
def test_mixed_transliterated_and_undecided_texts(text: str, language: str | None) -> None:
    assert detect_language(text) == language


# --- the word count of the rules ---------------------------------------------------------------------------

WORD_COUNT_TEXTS = [
    "",
    "   \n\t ",
    "Мемлекеттік қызмет — халыққа қызмет.",
    "Государственная служба – это служение обществу!",
    "Civil service is   public service.\nAlways.",
    "іс-әрекет жоспары 2026 жылға арналған",
    "... — - ,",
    "«Әділет» and «Justice»",
    "e-gov.kz l'état",
    "Сөз\u00a0сөз\u2003сөз",  # no-break space and em space split words as str.split() does
    "сөз\u200bсөз",  # a zero-width space does not
    "1) бірінші; 2) екінші; 3) үшінші.",
    "— Иә, — деді ол. — Дұрыс!",
    "@CAPS1 and @PERSON2 went to the @LOCATION1.",
    "😀 🙂 ok",
    "²³ ½ Ⅻ",
    "word,word,word",
    "т.б. т.с.с. ст. 12",
    "\n\nПервый абзац.\n\nВторой абзац.\n",
    "a\u0306 й ё\u0308",
]


def test_twenty_varied_texts_are_counted_exactly_as_the_rules_count_them() -> None:
    assert len(WORD_COUNT_TEXTS) == 20
    counts = [count_essay_words(text) for text in WORD_COUNT_TEXTS]
    assert counts == [rules_count_essay_words(text) for text in WORD_COUNT_TEXTS]
    assert counts == [0, 0, 4, 5, 6, 5, 0, 3, 2, 3, 1, 6, 4, 7, 1, 3, 1, 4, 4, 3]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(), max_size=60))
def test_any_text_is_counted_as_the_rules_count_it(text: str) -> None:
    assert count_essay_words(text) == rules_count_essay_words(text)


# --- check_essay --------------------------------------------------------------------------------------------

KAZAKH_ESSAY = " ".join(KAZAKH_SENTENCES)
RUSSIAN_ESSAY = " ".join(RUSSIAN_SENTENCES)
ENGLISH_ESSAY = "Computers are good for society because they help us learn. I think people should use them."


@pytest.mark.parametrize(
    ("essay", "reason"),
    [
        (EssayInput(KAZAKH_ESSAY, "kk", word_limit=200), None),
        (EssayInput(RUSSIAN_ESSAY, "ru", word_limit=200), None),
        (EssayInput(ENGLISH_ESSAY, "en"), None),
        (EssayInput(KAZAKH_ESSAY.replace(". ", ".\n\t"), "kk"), None),  # newlines and tabs are text
        (EssayInput("", "kk"), REASON_EMPTY),
        (EssayInput("  \n\t ", "ru"), REASON_EMPTY),
        (EssayInput("2025 — 615, 423!", "kk"), REASON_EMPTY),  # no letter
        (EssayInput(KAZAKH_ESSAY + "\x00", "kk"), REASON_NOT_TEXT),
        (EssayInput("\x00\x00", "kk"), REASON_NOT_TEXT),  # garbage before emptiness
        (EssayInput(RUSSIAN_ESSAY + "\x1b[0m", "ru"), REASON_NOT_TEXT),
        (EssayInput("Мемлекеттік \ufffd қызмет", "kk"), REASON_NOT_TEXT),
        (EssayInput("Мемлекеттік \ud800 қызмет", "kk"), REASON_NOT_TEXT),  # a lone surrogate
        (EssayInput("PK\x03\x04 binary", "en"), REASON_NOT_TEXT),
        (EssayInput("2025, 2026, 2027 жыл: 615/423 = 1,45", "kk"), REASON_NOT_TEXT),  # 3 letters of 24
        (EssayInput(RUSSIAN_ESSAY, "kk"), REASON_LANGUAGE_MISMATCH),
        (EssayInput(KAZAKH_ESSAY, "ru"), REASON_LANGUAGE_MISMATCH),
        (EssayInput(ENGLISH_ESSAY, "kk"), REASON_LANGUAGE_MISMATCH),
        (EssayInput(KAZAKH_ESSAY, "en"), REASON_LANGUAGE_MISMATCH),
        # Kazakh in Latin letters is undecided, so a Kazakh topic lets it through; English checks script only.
        (EssayInput("Memlekettik qyzmet halyqqa adal qyzmet etui tiis.", "kk"), None),
        (EssayInput("Memlekettik qyzmet halyqqa adal qyzmet etui tiis.", "en"), None),
        (EssayInput("Мен «О государственной службе» Заңын құрметтеймін және оны орындаймын.", "kk"), None),
        (EssayInput(" ".join(["сөз"] * 200) + " —", "kk", word_limit=200), None),
        (EssayInput(" ".join(["сөз"] * 201), "kk", word_limit=200), REASON_OVER_WORD_LIMIT),
        (EssayInput(" ".join(["сөз"] * 201), "kk"), None),  # no limit, no check
        (EssayInput(" ".join(["которые"] * 201), "kk", word_limit=200), REASON_LANGUAGE_MISMATCH),  # language first
    ],
)
def test_check_essay_gives_the_first_failing_reason(essay: EssayInput, reason: str | None) -> None:
    assert check_essay(essay) == reason


def test_bytes_are_not_text() -> None:
    essay = EssayInput("Мемлекеттік қызмет".encode(), "kk")  # type: ignore[arg-type]
    assert check_essay(essay) == REASON_NOT_TEXT


def test_an_unknown_essay_language_is_the_callers_error() -> None:
    with pytest.raises(ValueError, match="not 'de'"):
        check_essay(EssayInput("Der Staat dient den Bürgern.", "de"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(), language=st.sampled_from(["kk", "ru", "en"]), limit=st.none() | st.integers(0, 50))
def test_any_text_gets_a_known_reason_or_none(text: str, language: str, limit: int | None) -> None:
    reason = check_essay(EssayInput(text, language, word_limit=limit))
    assert reason is None or reason in REASONS
    if not any(char.isalpha() for char in text):
        assert reason in {REASON_EMPTY, REASON_NOT_TEXT}
