"""Test items (тест тапсырмалары) as frozen values: Kazakh and Russian text, key, source, review, content hash.

Content hash. ``content_hash`` is the SHA-256 (hex) of the canonical JSON of the item's *content*:
the fields ``programme``, ``section``, ``type``, ``text``, ``key`` and ``source`` (not ``id``,
``version``, ``review``, ``demo`` or the hash itself: approving an item or bumping its version does
not change what a candidate reads). Canonical JSON: every string NFC-normalised and stripped of
leading/trailing whitespace, optional fields that are absent left out (never ``null``), object keys
sorted, no insignificant whitespace (``separators=(",", ":")``), non-ASCII written as UTF-8
(``ensure_ascii=False``), then encoded as UTF-8. Table cells are strings or integers (no floats, so
the canonical form has one spelling).

Scoring an answer: ``Item.credits(option_id)``. A ``single_choice`` item credits its key only. A
``pq_likert`` item has four options ``a``–``d`` from "strongly disagree" to "strongly agree" and a
keyed end (``key`` is ``a`` or ``d``): an answer on the keyed half of the scale (the key or its
neighbour) is credited, the count of credited tasks per quality feeding
``app.rules.personal_qualities``. A validity-scale item (section ``validity``) keys the
implausibly perfect answer: ``credits`` is true only for exactly the key, and counts a hit on the
sincerity scale (more hits, less reliable answers).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["kk", "ru"]
LANGUAGES: tuple[Language, ...] = ("kk", "ru")
PROGRAMMES: tuple[str, ...] = (
    "legislation",
    "state_language",
    "personal_qualities",
    "reasoning_text",
    "reasoning_numeric",
)
ITEM_TYPES: tuple[str, ...] = ("single_choice", "pq_likert")
VALIDITY_SECTION = "validity"
LIKERT_OPTIONS: tuple[str, ...] = ("a", "b", "c", "d")
CONTENT_FIELDS: tuple[str, ...] = ("programme", "section", "type", "text", "key", "source")


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True)
class Table:
    """Tabular data of a numeric-reasoning item; ``rows`` hold strings or integers."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]
    caption: str | None = None


@dataclass(frozen=True)
class ItemText:
    """What a candidate reads in one language."""

    stem: str
    options: tuple[Option, ...]
    passage: str | None = None
    table: Table | None = None

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)


@dataclass(frozen=True)
class LegislationSource:
    """The act (and, where the item tests one, the article) a legislation item cites."""

    act: str
    article: str | None = None


@dataclass(frozen=True)
class Review:
    status: Literal["draft", "approved"]
    by: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    version: int
    programme: str
    section: str
    type: str
    kk: ItemText
    ru: ItemText
    key: str
    source: str | LegislationSource
    review: Review
    demo: bool
    content_hash: str

    def text(self, language: Language) -> ItemText:
        """The item in ``language`` (``kk`` or ``ru``)."""
        if language == "kk":
            return self.kk
        if language == "ru":
            return self.ru
        raise ValueError(f"unknown language {language!r}")

    @property
    def approved(self) -> bool:
        return self.review.status == "approved"

    @property
    def is_validity(self) -> bool:
        return self.programme == "personal_qualities" and self.section == VALIDITY_SECTION

    @property
    def option_ids(self) -> tuple[str, ...]:
        return self.kk.option_ids

    def credits(self, option_id: str) -> bool:
        """Whether the answer ``option_id`` earns the item's point (see the module docstring)."""
        if self.type == "pq_likert" and not self.is_validity:
            keyed_half = LIKERT_OPTIONS[:2] if self.key == LIKERT_OPTIONS[0] else LIKERT_OPTIONS[2:]
            return option_id in keyed_half
        return option_id == self.key

    def content(self) -> dict[str, Any]:
        """The hashed fields as plain JSON values."""
        document = self.to_dict()
        return {name: document[name] for name in CONTENT_FIELDS}

    def computed_hash(self) -> str:
        return compute_content_hash(self.content())

    def to_dict(self) -> dict[str, Any]:
        """The whole item as the JSON/YAML document the schema describes."""
        source: str | dict[str, str]
        if isinstance(self.source, LegislationSource):
            source = {"act": self.source.act}
            if self.source.article is not None:
                source["article"] = self.source.article
        else:
            source = self.source
        review: dict[str, str] = {"status": self.review.status}
        if self.review.by is not None:
            review["by"] = self.review.by
        if self.review.at is not None:
            review["at"] = self.review.at
        return {
            "id": self.id,
            "version": self.version,
            "programme": self.programme,
            "section": self.section,
            "type": self.type,
            "text": {"kk": _text_dict(self.kk), "ru": _text_dict(self.ru)},
            "key": self.key,
            "source": source,
            "review": review,
            "demo": self.demo,
            "content_hash": self.content_hash,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Item:
        """An item from a schema-valid document (``load_bank`` validates first; frozen forms are trusted)."""
        source = document["source"]
        review = document["review"]
        return cls(
            id=document["id"],
            version=document["version"],
            programme=document["programme"],
            section=document["section"],
            type=document["type"],
            kk=_text_from(document["text"]["kk"]),
            ru=_text_from(document["text"]["ru"]),
            key=document["key"],
            source=LegislationSource(act=source["act"], article=source.get("article"))
            if isinstance(source, Mapping)
            else str(source),
            review=Review(status=review["status"], by=review.get("by"), at=review.get("at")),
            demo=bool(document.get("demo", False)),
            content_hash=document.get("content_hash") or "",
        )


def _text_dict(text: ItemText) -> dict[str, Any]:
    result: dict[str, Any] = {"stem": text.stem}
    if text.passage is not None:
        result["passage"] = text.passage
    if text.table is not None:
        table: dict[str, Any] = {"columns": list(text.table.columns), "rows": [list(row) for row in text.table.rows]}
        if text.table.caption is not None:
            table["caption"] = text.table.caption
        result["table"] = table
    result["options"] = [{"id": option.id, "text": option.text} for option in text.options]
    return result


def _text_from(document: Mapping[str, Any]) -> ItemText:
    table = document.get("table")
    return ItemText(
        stem=document["stem"],
        options=tuple(Option(id=option["id"], text=option["text"]) for option in document["options"]),
        passage=document.get("passage"),
        table=Table(
            columns=tuple(table["columns"]),
            rows=tuple(tuple(row) for row in table["rows"]),
            caption=table.get("caption"),
        )
        if table is not None
        else None,
    )


def canonicalise(value: Any) -> Any:
    """Strings NFC-normalised and stripped, ``None`` members dropped, recursively."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, Mapping):
        return {str(key): canonicalise(member) for key, member in value.items() if member is not None}
    if isinstance(value, list | tuple):
        return [canonicalise(member) for member in value]
    if isinstance(value, bool | int):
        return value
    raise TypeError(f"cannot hash a {type(value).__name__} (strings, integers, lists and mappings only)")


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON bytes the content and form hashes are taken of."""
    return json.dumps(canonicalise(value), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the content fields (extra fields in ``content`` are ignored)."""
    return hashlib.sha256(canonical_json({name: content.get(name) for name in CONTENT_FIELDS})).hexdigest()
