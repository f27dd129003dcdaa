"""Helpers for tests: items built in code (hash computed) and small banks, without YAML files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.items.bank import Bank
from app.items.item import LIKERT_OPTIONS, Item, compute_content_hash

_LIKERT_KK = ("Мүлдем келіспеймін", "Келіспеймін", "Келісемін", "Толық келісемін")
_LIKERT_RU = ("Совершенно не согласен", "Не согласен", "Согласен", "Полностью согласен")


def item_document(
    item_id: str,
    programme: str,
    section: str,
    *,
    key: str = "a",
    version: int = 1,
    approved: bool = True,
    stem: str | None = None,
) -> dict[str, Any]:
    """A valid item document (hash computed) with placeholder text in kk and ru."""
    stem = stem or f"{item_id}?"
    likert = programme == "personal_qualities"
    text: dict[str, Any] = {}
    for language, labels in (("kk", _LIKERT_KK), ("ru", _LIKERT_RU)):
        options = (
            [{"id": option_id, "text": label} for option_id, label in zip(LIKERT_OPTIONS, labels, strict=True)]
            if likert
            else [{"id": option_id, "text": f"{option_id} ({language})"} for option_id in "abcd"]
        )
        text[language] = {"stem": f"{stem} ({language})", "options": options}
        if programme == "reasoning_text":
            text[language]["passage"] = f"Passage of {item_id} ({language})."
        if programme == "reasoning_numeric":
            text[language]["table"] = {"columns": ["x", "y"], "rows": [["1", 2], ["3", 4]]}
    document: dict[str, Any] = {
        "id": item_id,
        "version": version,
        "programme": programme,
        "section": section,
        "type": "pq_likert" if likert else "single_choice",
        "text": text,
        "key": key if not likert or key in ("a", "d") else "d",
        "source": {"act": section, "article": "1"} if programme == "legislation" else "test fixture",
        "review": {"status": "approved", "by": "tester", "at": "2025-01-15"} if approved else {"status": "draft"},
        "demo": True,
    }
    document["content_hash"] = compute_content_hash(document)
    return document


def make_item(item_id: str, programme: str, section: str, **options: Any) -> Item:
    return Item.from_dict(item_document(item_id, programme, section, **options))


def make_bank(items: Iterable[Item]) -> Bank:
    return Bank(items={item.id: item for item in items})
