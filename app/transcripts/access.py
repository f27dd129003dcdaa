"""Who may upload, read and correct an interview's recording and transcript (added to ``app.auth.permissions``).

Only the interview's own people: the HR officers of the competition's state body and the
competition's commission. Uploading is for HR and the commission secretary (who keeps the
record); correcting is for the commission's members, secretary included. Administrators,
proctors, researchers, candidates and other bodies' HR get 403.
"""

from __future__ import annotations

from typing import Any

from app.auth.models import COMMISSION_MEMBER, HR_OFFICER, Account
from app.auth.permissions import all_of, allow, any_of, member_of, role_in, same_state_body

UPLOAD = "interview.recording.upload"
READ = "interview.transcript.read"
CORRECT = "interview.transcript.correct"


def _secretary(account: Account, obj: Any) -> bool:
    """The account holds the competition's non-voting seat (the secretary's)."""
    members: frozenset[int] = getattr(obj, "member_account_ids", frozenset())
    voting: frozenset[int] = getattr(obj, "voting_member_account_ids", frozenset())
    return account.id in set(members) - set(voting)


_HR = all_of(role_in(HR_OFFICER), same_state_body())
_COMMISSION = all_of(role_in(COMMISSION_MEMBER), member_of())

allow(UPLOAD, any_of(_HR, all_of(role_in(COMMISSION_MEMBER), _secretary)))
allow(READ, any_of(_HR, _COMMISSION))
allow(CORRECT, _COMMISSION)
