"""Domain error codes as page messages: the field each concerns and its words in the page's language.

Titles come from the service's catalogues (``app.i18n``) by the same stable ``code`` the API
returns; where a page owes the person more than a title (which IIN check failed, the essay's
word count), the web catalogue says it, with the numbers the service put on the error.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import DomainError, Kind
from app.i18n import translate
from app.web.i18n import Texts

FIELD_OF_CODE: dict[str, str] = {
    "iin_length": "iin",
    "iin_not_digits": "iin",
    "iin_century": "iin",
    "iin_birth_date": "iin",
    "iin_check_digit": "iin",
    "iin_already_registered": "iin",
    "email_already_registered": "email",
    "invalid_credentials": "email",
    "consent_required": "consents-selection_rules",
    "essay_over_word_limit": "essay-text",
    "essay_empty": "essay-text",
}
"""The form field a code concerns; codes not named here go to the top of the page only."""

PAGE_TEXTS: dict[str, str] = {
    "iin_length": "The IIN has 12 digits",
    "iin_not_digits": "The IIN has digits only",
    "iin_century": "The 7th digit of the IIN must be from 1 to 6 (century and sex)",
    "iin_birth_date": "The first 6 digits of the IIN are not a real birth date (YYMMDD)",
    "iin_check_digit": "The last digit of the IIN does not match its check digit; look for a mistyped digit",
    "iin_already_registered": "A candidate with this IIN is registered; sign in instead",
    "email_already_registered": "An account with this e-mail exists; sign in instead",
    "invalid_credentials": "The e-mail or password is wrong",
    "consent_required": "Agree to the selection rules and to the processing of personal data to take part",
    "essay_over_word_limit": "The essay has %(word_count)s words; the limit is %(word_limit)s words. Shorten it",
    "essay_empty": "Write the essay before you submit it",
    "already_applied": "You have already applied to this competition",
    "competition_closed": "This competition no longer accepts applications",
    "essay_time_over": "The essay time is over; the last saved text is kept",
    "essay_locked": "The essay is submitted and locked",
    "essay_topic_missing": "The essay topic is not set yet; come back later",
    "stage_not_reached": "You have not reached the essay stage",
    "application_not_confirmed": "The HR service has not confirmed your application yet",
    "no_essay_stage": "This competition has a practical assessment instead of an essay",
    "unsubscribe_token_invalid": "This unsubscribe link is not valid. Copy the whole link from the letter",
    "unsubscribe_token_expired": "This unsubscribe link has expired. Use the link of a newer letter or your "
    "personal account",
    "not_found": "The page or record was not found",
    "booking_too_soon": "Book this test for %(earliest_date)s or later",
    "booking_in_past": "The booked time has passed; choose a later one",
    "already_booked": "You have booked this test already; cancel that booking first",
    "application_required": "Choose the application whose stage this test is",
    "session_not_open": "The test is not open yet",
    "booking_missed": "The booked time is long past; book again",
    "session_time_over": "The time of this test is over",
    "session_submitted": "The test is submitted",
    "password_reset_link_invalid": "This password reset link is not valid or was used already. Ask for a new one",
    "password_reset_link_expired": "This password reset link has expired. Ask for a new one",
}
"""Codes whose page message is the web catalogue's (msgids); ``%(…)s`` are the error's extensions."""


@dataclass(frozen=True)
class FieldError:
    """One message of the error summary, linked to the field it concerns (``field`` is its element id)."""

    field: str
    message: str


def problem_kind(problem: DomainError) -> Kind:
    return problem.kind


def problem_message(problem: DomainError, texts: Texts) -> str:
    """The code's message in the page's language (never the service's English ``detail``)."""
    page_text = PAGE_TEXTS.get(problem.code)
    if page_text is not None:
        values = {
            key: texts.number(value) if isinstance(value, int) else value
            for key, value in problem.extensions.items()
            if isinstance(value, (int, str))
        }
        return texts.gettext(page_text, **values) if "%(" in page_text else texts.gettext(page_text)
    return translate(problem.error.title, texts.locale)


def field_error(problem: DomainError, texts: Texts, default_field: str = "main-content") -> FieldError:
    return FieldError(FIELD_OF_CODE.get(problem.code, default_field), problem_message(problem, texts))
