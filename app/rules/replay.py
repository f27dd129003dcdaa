"""The input of ``irikteu replay``: validated into a competition and a policy, run, and printed as JSON.

The format is ``shared/design/replay-format.md``. Validation reports every problem at once,
one line each, naming its JSON path (``$`` is the root):
``candidates[3].legislation.ethics: must be 0..10``. Ranges that depend on the policy (act
maxima, reasoning blocks, the member-score scale) are checked against the policy with the
input's overrides applied; the percent scale 0..100 is fixed.

The structure is a set of strict pydantic models: a boolean is not an integer, ``3.0`` is
not an integer, ``"3"`` is not a number, and unknown fields are refused.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.rules.categories import UnknownCategory, parse_category
from app.rules.competition import (
    VIOLATION_STAGES,
    CandidateRecord,
    CompetitionInput,
    PersonalQualitiesRecord,
    ReasoningRecord,
    outcome_to_json,
    run_competition,
)
from app.rules.errors import PolicyError, RulesError
from app.rules.policy import EDUCATION_LEVELS, SelectionPolicy, policy_fields, policy_from_overrides

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Policy fields the replay input cannot honour: it carries no per-quality percents.
_UNSUPPORTED_POLICY = {
    "personal_qualities_per_quality_pass_percent": ("not supported by replay (the input has no per-quality percents)")
}


class ReplayInputError(RulesError):
    """The replay document is invalid; ``problems`` holds one ``path: message`` line per problem."""

    code = "invalid_replay_input"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _out_of_range(low: object, high: object) -> PydanticCustomError:
    return PydanticCustomError("out_of_range", "must be {low}..{high}", {"low": low, "high": high})


@dataclass(frozen=True)
class _Limits:
    """The policy's ranges, read once per document: validators run per value (10,000 candidates)."""

    legislation: Mapping[str, int]
    reasoning_text: int
    reasoning_numeric: int
    member_min: int
    member_max: int

    @classmethod
    def of(cls, policy: SelectionPolicy) -> _Limits:
        return cls(
            legislation=policy.legislation_questions,
            reasoning_text=policy.reasoning_text_questions,
            reasoning_numeric=policy.reasoning_numeric_questions,
            member_min=policy.member_score_min,
            member_max=policy.member_score_max,
        )


_DEFAULT_LIMITS = _Limits.of(SelectionPolicy())


def _limits(info: ValidationInfo) -> _Limits:
    context = info.context
    if isinstance(context, dict) and isinstance(context.get("limits"), _Limits):
        limits: _Limits = context["limits"]
        return limits
    return _DEFAULT_LIMITS


def _check(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise _out_of_range(low, high)
    return value


def _member_score(value: int, info: ValidationInfo) -> int:
    limits = _limits(info)
    return _check(value, limits.member_min, limits.member_max)


def _one_of(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _not_one_of(choices)
    return value


def _not_one_of(choices: tuple[str, ...]) -> PydanticCustomError:
    return PydanticCustomError("one_of", "must be one of {choices}", {"choices": ", ".join(choices)})


def _violation_stage(value: str) -> str:
    return _one_of(value, VIOLATION_STAGES)


_NATURAL: Final[dict[str, Any]] = {"minimum": 0}
# No "minimum" in the schema: the scale is the policy's, which the input may override.
_MemberScore = Annotated[int, AfterValidator(_member_score)]
_ViolationStage = Annotated[
    str, AfterValidator(_violation_stage), Field(json_schema_extra={"enum": list(VIOLATION_STAGES)})
]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class LegislationIn(_Strict):
    """Correct answers per act of the legislation test (заңнама)."""

    constitution: int = Field(description="0..legislation_questions_constitution (15)", json_schema_extra=_NATURAL)
    civil_service: int = Field(description="0..legislation_questions_civil_service (15)", json_schema_extra=_NATURAL)
    anti_corruption: int = Field(
        description="0..legislation_questions_anti_corruption (15)", json_schema_extra=_NATURAL
    )
    ethics: int = Field(description="0..legislation_questions_ethics (10)", json_schema_extra=_NATURAL)

    @field_validator("constitution", "civil_service", "anti_corruption", "ethics")
    @classmethod
    def _within_act(cls, value: int, info: ValidationInfo) -> int:
        assert info.field_name is not None
        return _check(value, 0, _limits(info).legislation[info.field_name])


class PersonalQualitiesIn(_Strict):
    """The personal-qualities (жеке қасиеттер) result."""

    percent: float = Field(
        description="overall percent, 0..100",
        allow_inf_nan=False,
        json_schema_extra={"minimum": 0, "maximum": 100},
    )
    reliable: bool = Field(description="the validity-scale verdict: true when the answers are reliable")

    @field_validator("percent")
    @classmethod
    def _within_scale(cls, value: float) -> float:
        if not 0 <= value <= 100:
            raise _out_of_range(0, 100)
        return value


class ReasoningIn(_Strict):
    """Correct answers in the two reasoning blocks."""

    text: int = Field(description="0..reasoning_text_questions (25)", json_schema_extra=_NATURAL)
    numeric: int = Field(description="0..reasoning_numeric_questions (25)", json_schema_extra=_NATURAL)

    @field_validator("text", "numeric")
    @classmethod
    def _within_block(cls, value: int, info: ValidationInfo) -> int:
        limits = _limits(info)
        return _check(value, 0, limits.reasoning_text if info.field_name == "text" else limits.reasoning_numeric)


_MEMBER_SCORES = "the commission members' scores, each an integer member_score_min..member_score_max (1..5)"


class CandidateIn(_Strict):
    """One candidate's recorded results; a stage the candidate did not reach may be omitted."""

    ref: str = Field(description="the candidate's reference (anonymous number), unique", min_length=1)
    experience_months: int = Field(description="work experience (еңбек өтілі) in months", ge=0)
    education_level: str = Field(
        description="highest education level", json_schema_extra={"enum": list(EDUCATION_LEVELS)}
    )
    legislation: LegislationIn | None = Field(default=None, description="correct answers per act")
    legislation_certificate_valid: bool = Field(
        default=False, description="true: a valid legislation certificate stands in for the test"
    )
    personal_qualities: PersonalQualitiesIn | None = None
    reasoning: ReasoningIn | None = None
    essay: list[_MemberScore] | None = Field(default=None, description=_MEMBER_SCORES, min_length=1)
    practical: list[_MemberScore] | None = Field(default=None, description=_MEMBER_SCORES, min_length=1)
    interview: list[_MemberScore] | None = Field(default=None, description=_MEMBER_SCORES, min_length=1)
    violations: list[_ViolationStage] = Field(
        default_factory=list, description="stages where a proctor confirmed a violation"
    )

    @field_validator("education_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        return _one_of(value, EDUCATION_LEVELS)


class CompetitionIn(_Strict):
    """The competition (конкурс) itself."""

    category: str = Field(description='position category, e.g. "C-1"')
    managerial: bool | None = Field(
        default=None, description="absent or null: derived from the category (the essay categories)"
    )
    results_published_on: str | None = Field(
        default=None,
        description="day the results were published (YYYY-MM-DD); without it deadlines are null",
        json_schema_extra={"format": "date"},
    )

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        try:
            parse_category(value)
        except UnknownCategory:
            raise PydanticCustomError("unknown_category", 'unknown category "{code}"', {"code": value}) from None
        return value

    @field_validator("results_published_on")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                if not _DATE.fullmatch(value):
                    raise ValueError(value)
                date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError("date", "must be a date YYYY-MM-DD") from None
        return value


class ReplayDocument(_Strict):
    """The input of ``irikteu replay``: optional policy overrides, the competition, the candidates."""

    policy: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of SelectionPolicy fields by name (irikteu policy --json lists them)",
    )
    competition: CompetitionIn
    candidates: list[CandidateIn] = Field(description="every candidate of the competition, refs unique")


def parse_replay_input(document: object) -> tuple[CompetitionInput, SelectionPolicy]:
    """Validate a replay document (parsed JSON) into a competition and the policy it runs under.

    Raises ``ReplayInputError`` listing every problem found.
    """
    problems: list[str] = []
    policy = SelectionPolicy()
    overrides = document.get("policy") if isinstance(document, dict) else None
    if isinstance(overrides, dict):
        policy, policy_problems = _apply_overrides(overrides)
        problems += policy_problems
    try:
        model = ReplayDocument.model_validate(document, context={"limits": _Limits.of(policy)})
    except ValidationError as exc:
        model = None
        problems += [f"{_path(error['loc'])}: {_message(error)}" for error in exc.errors()]
    problems += _duplicate_refs(document)
    if problems or model is None:
        raise ReplayInputError(problems)
    return _to_competition(model), policy


def replay(document: object) -> dict[str, object]:
    """Parse, run and print one competition: the whole ``irikteu replay`` without the file."""
    competition, policy = parse_replay_input(document)
    return outcome_to_json(run_competition(competition, policy))


def _apply_overrides(overrides: dict[str, Any]) -> tuple[SelectionPolicy, list[str]]:
    """The policy with every valid override applied (so the ranges still get checked), and the problems."""
    problems: dict[str, str] = {
        name: message
        for name, message in _UNSUPPORTED_POLICY.items()
        if name in overrides and overrides[name] is not None
    }
    try:
        policy_from_overrides(overrides)
    except PolicyError as exc:
        problems.update(exc.problems)
    valid = {name: value for name, value in overrides.items() if name not in problems}
    try:
        policy = policy_from_overrides(valid)
    except PolicyError as exc:  # a rule across fields: check the ranges with the defaults instead
        problems.update(exc.problems)
        policy = SelectionPolicy()
    lines = [f"policy.{name}: {message}" for name, message in problems.items()]
    return policy, lines


def _duplicate_refs(document: object) -> list[str]:
    candidates = document.get("candidates") if isinstance(document, dict) else None
    if not isinstance(candidates, list):
        return []
    first: dict[str, int] = {}
    problems: list[str] = []
    for index, candidate in enumerate(candidates):
        ref = candidate.get("ref") if isinstance(candidate, dict) else None
        if not isinstance(ref, str):
            continue
        if ref in first:
            problems.append(f'candidates[{index}].ref: duplicate ref "{ref}" (first at candidates[{first[ref]}])')
        else:
            first[ref] = index
    return problems


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "$"


_MESSAGES: Final[dict[str, str]] = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "string_too_short": "must not be empty",
    "greater_than_equal": "must be >= {ge}",
    "less_than_equal": "must be <= {le}",
    "too_short": "must have at least {min_length} item",
}


def _message(error: Any) -> str:
    template = _MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    return template.format(**error.get("ctx", {}))


def _to_competition(model: ReplayDocument) -> CompetitionInput:
    published = model.competition.results_published_on
    return CompetitionInput(
        category=model.competition.category,
        managerial=model.competition.managerial,
        results_published_on=None if published is None else date.fromisoformat(published),
        candidates=tuple(_to_record(candidate) for candidate in model.candidates),
    )


def _to_record(candidate: CandidateIn) -> CandidateRecord:
    pq, reasoning = candidate.personal_qualities, candidate.reasoning
    return CandidateRecord(
        ref=candidate.ref,
        experience_months=candidate.experience_months,
        education_level=candidate.education_level,
        legislation=None if candidate.legislation is None else dict(candidate.legislation),
        legislation_certificate_valid=candidate.legislation_certificate_valid,
        # str() first: the JSON number as written, not the binary float's expansion.
        personal_qualities=None
        if pq is None
        else PersonalQualitiesRecord(percent=Fraction(str(pq.percent)), reliable=pq.reliable),
        reasoning=None if reasoning is None else ReasoningRecord(text=reasoning.text, numeric=reasoning.numeric),
        essay=None if candidate.essay is None else tuple(candidate.essay),
        practical=None if candidate.practical is None else tuple(candidate.practical),
        interview=None if candidate.interview is None else tuple(candidate.interview),
        violations=frozenset(candidate.violations),
    )


def replay_input_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the replay input; the committed copy is ``replay_input_schema.json``."""
    schema = ReplayDocument.model_json_schema(mode="validation")
    schema["properties"]["policy"].update(_policy_schema())
    return {"$schema": JSON_SCHEMA_DIALECT, **schema, "title": "Irikteu replay input"}


def _policy_schema() -> dict[str, Any]:
    """Each overridable policy field with the JSON type of its default; unknown names are refused."""
    hints = typing.get_type_hints(SelectionPolicy)
    defaults = policy_fields()
    properties: dict[str, Any] = {}
    for field in dataclasses.fields(SelectionPolicy):
        if field.name in _UNSUPPORTED_POLICY:
            properties[field.name] = {"type": "null", "description": _UNSUPPORTED_POLICY[field.name]}
            continue
        properties[field.name] = {**_json_type(hints[field.name]), "default": defaults[field.name]}
    return {"properties": properties, "additionalProperties": False}


def _json_type(hint: Any) -> dict[str, Any]:
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) is typing.Literal:
        return {"enum": list(typing.get_args(hint))}
    if args and len(args) < len(typing.get_args(hint)):
        inner = _json_type(args[0])
        return {"anyOf": [inner, {"type": "null"}]}
    if hint is bool:
        return {"type": "boolean"}
    if hint is str:
        return {"type": "string", "minLength": 1}
    if hint is int:
        return {"type": "integer", "minimum": 0}
    if hint is Fraction:
        return {
            "anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "string"}],
            "description": 'a share 0..1: a number or a fraction string like "2/3"',
        }
    return {"type": "number", "minimum": 0}
