"""The notification templates in ``prompts/alerts/{kk,ru}``: the catalogue of events and their rendering.

A template's first line is the subject, the second is empty, the rest is the body. Rendering
uses ``StrictUndefined``, so a variable the caller forgot is an error, never a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from app.i18n.domain import STAGE_NAMES
from app.settings import get_settings

TEMPLATES_DIR = get_settings().prompts_dir / "alerts"
LOCALES: tuple[str, ...] = ("kk", "ru")
FOOTER = "_footer.txt"

# Kazakhstan keeps one time zone, UTC+5, since 1 March 2024; a fixed offset keeps the text
# independent of the tz database installed on a server.
ASTANA_TIME = timezone(timedelta(hours=5), "Asia/Astana")


@dataclass(frozen=True)
class EventSpec:
    """One kind of notification: who gets it and the variables its templates need."""

    name: str
    audience: str
    variables: frozenset[str]


def _spec(name: str, audience: str, *variables: str) -> tuple[str, EventSpec]:
    return name, EventSpec(name, audience, frozenset(variables))


EVENTS: dict[str, EventSpec] = dict(
    [
        _spec("application_received", "candidate", "anonymous_code", "vacancy_title", "state_body_name"),
        _spec("qualification_confirmed", "candidate", "anonymous_code", "vacancy_title", "next_stage"),
        _spec("qualification_rejected", "candidate", "anonymous_code", "vacancy_title", "reason"),
        _spec("stage_passed", "candidate", "anonymous_code", "vacancy_title", "stage"),
        _spec("stage_not_passed", "candidate", "anonymous_code", "vacancy_title", "stage"),
        _spec("interview_scheduled", "candidate", "anonymous_code", "vacancy_title", "starts_at"),
        _spec("results_published", "candidate, hr_officer", "vacancy_title", "state_body_name", "published_on"),
        _spec("protocol_ready_to_sign", "commission_member", "vacancy_title", "state_body_name", "sign_deadline"),
        _spec("application_for_review", "hr_officer", "anonymous_code", "vacancy_title", "review_deadline"),
        _spec("talent_invitation", "candidate", "vacancy_title", "state_body_name", "message", "vacancy_url"),
        _spec(
            "vacancy_alert",
            "candidate",
            "vacancy_title",
            "state_body_name",
            "region",
            "reasons",
            "vacancy_url",
            "unsubscribe_url",
        ),
        _spec("vacancy_digest", "candidate", "vacancies", "count", "unsubscribe_url"),
        _spec("registration_attempt", "candidate, staff", "matched"),
        _spec(
            "appointment_offered",
            "candidate",
            "vacancy_title",
            "state_body_name",
            "basis",
            "appointment_until",
            "documents_due",
        ),
        _spec("appointment_recorded", "candidate", "vacancy_title", "state_body_name", "order_number", "appointed_on"),
        _spec("password_reset", "any account", "reset_url"),
        _spec("appointment_overdue", "hr_officer", "vacancy_title", "state_body_name", "person", "what", "deadline"),
    ]
)
"""Every workflow decision that notifies someone; the template files must match this table."""


class TemplateProblem(ValueError):
    """A template or its context is wrong: unknown event or locale, a missing variable, a bad value."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(ASTANA_TIME).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    raise TemplateProblem(f"not a date: {value!r}")


def _as_aware_datetime(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise TemplateProblem(f"not a timezone-aware datetime: {value!r}")
    return moment.astimezone(UTC)


def _filters(locale: str) -> dict[str, Any]:
    def format_date(value: Any) -> str:
        text = _as_date(value).strftime("%d.%m.%Y")
        return f"{text} ж." if locale == "kk" else text

    def format_datetime_local(value: Any) -> str:
        local = _as_aware_datetime(value).astimezone(ASTANA_TIME)
        day, clock = local.strftime("%d.%m.%Y"), local.strftime("%H:%M")
        if locale == "kk":
            return f"{day} ж., сағат {clock} (Астана уақытымен)"
        return f"{day} в {clock} (по времени Астаны)"

    def stage_name(code: Any) -> str:
        names = STAGE_NAMES.get(str(code))
        if names is None:
            raise TemplateProblem(f"unknown stage {code!r}; known: {', '.join(STAGE_NAMES)}")
        return names[locale]

    return {"date": format_date, "datetime_local": format_datetime_local, "stage_name": stage_name}


@lru_cache
def environment(locale: str, directory: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja2 environment of one locale (plain text: no HTML escaping)."""
    if locale not in LOCALES:
        raise TemplateProblem(f"unknown locale {locale!r}; use one of {', '.join(LOCALES)}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory / locale),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
    )
    env.filters.update(_filters(locale))
    return env


def template_variables(event: str, locale: str, directory: Path = TEMPLATES_DIR) -> frozenset[str]:
    """The variables a template file uses (read from its syntax tree, not by rendering)."""
    env = environment(locale, directory)
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, f"{event}.txt")
    return frozenset(meta.find_undeclared_variables(env.parse(source)))


def localize_context(context: dict[str, Any], locale: str) -> dict[str, Any]:
    """Resolve values given in both languages, ``{"kk": ..., "ru": ...}``, to the recipient's one."""
    return {
        key: value[locale] if isinstance(value, dict) and set(value) == set(LOCALES) else value
        for key, value in context.items()
    }


def render(event: str, context: dict[str, Any], locale: str, directory: Path = TEMPLATES_DIR) -> RenderedMessage:
    """Subject and body of ``event`` in ``locale``; every variable of the event must be in ``context``."""
    spec = EVENTS.get(event)
    if spec is None:
        raise TemplateProblem(f"unknown notification event {event!r}")
    missing = sorted(spec.variables - set(context))
    if missing:
        raise TemplateProblem(f"{event}: missing variable(s) {', '.join(missing)}")
    env = environment(locale, directory)
    try:
        text = env.get_template(f"{event}.txt").render(localize_context(context, locale))
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"{event}/{locale}: {exc.message}") from exc
    subject, separator, body = text.partition("\n\n")
    if not separator or "\n" in subject or not subject.strip():
        raise TemplateProblem(f"{event}/{locale}: the first line must be the subject, then an empty line")
    return RenderedMessage(subject=subject.strip(), body=body.strip() + "\n")


def email_footer(locale: str, directory: Path = TEMPLATES_DIR) -> str:
    """The signature appended to e-mails (not to in-app notifications)."""
    return environment(locale, directory).get_template(FOOTER).render().strip() + "\n"
