"""Demo state bodies and staff accounts (all marked ``is_demo``); the passwords are printed in the README."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, HR_OFFICER, PROCTOR, RESEARCHER, Account, StateBody
from app.auth.security import hash_password

DEMO_DOMAIN = "demo.irikteu.kz"
DEMO_PASSWORDS: dict[str, str] = {
    ADMINISTRATOR: "demo-admin-2026",
    HR_OFFICER: "demo-hr-2026",
    COMMISSION_MEMBER: "demo-member-2026",
    PROCTOR: "demo-proctor-2026",
    RESEARCHER: "demo-research-2026",
}
"""Well-known passwords of the demo staff, by role (README, "Demo accounts")."""

DEMO_STATE_BODIES: tuple[tuple[str, str, str, str], ...] = (
    ("DEMO-MINFIN", "ҚР Қаржы министрлігі (демо)", "Министерство финансов РК (демо)", "Astana"),
    ("DEMO-ALMATY-AKIMAT", "Алматы қаласының әкімдігі (демо)", "Акимат города Алматы (демо)", "Almaty"),
    (
        "DEMO-ASDCS",
        "ҚР Мемлекеттік қызмет істері агенттігі (демо)",
        "Агентство РК по делам государственной службы (демо)",
        "Astana",
    ),
)

# (e-mail local part, role, state body code, display name, locale)
DEMO_STAFF: tuple[tuple[str, str, str | None, str, str], ...] = (
    ("admin", ADMINISTRATOR, None, "Демо әкімші / Демо администратор", "kk"),
    ("hr.minfin", HR_OFFICER, "DEMO-MINFIN", "Гүлнар Ахметова (демо)", "kk"),
    ("hr.almaty", HR_OFFICER, "DEMO-ALMATY-AKIMAT", "Елена Ковальчук (демо)", "ru"),
    ("member1", COMMISSION_MEMBER, None, "Ерлан Жұмабаев (демо)", "kk"),
    ("member2", COMMISSION_MEMBER, None, "Сәуле Омарова (демо)", "kk"),
    ("member3", COMMISSION_MEMBER, None, "Андрей Ситников (демо)", "ru"),
    ("member4", COMMISSION_MEMBER, None, "Айжан Беркімбаева (демо)", "kk"),
    ("member5", COMMISSION_MEMBER, None, "Ольга Морозова (демо)", "ru"),
    ("proctor", PROCTOR, None, "Марат Тілеуов (демо)", "kk"),
    ("researcher", RESEARCHER, None, "Дина Сейітова (демо)", "ru"),
)


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


def seed_identity(session: Session) -> dict[str, int]:
    """The demo state bodies and staff; the ``demo.seeded`` audit event records them (no event per row)."""
    bodies = {
        code: StateBody(code=code, name_kk=kk, name_ru=ru, region=region, is_demo=True)
        for code, kk, ru, region in DEMO_STATE_BODIES
    }
    session.add_all(bodies.values())
    session.flush()
    # One hash per role: argon2 is slow on purpose, and these passwords are public anyway.
    hashes = {role: hash_password(password) for role, password in DEMO_PASSWORDS.items()}
    for local, role, body_code, name, locale in DEMO_STAFF:
        session.add(
            Account(
                email=demo_email(local),
                password_hash=hashes[role],
                role=role,
                state_body_id=bodies[body_code].id if body_code else None,
                display_name=name,
                locale=locale,
                is_active=True,
                is_demo=True,
            )
        )
    session.flush()
    return {"state_bodies": len(bodies), "staff_accounts": len(DEMO_STAFF)}
