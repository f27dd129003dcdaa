"""Storing drawn forms (idempotent by hash) and reading them back as frozen values."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import SYSTEM_ACTOR, record
from app.items.bank import ItemBankError
from app.items.forms import BlueprintSection, Form, compute_form_hash
from app.items.item import Item
from app.items.models import TestForm
from app.logs import current_request_id


class UnknownFormError(ItemBankError, LookupError):
    code = "unknown_test_form"


class CorruptFormError(ItemBankError):
    """A stored form whose content no longer gives its hash."""

    code = "corrupt_test_form"


def freeze_form(session: Session, form: Form, *, actor: str = SYSTEM_ACTOR, actor_role: str = SYSTEM_ACTOR) -> TestForm:
    """The stored form with ``form.form_hash``, stored now (with an audit event) if it was not yet."""
    existing = session.get(TestForm, form.form_hash)
    if existing is not None:
        return existing
    row = TestForm(
        form_hash=form.form_hash,
        programme=form.programme,
        time_limit_minutes=form.time_limit_minutes,
        sections=[[section.name, section.count] for section in form.sections],
        items=[item.to_dict() for item in form.items],
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another transaction froze the same form first: same hash, same content.
        stored = session.get(TestForm, form.form_hash)
        if stored is None:  # pragma: no cover - the conflict was on this primary key
            raise
        return stored
    record(
        session,
        action="test_form.frozen",
        entity_type="test_form",
        entity_id=form.form_hash,
        actor=actor,
        actor_role=actor_role,
        payload={
            "programme": form.programme,
            "items": len(form.items),
            "time_limit_minutes": form.time_limit_minutes,
            "request_id": current_request_id(),
        },
    )
    return row


def form_of(row: TestForm) -> Form:
    """The stored form as a ``Form``; ``CorruptFormError`` when its content does not give its hash."""
    sections = tuple(BlueprintSection(str(name), int(count)) for name, count in row.sections)
    items = tuple(Item.from_dict(document) for document in row.items)
    computed = compute_form_hash(row.programme, sections, row.time_limit_minutes, items)
    if computed != row.form_hash:
        raise CorruptFormError(f"test form {row.form_hash}: stored content hashes to {computed}")
    return Form(row.programme, sections, row.time_limit_minutes, items, row.form_hash)


def get_form(session: Session, form_hash: str) -> Form:
    """The frozen form with this hash; ``UnknownFormError`` when none is stored."""
    row = session.get(TestForm, form_hash)
    if row is None:
        raise UnknownFormError(f"no test form {form_hash}")
    return form_of(row)
