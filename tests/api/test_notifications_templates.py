"""The template catalogue: every event in Kazakh and Russian, with the same variables, rendered strictly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.i18n.domain import STAGE_NAMES
from app.notifications.templates import (
    EVENTS,
    LOCALES,
    TEMPLATES_DIR,
    TemplateProblem,
    render,
    template_variables,
)
from app.rules import categories

CONTEXT = {
    "anonymous_code": "A-7K3Q9M",
    "vacancy_title": "Бас маман",
    "state_body_name": "Қаржы министрлігі",
    "next_stage": "essay",
    "reason": "Жұмыс өтілі жеткіліксіз",
    "stage": "reasoning",
    "starts_at": datetime(2026, 3, 12, 5, 30, tzinfo=UTC),
    "published_on": date(2026, 3, 12),
    "sign_deadline": date(2026, 3, 13),
    "review_deadline": date(2026, 3, 13),
    "message": "Өтінім беріңіз",
    "vacancy_url": "https://irikteu.kz/api/v1/vacancies/7",
    "region": "Astana",
    "reasons": "функционалдық бағыт — legal",
    "unsubscribe_url": "https://irikteu.kz/api/v1/alerts/unsubscribe?token=t",
    "reset_url": "https://irikteu.kz/password-reset/new?token=t",
    "vacancies": [
        {
            "title": "Бас маман",
            "state_body_name": "Қаржы министрлігі",
            "region": "Astana",
            "url": "https://irikteu.kz/api/v1/vacancies/7",
        }
    ],
    "count": 1,
    "matched": {"kk": "Сіздің ЖСН-іңізбен", "ru": "с Вашим ИИН"},
    "basis": "конкурс",
    "appointment_until": date(2026, 3, 26),
    "documents_due": date(2026, 3, 22),
    "order_number": "45-ЖҚ",
    "appointed_on": date(2026, 3, 20),
    "person": "A-7K3Q9M",
    "what": {"kk": "құжаттарды тапсыру", "ru": "сдачи документов"},
    "deadline": date(2026, 3, 26),
}


def test_every_event_has_a_kazakh_and_a_russian_template_and_nothing_else_is_there() -> None:
    for locale in LOCALES:
        files = {path.stem for path in (TEMPLATES_DIR / locale).glob("*.txt") if not path.name.startswith("_")}
        assert files == set(EVENTS), locale
    assert set(EVENTS) == {
        "application_received",
        "qualification_confirmed",
        "qualification_rejected",
        "stage_passed",
        "stage_not_passed",
        "interview_scheduled",
        "results_published",
        "protocol_ready_to_sign",
        "application_for_review",
        "talent_invitation",
        "vacancy_alert",
        "vacancy_digest",
        "registration_attempt",
        "appointment_offered",
        "appointment_recorded",
        "password_reset",
        "appointment_overdue",
    }


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_both_languages_use_exactly_the_events_variables(event: str) -> None:
    assert template_variables(event, "kk") == template_variables(event, "ru") == EVENTS[event].variables


@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_renders_a_one_line_subject_and_a_body(event: str, locale: str) -> None:
    message = render(event, {name: CONTEXT[name] for name in EVENTS[event].variables}, locale)
    assert message.subject and "\n" not in message.subject and "{" not in message.subject
    assert message.body.endswith("\n") and "{{" not in message.body and "None" not in message.body


def test_every_stage_of_the_rules_has_a_name_in_both_languages() -> None:
    stages = {value for name, value in vars(categories).items() if name.startswith("STAGE_")}
    assert set(STAGE_NAMES) == stages
    assert all(set(names) == set(LOCALES) for names in STAGE_NAMES.values())


def test_a_variable_the_spec_forgot_is_an_error_not_a_gap(tmp_path: Path) -> None:
    for locale in LOCALES:
        (tmp_path / locale).mkdir()
        (tmp_path / locale / "results_published.txt").write_text(
            "{{ vacancy_title }}\n\n{{ published_on|date }} {{ state_body_name }} {{ winner }}\n"
        )
    with pytest.raises(TemplateProblem, match="'winner' is undefined"):
        render("results_published", {k: CONTEXT[k] for k in EVENTS["results_published"].variables}, "kk", tmp_path)


@pytest.mark.parametrize(
    ("locale", "subject", "body"),
    [
        (
            "kk",
            "Өтінім қарауға түсті: Бас маман",
            "Құрметті әріптес!\n\n«Бас маман» бос лауазымына орналасу конкурсына A-7K3Q9M дербес сәйкестендіру нөмірі "
            "бар үміткерден өтінім түсті.\n\nҮміткердің жеке ісінің біліктілік талаптарына сәйкестігін 13.03.2026 ж. "
            "кешіктірмей (бір жұмыс күні ішінде) тексеруіңізді сұраймыз.\n",
        ),
        (
            "ru",
            "Поступила заявка на рассмотрение: Главный специалист",
            "Уважаемый коллега!\n\nПоступила заявка кандидата с персональным идентификационным номером A-7K3Q9M на "
            "участие в конкурсе на занятие вакантной должности «Главный специалист».\n\nПросим проверить соответствие "
            "личного дела кандидата квалификационным требованиям не позднее 13.03.2026 (в течение одного рабочего "
            "дня).\n",
        ),
    ],
)
def test_the_hr_review_request_names_the_deadline(locale: str, subject: str, body: str) -> None:
    context = {
        "anonymous_code": "A-7K3Q9M",
        "vacancy_title": {"kk": "Бас маман", "ru": "Главный специалист"},
        "review_deadline": "2026-03-13",
    }
    message = render("application_for_review", context, locale)
    assert (message.subject, message.body) == (subject, body)
