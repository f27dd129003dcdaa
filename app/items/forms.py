"""Blueprints from the selection policy and test forms drawn from approved items, frozen and hashed.

A form's hash is the SHA-256 of the canonical JSON (see ``app.items.item``) of
``{"programme", "time_limit_minutes", "sections": [[name, count], ...], "items": [{"id", "version",
"content"}, ...]}`` with the items in the order the candidate sees them: the same items in the same
order with the same content and time give the same form, and any edit of an item gives another.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass

from app.items.bank import Bank, ItemBankError
from app.items.item import PROGRAMMES, VALIDITY_SECTION, Item, canonical_json
from app.rules.policy import PERSONAL_QUALITIES, SelectionPolicy


class UnknownProgrammeError(ItemBankError):
    code = "unknown_programme"


class ItemBankTooSmallError(ItemBankError):
    """Fewer approved items than a blueprint section needs (after exclusions)."""

    code = "item_bank_too_small"


@dataclass(frozen=True)
class BlueprintSection:
    name: str
    count: int


@dataclass(frozen=True)
class Blueprint:
    """How many approved items of each section a form of ``programme`` holds, and its time.

    ``interleave``: the personal-qualities form mixes its qualities and validity items in one
    shuffled order; the other forms keep their sections in order (the legislation acts as in §2).
    """

    programme: str
    sections: tuple[BlueprintSection, ...]
    time_limit_minutes: int
    interleave: bool = False

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def blueprint(programme: str, policy: SelectionPolicy | None = None) -> Blueprint:
    """The blueprint of ``programme`` with every count and time from ``policy``."""
    policy = policy or SelectionPolicy()
    if programme == "legislation":
        return Blueprint(
            programme,
            tuple(BlueprintSection(act, count) for act, count in policy.legislation_questions.items()),
            policy.legislation_minutes,
        )
    if programme == "state_language":
        return Blueprint(
            programme, (BlueprintSection("kazakh", policy.state_language_questions),), policy.state_language_minutes
        )
    if programme == "personal_qualities":
        sections = [
            BlueprintSection(quality, policy.personal_qualities_tasks_per_quality) for quality in PERSONAL_QUALITIES
        ]
        if policy.personal_qualities_validity_items:
            sections.append(BlueprintSection(VALIDITY_SECTION, policy.personal_qualities_validity_items))
        return Blueprint(programme, tuple(sections), policy.personal_qualities_minutes, interleave=True)
    if programme == "reasoning_text":
        return Blueprint(
            programme, (BlueprintSection("text", policy.reasoning_text_questions),), policy.reasoning_minutes_per_block
        )
    if programme == "reasoning_numeric":
        return Blueprint(
            programme,
            (BlueprintSection("numeric", policy.reasoning_numeric_questions),),
            policy.reasoning_minutes_per_block,
        )
    raise UnknownProgrammeError(f"unknown programme {programme!r} (one of {', '.join(PROGRAMMES)})")


@dataclass(frozen=True)
class Form:
    """A drawn test form: its items in order (frozen values), sections, time limit and hash."""

    programme: str
    sections: tuple[BlueprintSection, ...]
    time_limit_minutes: int
    items: tuple[Item, ...]
    form_hash: str

    @property
    def item_refs(self) -> tuple[tuple[str, int], ...]:
        """``(id, version)`` of each item, in order."""
        return tuple((item.id, item.version) for item in self.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


def compute_form_hash(
    programme: str, sections: Iterable[BlueprintSection], time_limit_minutes: int, items: Iterable[Item]
) -> str:
    document = {
        "programme": programme,
        "time_limit_minutes": time_limit_minutes,
        "sections": [[section.name, section.count] for section in sections],
        "items": [{"id": item.id, "version": item.version, "content": item.content()} for item in items],
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


def make_form(
    programme: str, sections: Iterable[BlueprintSection], time_limit_minutes: int, items: Iterable[Item]
) -> Form:
    """A form of exactly these items (its hash computed); ``draw_form`` is the usual way to get one."""
    sections, items = tuple(sections), tuple(items)
    return Form(
        programme,
        sections,
        time_limit_minutes,
        items,
        compute_form_hash(programme, sections, time_limit_minutes, items),
    )


def draw_form(
    bank: Bank,
    programme: str,
    *,
    seed: int,
    exclude: Iterable[str] = frozenset(),
    policy: SelectionPolicy | None = None,
) -> Form:
    """A form by the programme's blueprint from approved items not in ``exclude``; the same seed, the same form."""
    plan = blueprint(programme, policy)
    excluded = frozenset(exclude)
    rng = random.Random(f"irikteu-form:{programme}:{seed}")
    chosen: list[Item] = []
    for section in plan.sections:
        pool = [item for item in bank.approved(programme, section.name) if item.id not in excluded]
        if len(pool) < section.count:
            raise ItemBankTooSmallError(
                f"{programme}/{section.name}: {section.count} approved items needed, {len(pool)} available"
                + (f" ({len(excluded)} excluded)" if excluded else "")
            )
        chosen.extend(rng.sample(pool, section.count))
    if plan.interleave:
        rng.shuffle(chosen)
    return make_form(programme, plan.sections, plan.time_limit_minutes, chosen)


def draw_parallel_forms(
    bank: Bank, programme: str, n: int = 2, *, seed: int = 0, policy: SelectionPolicy | None = None
) -> tuple[Form, ...]:
    """``n`` forms with no item in common; ``ItemBankTooSmallError`` when the bank cannot give them."""
    plan = blueprint(programme, policy)
    for section in plan.sections:
        available = len(bank.approved(programme, section.name))
        if available < n * section.count:
            raise ItemBankTooSmallError(
                f"{programme}/{section.name}: {n} non-overlapping forms need {n * section.count} approved items, "
                f"{available} available"
            )
    forms: list[Form] = []
    used: set[str] = set()
    for index in range(n):
        form = draw_form(bank, programme, seed=seed * n + index, exclude=used, policy=policy)
        used.update(form.item_ids)
        forms.append(form)
    return tuple(forms)
