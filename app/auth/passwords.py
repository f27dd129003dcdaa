"""The password rule: long enough, varied enough, and not on the packaged list of common passwords.

Checked where a password is chosen (registration, a staff account, a password change); never on
sign-in, so a password set before the rule still signs in. No network: the list ships with the code
(``app/auth/data/common_passwords.txt``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 200
MIN_DISTINCT_CHARACTERS = 4
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why ``password`` is refused (one English sentence), or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"the password needs at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password has more than {MAX_LENGTH} characters"
    lowered = password.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return f"the password needs at least {MIN_DISTINCT_CHARACTERS} different characters"
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return "the password is on the list of common passwords"
    if email:
        local = email.strip().lower().partition("@")[0]
        if lowered == email.strip().lower() or (len(local) >= 4 and lowered == local):
            return "the password repeats the e-mail address"
    return None


def check_password(password: str, *, email: str | None = None) -> str:
    """``password`` itself, or ``ValueError`` with the reason (for pydantic validators)."""
    problem = password_problem(password, email=email)
    if problem is not None:
        raise ValueError(problem)
    return password
