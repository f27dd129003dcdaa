"""The anonymity scan of the staff pages: every identity of every candidate in the database, and a check
that none of them is in a page a commission member or proctor received before the results are final.

Identities: surname and given name (and patronymic), the IIN, the birth date in both formats pages and
documents use (``17.05.1990`` and ``1990-05-17``), the e-mail and the phone number (as stored, and its digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.crypto import decrypt_iin
from app.candidates.models import Candidate


@dataclass(frozen=True)
class Identity:
    candidate_id: int
    marks: tuple[str, ...]


def identities(session: Session, secret_key: str) -> list[Identity]:
    """What would name each candidate in the database."""
    found = []
    for candidate in session.scalars(select(Candidate)):
        phone_digits = re.sub(r"\D", "", candidate.phone)
        marks = [
            candidate.surname,
            candidate.given_name,
            decrypt_iin(candidate.iin_encrypted, secret_key=secret_key),
            f"{candidate.birth_date:%d.%m.%Y}",
            candidate.birth_date.isoformat(),
            candidate.account.email,
            candidate.phone,
            phone_digits,
        ]
        if candidate.patronymic:
            marks.append(candidate.patronymic)
        found.append(Identity(candidate.id, tuple(mark for mark in marks if len(mark) >= 3)))
    return found


def leaks(html: str, people: list[Identity]) -> list[str]:
    """Each identity found in ``html``."""
    return [f"candidate {person.candidate_id}: {mark!r}" for person in people for mark in person.marks if mark in html]


def assert_anonymous(html: str, people: list[Identity], where: str = "") -> None:
    """Fail naming what leaked; ``people`` must not be empty (a scan of nobody proves nothing)."""
    assert people, "the anonymity scan needs candidates in the database"
    found = leaks(html, people)
    assert not found, f"{where}: the page names candidates: {found}"
