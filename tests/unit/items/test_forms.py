"""Blueprints from the policy, forms drawn from approved items, their hashes, and frozen forms in the database."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import db
from app.audit.models import AuditEvent
from app.items.bank import DEFAULT_BANK_PATH, Bank, load_bank
from app.items.forms import (
    BlueprintSection,
    ItemBankTooSmallError,
    UnknownProgrammeError,
    blueprint,
    draw_form,
    draw_parallel_forms,
    make_form,
)
from app.items.item import PROGRAMMES, Option
from app.items.models import TestForm
from app.items.service import CorruptFormError, UnknownFormError, freeze_form, get_form
from app.rules.policy import LEGISLATION_ACTS, PERSONAL_QUALITIES, SelectionPolicy, policy_from_overrides
from tests.factories.items import make_bank, make_item

EXPECTED_SECTIONS = {
    "legislation": {"constitution": 15, "civil_service": 15, "anti_corruption": 15, "ethics": 10},
    "state_language": {"kazakh": 20},
    "personal_qualities": {**dict.fromkeys(PERSONAL_QUALITIES, 10), "validity": 10},
    "reasoning_text": {"text": 25},
    "reasoning_numeric": {"numeric": 25},
}
EXPECTED_MINUTES = {
    "legislation": 55,
    "state_language": 20,
    "personal_qualities": 100,
    "reasoning_text": 25,
    "reasoning_numeric": 25,
}


@pytest.fixture(scope="module")
def demo_bank() -> Bank:
    return load_bank(DEFAULT_BANK_PATH)


def small_bank(per_act: int = 4, *, drafts: int = 0) -> Bank:
    items = [
        make_item(f"leg-{act.replace('_', '')}-{index}", "legislation", act)
        for act in LEGISLATION_ACTS
        for index in range(per_act)
    ]
    items += [
        make_item(f"leg-draft-{act.replace('_', '')}-{index}", "legislation", act, approved=False)
        for act in LEGISLATION_ACTS
        for index in range(drafts)
    ]
    return make_bank(items)


SMALL = policy_from_overrides(
    {
        "legislation_questions_constitution": 2,
        "legislation_questions_civil_service": 2,
        "legislation_questions_anti_corruption": 2,
        "legislation_questions_ethics": 1,
        "legislation_pass_total": 3,
    }
)


def test_blueprints_take_every_count_and_time_from_the_policy() -> None:
    for programme in PROGRAMMES:
        plan = blueprint(programme)
        assert {section.name: section.count for section in plan.sections} == EXPECTED_SECTIONS[programme]
        assert plan.time_limit_minutes == EXPECTED_MINUTES[programme]
    changed = blueprint(
        "personal_qualities",
        dataclasses.replace(
            SelectionPolicy(),
            personal_qualities_tasks_per_quality=3,
            personal_qualities_validity_items=0,
            personal_qualities_minutes=40,
        ),
    )
    assert changed.total == 39
    assert changed.time_limit_minutes == 40
    assert "validity" not in {section.name for section in changed.sections}
    with pytest.raises(UnknownProgrammeError):
        blueprint("history")


@pytest.mark.parametrize("programme", PROGRAMMES)
def test_demo_bank_gives_two_non_overlapping_forms_in_both_languages(demo_bank: Bank, programme: str) -> None:
    first, second = draw_parallel_forms(demo_bank, programme, seed=7)
    assert not set(first.item_ids) & set(second.item_ids)
    for form in (first, second):
        assert Counter(item.section for item in form.items) == Counter(EXPECTED_SECTIONS[programme])
        assert [(section.name, section.count) for section in form.sections] == list(
            EXPECTED_SECTIONS[programme].items()
        )
        assert form.time_limit_minutes == EXPECTED_MINUTES[programme]
        assert all(item.approved and item.programme == programme for item in form.items)
        for language in ("kk", "ru"):
            assert all(item.text(language).stem and len(item.text(language).options) >= 2 for item in form.items)
        assert len(form.item_refs) == sum(EXPECTED_SECTIONS[programme].values())


def test_legislation_form_keeps_the_acts_in_order(demo_bank: Bank) -> None:
    form = draw_form(demo_bank, "legislation", seed=1)
    sections = [item.section for item in form.items]
    assert sections == [act for act in LEGISLATION_ACTS for _ in range(EXPECTED_SECTIONS["legislation"][act])]


def test_personal_qualities_form_mixes_qualities(demo_bank: Bank) -> None:
    form = draw_form(demo_bank, "personal_qualities", seed=1)
    sections = [item.section for item in form.items]
    assert sections != sorted(sections, key=lambda name: [*PERSONAL_QUALITIES, "validity"].index(name))
    assert sum(1 for item in form.items if item.is_validity) == 10


def test_same_seed_same_form_other_seed_other_form(demo_bank: Bank) -> None:
    one = draw_form(demo_bank, "reasoning_text", seed=3)
    assert draw_form(demo_bank, "reasoning_text", seed=3) == one
    other = draw_form(demo_bank, "reasoning_text", seed=4)
    assert other.form_hash != one.form_hash
    assert len({one.form_hash, other.form_hash}) == 2


def test_draft_items_are_never_drawn() -> None:
    bank = small_bank(per_act=2, drafts=5)
    for seed in range(20):
        form = draw_form(bank, "legislation", seed=seed, policy=SMALL)
        assert not any(item_id.startswith("leg-draft") for item_id in form.item_ids)


def test_exclude_and_too_small_bank() -> None:
    bank = small_bank(per_act=2)
    with pytest.raises(ItemBankTooSmallError) as caught:
        draw_form(bank, "legislation", seed=1, exclude={"leg-constitution-0"}, policy=SMALL)
    assert str(caught.value) == "legislation/constitution: 2 approved items needed, 1 available (1 excluded)"
    assert caught.value.code == "item_bank_too_small"
    with pytest.raises(ItemBankTooSmallError) as caught:
        draw_parallel_forms(bank, "legislation", policy=SMALL)
    assert str(caught.value) == ("legislation/constitution: 2 non-overlapping forms need 4 approved items, 2 available")


def test_form_hash_changes_when_an_item_changes() -> None:
    bank = small_bank()
    form = draw_form(bank, "legislation", seed=5, policy=SMALL)
    assert make_form(form.programme, form.sections, form.time_limit_minutes, form.items).form_hash == form.form_hash
    first = form.items[0]
    edited_text = dataclasses.replace(first.ru, options=(Option("a", "изменено"), *first.ru.options[1:]))
    edited = dataclasses.replace(first, ru=edited_text)
    changed = make_form(form.programme, form.sections, form.time_limit_minutes, (edited, *form.items[1:]))
    assert changed.form_hash != form.form_hash
    reordered = make_form(form.programme, form.sections, form.time_limit_minutes, form.items[::-1])
    assert reordered.form_hash != form.form_hash
    longer = make_form(form.programme, form.sections, 60, form.items)
    assert longer.form_hash != form.form_hash
    # approving or re-reviewing an item does not change what candidates read, nor the form
    reviewed = dataclasses.replace(first, review=dataclasses.replace(first.review, by="someone else"))
    same = make_form(form.programme, form.sections, form.time_limit_minutes, (reviewed, *form.items[1:]))
    assert same.form_hash == form.form_hash


def test_freeze_form_is_idempotent_and_survives_bank_edits(database_url: str) -> None:
    form = draw_form(small_bank(), "legislation", seed=2, policy=SMALL)
    engine = db.make_engine(database_url)
    sessions = db.make_session_factory(engine)
    try:
        with sessions() as session, session.begin():
            row = freeze_form(session, form)
            assert row.form_hash == form.form_hash
            assert freeze_form(session, form) is row
        with sessions() as session, session.begin():
            freeze_form(session, form)
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(TestForm)) == 1
            assert (
                session.scalar(
                    select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test_form.frozen")
                )
                == 1
            )
            stored = get_form(session, form.form_hash)
            assert stored == form
            assert stored.items[0].text("kk").stem == form.items[0].text("kk").stem
            with pytest.raises(UnknownFormError):
                get_form(session, "0" * 64)
        with sessions() as session, session.begin():
            stored_row = session.get(TestForm, form.form_hash)
            assert stored_row is not None
            items = [dict(document) for document in stored_row.items]
            items[0] = {**items[0], "key": "d" if items[0]["key"] != "d" else "c"}
            stored_row.items = items
        with sessions() as session, pytest.raises(CorruptFormError):
            get_form(session, form.form_hash)
    finally:
        engine.dispose()


def test_sections_of_a_form_are_blueprint_sections(demo_bank: Bank) -> None:
    form = draw_form(demo_bank, "state_language", seed=0)
    assert form.sections == (BlueprintSection("kazakh", 20),)
