"""Position categories (санат) of the administrative civil service, corps B, and each one's stages."""

from __future__ import annotations

from dataclasses import dataclass

from app.rules.errors import RulesError

# Groups and their highest level. They follow the Register of civil-service positions;
# where the register changes, correct the number here and nothing else.
CATEGORY_LEVELS: dict[str, int] = {
    "A": 5,
    "B": 6,
    "C": 6,
    "C-O": 6,
    "C-R": 5,
    "D": 6,
    "D-O": 6,
    "D-R": 5,
    "E": 5,
    "E-R": 5,
    "E-G": 5,
}

ESSAY_CATEGORIES: frozenset[str] = frozenset(
    {"A-1", "B-1", "C-1", "C-O-1", "C-R-1", "D-1", "D-O-1", "D-R-1", "E-1", "E-R-1"}
)
"""Managerial by default: the categories that write an essay, exactly as seed 003 §7 lists them
(E-G-1 is not among them); a vacancy may say otherwise."""

STAGE_ELIGIBILITY = "eligibility"
STAGE_PERSONAL_QUALITIES = "personal_qualities"
STAGE_REASONING = "reasoning"
STAGE_ESSAY = "essay"
STAGE_PRACTICAL = "practical"
STAGE_INTERVIEW = "interview"
STAGE_FINAL = "final"

# Letters a Kazakh or Russian text may use for the Latin ones of a code. Д and Г are not
# look-alikes but the usual transliterations of D and G; Р stands for R, as in "С-Р-1".
_CYRILLIC_TO_LATIN = str.maketrans({"А": "A", "В": "B", "С": "C", "Д": "D", "Е": "E", "О": "O", "Р": "R", "Г": "G"})
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—−", "-"))


class UnknownCategory(RulesError):
    """The code names no position category of corps B."""

    code = "unknown_category"


@dataclass(frozen=True)
class PositionCategory:
    """A category such as ``C-O-1``: group ``C-O``, level 1, and whether it is managerial by default."""

    code: str
    group: str
    level: int
    managerial_default: bool


def _build_categories() -> dict[str, PositionCategory]:
    found: dict[str, PositionCategory] = {}
    for group, top_level in CATEGORY_LEVELS.items():
        for level in range(1, top_level + 1):
            code = f"{group}-{level}"
            found[code] = PositionCategory(
                code=code, group=group, level=level, managerial_default=code in ESSAY_CATEGORIES
            )
    return found


_CATEGORIES = _build_categories()


def parse_category(code: str) -> PositionCategory:
    """The category a code names; case, outer spaces, Cyrillic letters and dash variants are forgiven."""
    normalised = code.strip().upper().translate(_CYRILLIC_TO_LATIN).translate(_DASHES)
    try:
        return _CATEGORIES[normalised]
    except KeyError:
        raise UnknownCategory(f"unknown position category {code!r}") from None


def all_categories() -> tuple[PositionCategory, ...]:
    """Every category, by group (register order) and level."""
    return tuple(_CATEGORIES.values())


def _as_category(category: str | PositionCategory) -> PositionCategory:
    return category if isinstance(category, PositionCategory) else parse_category(category)


def is_managerial(category: str | PositionCategory, managerial: bool | None = None) -> bool:
    """Whether the position is managerial: the vacancy's word when given, else the category's default.

    The category is validated even when the vacancy decides.
    """
    resolved = _as_category(category)
    return resolved.managerial_default if managerial is None else managerial


def stage_plan(category: str | PositionCategory, managerial: bool | None = None) -> tuple[str, ...]:
    """The stages of a competition for the position, in order (essay if managerial, else practical)."""
    assessment = STAGE_ESSAY if is_managerial(category, managerial) else STAGE_PRACTICAL
    return (
        STAGE_ELIGIBILITY,
        STAGE_PERSONAL_QUALITIES,
        STAGE_REASONING,
        assessment,
        STAGE_INTERVIEW,
        STAGE_FINAL,
    )
