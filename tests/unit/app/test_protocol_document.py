"""The protocol document: kk/ru HTML, the bilingual PDF, its hash, and what personal data it may hold."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from pypdf import PdfReader

from app.protocol.document import (
    ProtocolDataError,
    content_hash,
    render_html,
    render_pdf,
)
from app.protocol.sample import SAMPLE_NAMES, sample_protocol_data
from app.protocol.texts import COMMISSION_ROLES, ELIMINATION_REASONS, LABELS, STAGE_NAMES, TIE_BREAKS
from app.rules.competition import ELIMINATION_CODES, STAGES

KAZAKH_LETTERS = "әғқңөұүһі"
FINALISTS = ("A-1001", "A-1004", "A-1005")
NOT_FINALISTS = ("A-1002", "A-1003", "A-1006")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(sample_protocol_data())


def _pdf_text(pdf_bytes: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_every_stage_reason_role_and_tie_break_has_words_in_both_languages(locale: str) -> None:
    assert set(STAGE_NAMES[locale]) == set(STAGES)
    assert set(ELIMINATION_REASONS[locale]) == set(ELIMINATION_CODES)
    assert set(COMMISSION_ROLES[locale]) == {"chair", "member", "secretary"}
    assert set(TIE_BREAKS[locale]) == {"experience", "education"}
    assert set(LABELS[locale]) == set(LABELS["kk"])


def test_the_sample_runs_through_the_real_rules() -> None:
    data = sample_protocol_data(competition_id=7)
    assert [stage.stage for stage in data.stages] == [
        "eligibility",
        "personal_qualities",
        "reasoning",
        "essay",
        "interview",
        "final",
    ]
    assert [(row.ref, row.rank, row.total) for row in data.ranking] == [
        ("A-1004", 1, 3.46),
        ("A-1001", 2, 2.985),
        ("A-1005", 3, 2.82),
    ]
    assert data.winner == "A-1004"
    assert data.stages[0].eliminated == {"A-1002": "legislation_total_below_minimum"}
    assert data.stages[1].eliminated == {"A-1003": "personal_qualities_unreliable"}
    assert data.stages[3].eliminated == {"A-1006": "essay_below_minimum"}
    assert set(data.finalist_names) == set(FINALISTS)


def test_kazakh_html_names_stages_reasons_codes_and_scores() -> None:
    html = render_html(sample_protocol_data(competition_id=7), "kk")
    assert html.startswith('<!DOCTYPE html>\n<html lang="kk">')
    assert "Конкурстық комиссия отырысының хаттамасы" in html
    assert "Хаттама № 7-1" in html
    assert "Жеке қасиеттерді бағалау" in html
    assert "шықты: жеке қасиеттерді бағалау жауаптары сенімсіз деп танылды" in html
    assert "шықты: эссе бағасы шекті мәннен төмен" in html
    assert "<td>A-1006</td><td>шықты: эссе бағасы шекті мәннен төмен</td><td>3, 3, 2</td>" in html
    assert "<td>1</td><td>A-1004</td><td>Ұзақбаев Дәулет Іргебайұлы</td><td>3,46</td><td>—</td>" in html
    assert "Жеңімпаз:</b> A-1004 — Ұзақбаев Дәулет Іргебайұлы" in html
    assert "Тағайындау мерзімі: 27.03.2026 — 02.04.2026" in html
    assert "Бекмұхамбетов Қайрат Әбілұлы</td><td>комиссия төрағасы" in html
    for code in FINALISTS + NOT_FINALISTS:
        assert f"<td>{code}</td>" in html
    assert "Протокол" not in html


def test_russian_html_is_the_same_protocol_in_russian() -> None:
    html = render_html(sample_protocol_data(competition_id=7), "ru")
    assert '<html lang="ru">' in html
    assert "Протокол заседания конкурсной комиссии" in html
    assert "Протокол № 7-1" in html
    assert "выбыл: недостаточно верных ответов по законодательству в сумме" in html
    assert "<td>2</td><td>A-1001</td><td>Әлімжанова Гүлнұр Серікқызы</td><td>2,985</td><td>—</td>" in html
    assert "Срок представления документов победителем: 26.03.2026" in html
    assert "Хаттама" not in html


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_html_holds_no_personal_data_but_the_final_rankings_names(locale: str) -> None:
    html = render_html(sample_protocol_data(), locale)
    for ref in FINALISTS:
        assert html.count(SAMPLE_NAMES[ref]) == (2 if ref == "A-1004" else 1)  # the winner is named twice
    for ref in NOT_FINALISTS:
        assert SAMPLE_NAMES[ref] not in html
        assert SAMPLE_NAMES[ref].split()[0] not in html
    assert re.search(r"\d{12}", html) is None  # no IIN


def test_a_name_outside_the_final_ranking_is_refused() -> None:
    data = sample_protocol_data()
    with pytest.raises(ProtocolDataError, match="A-1002, who is not in the final ranking"):
        dataclasses.replace(data, finalist_names={**data.finalist_names, "A-1002": SAMPLE_NAMES["A-1002"]})
    with pytest.raises(ProtocolDataError, match="no name for A-1005"):
        dataclasses.replace(data, finalist_names={k: v for k, v in data.finalist_names.items() if k != "A-1005"})


def test_unknown_codes_stages_and_locales_are_refused() -> None:
    data = sample_protocol_data()
    with pytest.raises(ProtocolDataError, match="member scores for a stage the members do not score: 'reasoning'"):
        dataclasses.replace(data, member_scores={"reasoning": {"A-1001": (3,)}})
    with pytest.raises(ProtocolDataError, match="unknown elimination code 'late'"):
        dataclasses.replace(data, stages=(dataclasses.replace(data.stages[0], eliminated={"A-1002": "late"}),))
    with pytest.raises(ProtocolDataError, match="not 'en'"):
        render_html(data, "en")


def test_escapes_html_in_the_data() -> None:
    data = dataclasses.replace(sample_protocol_data(), vacancy_title_ru="<script>alert(1)</script> & Co")
    html = render_html(data, "ru")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_pdf_bytes_and_hash_are_the_same_for_the_same_data(pdf: bytes) -> None:
    again = render_pdf(sample_protocol_data())
    assert again == pdf
    assert content_hash(again) == content_hash(pdf)
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(pdf))
    assert pdf.startswith(b"%PDF-")


def test_the_hash_changes_with_the_data(pdf: bytes) -> None:
    assert content_hash(render_pdf(sample_protocol_data(version=2))) != content_hash(pdf)
    renamed = dataclasses.replace(sample_protocol_data(), vacancy_title_kk="Бөлім басшысы")
    assert content_hash(render_pdf(renamed)) != content_hash(pdf)


def test_pdf_text_is_kazakh_then_russian_with_every_kazakh_letter(pdf: bytes) -> None:
    pages = _pdf_text(pdf)
    text = "\n".join(pages)
    assert pages[0].startswith("Конкурстық комиссия отырысының")
    kazakh_end = text.index("Протокол заседания")
    assert text.index("Хаттама № 1-1") < kazakh_end < text.index("Протокол № 1-1")
    # Every Kazakh letter, and the capitals that begin words (no Kazakh word begins with Ң).
    for letter in KAZAKH_LETTERS + "ӘҒҚӨҰҮҺІ":
        assert letter in text, letter
    assert "Ұзақбаев Дәулет Іргебайұлы" in text
    assert "Шәкенова Һадия Ғалымқызы" in text
    assert SAMPLE_NAMES["A-1006"] not in text
    assert "не вошёл в число лучших" not in text  # nobody left at reasoning in the sample
