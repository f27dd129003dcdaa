"""Loading and validating the item bank: schema and semantic problems with their exact file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from app.items.bank import DEFAULT_BANK_PATH, InvalidItemBankError, dump_yaml, load_bank, validate_path
from app.items.item import compute_content_hash
from tests.factories.items import item_document, make_item


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _raw(document: dict[str, object]) -> str:
    return str(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


VALID = """
id: leg-const-0001
version: 1
programme: legislation
section: constitution
type: single_choice
text:
  kk:
    stem: Сұрақ?
    options:
    - {id: a, text: бір}
    - {id: b, text: екі}
  ru:
    stem: Вопрос?
    options:
    - {id: a, text: один}
    - {id: b, text: два}
key: b
source: {act: constitution, article: "12"}
review: {status: approved, by: tester, at: 2025-01-15}
demo: true
content_hash: HASH
"""


def valid_text(**replace: str) -> str:
    text = VALID
    for old, new in replace.items():
        text = text.replace(old, new)
    if "HASH" in text:
        document = yaml.safe_load(text.replace("content_hash: HASH", ""))
        text = text.replace("HASH", compute_content_hash(document))
    return text


def test_a_valid_item_loads_with_both_languages(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", valid_text())
    bank = load_bank(tmp_path)
    item = bank.get("leg-const-0001")
    assert (item.text("kk").stem, item.text("ru").stem, item.key) == ("Сұрақ?", "Вопрос?", "b")
    assert item.review.at == "2025-01-15"  # a date stays text
    assert item.computed_hash() == item.content_hash
    assert validate_path(tmp_path) == []


def test_schema_problem_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", valid_text(**{"    stem: Вопрос?\n": ""}))
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{path}:12: text.ru: 'stem' is a required property"
    ]


def test_unknown_programme_and_missing_language(tmp_path: Path) -> None:
    text = valid_text(**{"programme: legislation": "programme: history"})
    path = write(tmp_path / "a.yaml", text.replace("  ru:\n", "  en:\n"))
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{path}:3: programme: 'history' is not one of ['legislation', 'state_language', 'personal_qualities', "
        "'reasoning_text', 'reasoning_numeric']",
        f"{path}:6: text: 'ru' is a required property",
        f"{path}:6: text: Additional properties are not allowed ('en' was unexpected)",
    ]


def test_key_not_among_options(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", valid_text(**{"key: b": "key: c"}))
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{path}:17: key c is not among the options (a, b)"
    ]


def test_option_ids_must_match_between_languages(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", valid_text(**{"{id: b, text: два}": "{id: c, text: два}"}))
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{path}:14: option ids differ between kk (a, b) and ru (a, c)"
    ]


def test_stored_hash_that_does_not_match_is_an_error(tmp_path: Path) -> None:
    good = valid_text()
    path = write(tmp_path / "a.yaml", good.replace("stem: Вопрос?", "stem: Другой вопрос?"))
    edited = valid_text(**{"stem: Вопрос?": "stem: Другой вопрос?"})
    computed = edited.split("content_hash: ")[1].strip()
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{path}:21: content_hash does not match the content (computed {computed})"
    ]
    with pytest.raises(InvalidItemBankError) as caught:
        load_bank(tmp_path)
    assert caught.value.code == "invalid_item_bank"


def test_hash_ignores_review_and_surrounding_whitespace(tmp_path: Path) -> None:
    text = valid_text().replace("status: approved, by: tester, at: 2025-01-15", "status: draft")
    write(tmp_path / "a.yaml", text.replace("stem: Сұрақ?", "stem: '  Сұрақ?  '"))
    assert validate_path(tmp_path) == []


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", valid_text())
    second = write(tmp_path / "b.yaml", dump_yaml([make_item("leg-const-0001", "legislation", "constitution")]))
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{second}:2: duplicate id leg-const-0001 (first at {tmp_path / 'a.yaml'}:1)"
    ]


def test_yaml_syntax_error_and_duplicate_key(tmp_path: Path) -> None:
    broken = write(tmp_path / "a.yaml", "id: x\ntext: [unclosed\n")
    twice = write(tmp_path / "b.yaml", valid_text().replace("demo: true", "demo: true\nkey: a"))
    assert [str(problem) for problem in validate_path(tmp_path)] == [
        f"{broken}:3: not valid YAML: did not find expected ',' or ']'",
        f"{twice}:21: duplicate key key",
    ]


def test_legislation_items_cite_their_act_and_article(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.yaml", valid_text(**{'source: {act: constitution, article: "12"}': "source: {act: constitution}"})
    )
    assert [str(problem) for problem in validate_path(path)] == [
        f"{path}:18: a constitution item cites the article it tests (source.article)"
    ]


def test_pq_likert_keys_an_end_of_the_scale(tmp_path: Path) -> None:
    document = item_document("pq-x-0001", "personal_qualities", "integrity", key="d")
    document["key"] = "b"
    document["content_hash"] = compute_content_hash(document)
    path = tmp_path / "a.yaml"
    text = _raw(document)
    path.write_text(text, encoding="utf-8")
    key_line = text.splitlines().index("key: b") + 1
    assert [str(problem) for problem in validate_path(path)] == [
        f"{path}:{key_line}: a pq_likert item keys an end of the scale (a or d)"
    ]


def test_scoring_an_answer_by_item_type() -> None:
    choice = make_item("leg-1", "legislation", "ethics", key="c")
    assert [choice.credits(option) for option in "abcd"] == [False, False, True, False]
    positive = make_item("pq-1", "personal_qualities", "integrity", key="d")
    negative = make_item("pq-2", "personal_qualities", "integrity", key="a")
    validity = make_item("pq-3", "personal_qualities", "validity", key="d")
    assert [positive.credits(option) for option in "abcd"] == [False, False, True, True]
    assert [negative.credits(option) for option in "abcd"] == [True, True, False, False]
    assert [validity.credits(option) for option in "abcd"] == [False, False, False, True]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    assert [str(problem) for problem in validate_path(tmp_path / "nope")] == [
        f"{tmp_path / 'nope'}:1: no such file or folder"
    ]


def test_the_committed_bank_is_valid_and_all_demo() -> None:
    bank = load_bank(DEFAULT_BANK_PATH)
    assert len(bank) == 594
    assert all(item.demo and item.approved for item in bank)
    assert all(item.text("kk").stem and item.text("ru").stem for item in bank)
