"""The demo people: every README account signs in, and every demo row is marked and valid."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.crypto import decrypt_iin
from app.auth.models import Account, StateBody
from app.candidates.models import Candidate
from app.demo import seed
from app.main import create_app
from app.rules.iin import parse_iin
from tests.conftest import make_settings

README_ACCOUNTS = {
    "admin@demo.irikteu.kz": ("demo-admin-2026", "administrator"),
    "hr.minfin@demo.irikteu.kz": ("demo-hr-2026", "hr_officer"),
    "hr.almaty@demo.irikteu.kz": ("demo-hr-2026", "hr_officer"),
    **{f"member{n}@demo.irikteu.kz": ("demo-member-2026", "commission_member") for n in range(1, 6)},
    "proctor@demo.irikteu.kz": ("demo-proctor-2026", "proctor"),
    "researcher@demo.irikteu.kz": ("demo-research-2026", "researcher"),
    **{f"candidate{n:02d}@demo.irikteu.kz": ("demo-candidate-2026", "candidate") for n in range(1, 13)},
}


def test_demo_accounts_sign_in_with_the_readme_passwords(sqlite_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(app) as client:
        result = seed(app.state.sessions)
        assert result["added"]["identity"] == {"state_bodies": 3, "staff_accounts": 10}
        assert result["added"]["candidates"] == {"candidates": 12}
        for email, (password, role) in README_ACCOUNTS.items():
            token = client.post("/api/v1/auth/token", data={"username": email, "password": password})
            assert token.status_code == 200, email
            me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
            assert me.json()["role"] == role
        with app.state.sessions() as session:
            accounts = session.scalars(select(Account)).all()
            assert set(README_ACCOUNTS) <= {a.email for a in accounts}
            assert all(a.is_demo for a in accounts)
            assert all(b.is_demo for b in session.scalars(select(StateBody)))
            hr_bodies = {a.state_body_id for a in accounts if a.role == "hr_officer"}
            assert len(hr_bodies) == 2 and None not in hr_bodies
            # the people of the generated history (history01…, inactive) are not the README's candidates
            candidates = [c for c in session.scalars(select(Candidate)).all() if c.account.is_active]
            iins = [decrypt_iin(c.iin_encrypted, secret_key=app.state.settings.secret_key) for c in candidates]
            assert len(set(iins)) == 12
            for candidate, iin in zip(candidates, iins, strict=True):
                info = parse_iin(iin)
                assert (info.birth_date, info.sex) == (candidate.birth_date, candidate.sex)
                assert candidate.is_demo and candidate.work and candidate.education
            assert {c.sex for c in candidates} == {"male", "female"}
            assert len({job.functional_area for c in candidates for job in c.work}) >= 8
