"""Essay text features (``ml.essay_scoring.text_features``) and the rubric descriptors (``ml.essay_scoring.rubric``)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ml.essay_scoring.language import detect_language
from ml.essay_scoring.rubric import RUBRIC_DIR, RubricError, load_rubric, rubric_texts
from ml.essay_scoring.text_features import FEATURE_NAMES, text_features

# Two paragraphs, four sentences, 21 words; «Мемлекеттік» twice, «қызмет» three times, «заңды» twice.
KAZAKH = (
    "Мемлекеттік қызмет – халыққа қызмет ету. Әр қызметші заңды сақтауы тиіс!\n"
    "Біріншіден, ашықтық маңызды. Сондықтан біз «Мемлекеттік қызмет туралы» Заңды басшылыққа аламыз."
)

RUSSIAN = (
    "Государственная служба существует для граждан. Во-первых, она должна быть открытой, "
    "во-вторых, честной!\n\n"
    "Разве можно доверять чиновнику, который нарушает закон? Нет. Статья 5 Закона это прямо запрещает, "
    "см. ст. 12 Конституции. В 2023 г. реформа началась, и К. Токаев подписал указ."
)


def test_kazakh_paragraph_features_counted_by_hand() -> None:
    features = text_features(KAZAKH, "kk", word_limit=200)
    assert list(features) == list(FEATURE_NAMES)
    assert features == {
        "words": 21.0,
        "log_words": math.log(22),
        "words_to_limit": 21 / 200,
        "characters": 168.0,
        "sentences": 4.0,
        "mean_sentence_words": 5.25,
        "std_sentence_words": math.sqrt(12.75 / 4),  # sentence lengths 5, 5, 3, 8
        "mean_word_length": 139 / 21,
        "long_word_share": 10 / 21,
        "very_long_word_share": 0.0,
        "type_token_ratio": 17 / 21,
        "guiraud": 17 / math.sqrt(21),
        "mtld": pytest.approx(30.87, abs=1e-9),
        "hapax_share": 14 / 17,
        "paragraphs": 2.0,
        "words_per_paragraph": 10.5,
        "repeated_trigram_share": 0.0,
        "top_content_word_share": 3 / 17,  # «қызмет»; біз, туралы, әр, тиіс are qaznltk stop words
        "stop_word_share": 4 / 21,
        "connectives_per_sentence": 2 / 4,  # біріншіден, сондықтан
        "punctuation_per_sentence": 8 / 4,  # – . ! , . « » .
        "commas_per_sentence": 1 / 4,
        "questions_per_sentence": 0.0,
        "exclamations_per_sentence": 1 / 4,
        "digit_share": 0.0,
        "capitalised_word_share": 6 / 21,
    }


def test_russian_sentences_survive_abbreviations_initials_and_questions() -> None:
    features = text_features(RUSSIAN, "ru")
    # «см. ст. 12 …» and «2023 г. реформа …» and «К. Токаев» do not end a sentence; «Нет.» does.
    assert features["sentences"] == 6.0
    assert features["paragraphs"] == 2.0
    assert features["words"] == 37.0  # «во-первых», «во-вторых», «см», «г», «К» one word each; 5, 12, 2023 none
    assert features["connectives_per_sentence"] == 2 / 6
    assert features["questions_per_sentence"] == 1 / 6
    assert features["exclamations_per_sentence"] == 1 / 6
    assert features["commas_per_sentence"] == 6 / 6
    assert features["digit_share"] == 7 / len("".join(RUSSIAN.split()))
    assert features["words_to_limit"] == 0.0


def test_english_word_tokens_keep_apostrophes_and_hyphens() -> None:
    features = text_features("Officials don't ignore well-known rules. They follow them.", "en")
    assert features["words"] == 8.0
    assert features["sentences"] == 2.0
    assert features["stop_word_share"] == 2 / 8  # they, them
    assert features["capitalised_word_share"] == 2 / 8


def test_mtld_counts_full_and_partial_factors_both_ways() -> None:
    # Forward and backward each close a factor at every third word (TTR 2/3 <= 0.72): 6 words / 2 factors.
    assert text_features("cat dog cat dog cat dog.", "en")["mtld"] == 3.0
    # Forward: one factor, then «bird» alone (TTR 1, partial 0) → 4; backward: no full factor, TTR 3/4 left,
    # partial (1 - 0.75) / 0.28 → 4 / 0.892857… = 4.48; the mean is 4.24.
    assert text_features("cat dog cat bird", "en")["mtld"] == pytest.approx(4.24, abs=1e-12)


def test_repetition_features_see_repeated_trigrams_and_a_dominant_word() -> None:
    features = text_features("Закон важен. Закон важен. Закон важен для всех.", "ru")
    # закон важен закон важен закон важен для всех: 6 trigrams, 4 distinct
    assert features["repeated_trigram_share"] == 1 - 4 / 6
    assert features["top_content_word_share"] == 3 / 6  # «закон» (or «важен»); «для», «всех» are stop words
    assert features["stop_word_share"] == 2 / 8
    assert features["type_token_ratio"] == 4 / 8


def test_word_limit_ratio_counts_words_as_the_rules_do() -> None:
    text = "Мемлекеттік қызмет — 2026 жылғы реформа ... іс-әрекет"
    features = text_features(text, "kk", word_limit=10)
    assert features["words_to_limit"] == 6 / 10  # the dash and the ellipsis are no words; 2026 is one
    assert features["words"] == 5.0  # a number is no word for the lexical features
    assert text_features(text, "kk", word_limit=0)["words_to_limit"] == 0.0


@pytest.mark.parametrize("text", ["", "   \n\t  ", "\n\n"])
def test_empty_text_gives_zeros(text: str) -> None:
    assert text_features(text, "ru", word_limit=200) == dict.fromkeys(FEATURE_NAMES, 0.0)


def test_punctuation_only_text_has_characters_and_no_words() -> None:
    features = text_features("... !!! ---", "kk")
    assert features["characters"] == 11.0
    assert features["words"] == 0.0
    assert features["sentences"] == 0.0
    assert features["paragraphs"] == 0.0


def test_unknown_language_is_the_callers_error() -> None:
    with pytest.raises(ValueError, match="not 'de'"):
        text_features("Der Staat dient den Bürgern.", "de")


@settings(max_examples=200, deadline=None)
@given(text=st.text(), language=st.sampled_from(["kk", "ru", "en"]), limit=st.none() | st.integers(-5, 500))
def test_any_text_gives_every_feature_as_a_finite_non_negative_float(
    text: str, language: str, limit: int | None
) -> None:
    features = text_features(text, language, limit)
    assert list(features) == list(FEATURE_NAMES)
    assert all(isinstance(value, float) and math.isfinite(value) and value >= 0 for value in features.values())
    assert features == text_features(text, language, limit)


# --- rubric descriptors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_rubric_has_five_levels_of_two_to_five_sentences_in_its_language(language: str) -> None:
    rubric = load_rubric(language)
    assert list(rubric) == [1, 2, 3, 4, 5]
    for level, descriptor in rubric.items():
        assert 2 <= text_features(descriptor, language)["sentences"] <= 5, level
        assert detect_language(descriptor) == language, level


def test_rubric_texts_holds_both_languages_as_read_from_the_files() -> None:
    texts = rubric_texts()
    assert list(texts) == ["kk", "ru"]
    assert texts["ru"][3] == (RUBRIC_DIR / "ru" / "3.txt").read_text(encoding="utf-8").strip()
    assert texts["kk"][5].startswith("Эссе тақырыпты толық ашады")


def test_missing_or_empty_descriptor_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "kk").mkdir()
    for level in (1, 2, 3, 4):
        (tmp_path / "kk" / f"{level}.txt").write_text(f"Деңгей {level}.", encoding="utf-8")
    with pytest.raises(RubricError, match=r"missing: .*kk/5\.txt"):
        load_rubric("kk", root=tmp_path)
    (tmp_path / "kk" / "5.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(RubricError, match=r"empty: .*kk/5\.txt"):
        load_rubric("kk", root=tmp_path)
    (tmp_path / "kk" / "5.txt").write_text("Деңгей 5.\n", encoding="utf-8")
    assert load_rubric("kk", root=tmp_path)[5] == "Деңгей 5."


def test_rubric_exists_only_in_kazakh_and_russian() -> None:
    with pytest.raises(ValueError, match="not 'en'"):
        load_rubric("en")
