"""The protocol (хаттама) as a document: its data, the Kazakh and Russian HTML, the bilingual PDF and its hash.

Pure: plain values in, text and bytes out; no database, no clock. The PDF is the signed
document: one file with the Kazakh text first and the Russian text after it, so the commission
signs once and one hash covers both languages. Its bytes depend on the data only (the creation
date is the ``drawn_up_on`` day, the file id is derived from the content), so drawing up the same
data again gives the same hash. Candidates appear by their anonymous code everywhere; full names
only in the final ranking, since the protocol is drawn up when results are final.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

from fpdf import FPDF
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.protocol.texts import COMMISSION_ROLES, DOCUMENT_LOCALES, ELIMINATION_REASONS, LABELS, STAGE_NAMES, TIE_BREAKS
from app.rules.competition import ELIMINATION_CODES, STAGES

CommissionRole = Literal["chair", "member", "secretary"]
COMMISSION_ROLE_NAMES: Final[tuple[str, ...]] = ("chair", "member", "secretary")
MEMBER_SCORED_STAGES: Final[tuple[str, ...]] = ("essay", "practical", "interview")
"""The stages the commission members score; their scores are listed per candidate."""

PDF_PRODUCER: Final = "Irikteu"


class ProtocolDataError(ValueError):
    """The data cannot make a protocol (an unknown stage or code, a name outside the final ranking)."""

    code = "invalid_protocol_data"


@dataclass(frozen=True, kw_only=True)
class CommissionMember:
    """A member of the competition commission (конкурстық комиссия) as the protocol names them."""

    full_name: str
    role: CommissionRole


@dataclass(frozen=True, kw_only=True)
class StageResult:
    """One stage of ``outcome_to_json``: who entered, who went on, why the others left."""

    stage: str
    entered: tuple[str, ...]
    advanced: tuple[str, ...]
    eliminated: Mapping[str, str]
    places: int | None = None
    cutoff_score: float | int | None = None


@dataclass(frozen=True, kw_only=True)
class RankingRow:
    """One place of the final ranking (``total`` as the replay output rounds it)."""

    ref: str
    rank: int
    total: float
    tie_break: str | None = None


@dataclass(frozen=True, kw_only=True)
class Deadlines:
    """The appointment window and the winner's documents day."""

    appointment_from: date
    appointment_until: date
    documents_due: date


@dataclass(frozen=True, kw_only=True)
class ProtocolData:
    """Everything the protocol says; build it with :func:`protocol_data_from_outcome`.

    ``member_scores`` maps a member-scored stage to anonymous code -> the members' scores;
    ``finalist_names`` maps the codes of the final ranking (and only those) to full names.
    """

    competition_id: int
    version: int = 1
    drawn_up_on: date
    vacancy_title_kk: str
    vacancy_title_ru: str
    state_body_kk: str
    state_body_ru: str
    category: str
    managerial: bool
    stages: tuple[StageResult, ...]
    member_scores: Mapping[str, Mapping[str, tuple[int, ...]]] = field(default_factory=dict)
    ranking: tuple[RankingRow, ...]
    top3: tuple[str, ...]
    winner: str | None
    unresolved_tie: bool = False
    deadlines: Deadlines | None = None
    commission: tuple[CommissionMember, ...]
    results_published_on: date | None = None
    finalist_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ProtocolDataError("; ".join(problems))


def _problems(data: ProtocolData) -> list[str]:
    problems: list[str] = []
    codes = {ref for stage in data.stages for ref in stage.entered}
    for stage in data.stages:
        if stage.stage not in STAGES:
            problems.append(f"unknown stage {stage.stage!r}")
        for ref, reason in stage.eliminated.items():
            if reason not in ELIMINATION_CODES:
                problems.append(f"unknown elimination code {reason!r} for {ref}")
    for stage_name, scores in data.member_scores.items():
        if stage_name not in MEMBER_SCORED_STAGES:
            problems.append(f"member scores for a stage the members do not score: {stage_name!r}")
        problems.extend(f"member scores for {ref}, who entered no stage" for ref in scores if ref not in codes)
    ranked = {row.ref for row in data.ranking}
    for ref in data.finalist_names:
        if ref not in ranked:
            problems.append(f"a name for {ref}, who is not in the final ranking (personal data stays anonymous)")
    problems.extend(f"no name for {ref} of the final ranking" for ref in ranked if ref not in data.finalist_names)
    problems.extend(
        f"unknown commission role {m.role!r}" for m in data.commission if m.role not in COMMISSION_ROLE_NAMES
    )
    if data.winner is not None and data.winner not in ranked:
        problems.append(f"the winner {data.winner} is not in the final ranking")
    if data.version < 1:
        problems.append("version starts at 1")
    return problems


def protocol_data_from_outcome(
    outcome: Mapping[str, Any],
    *,
    competition_id: int,
    drawn_up_on: date,
    vacancy_title_kk: str,
    vacancy_title_ru: str,
    state_body_kk: str,
    state_body_ru: str,
    category: str,
    managerial: bool,
    commission: tuple[CommissionMember, ...],
    finalist_names: Mapping[str, str],
    member_scores: Mapping[str, Mapping[str, tuple[int, ...]]] | None = None,
    results_published_on: date | None = None,
    version: int = 1,
) -> ProtocolData:
    """``ProtocolData`` from the JSON of ``app.rules.competition.outcome_to_json`` plus the competition's facts."""
    deadlines = outcome.get("deadlines")
    return ProtocolData(
        competition_id=competition_id,
        version=version,
        drawn_up_on=drawn_up_on,
        vacancy_title_kk=vacancy_title_kk,
        vacancy_title_ru=vacancy_title_ru,
        state_body_kk=state_body_kk,
        state_body_ru=state_body_ru,
        category=category,
        managerial=managerial,
        stages=tuple(
            StageResult(
                stage=str(item["stage"]),
                entered=tuple(item["entered"]),
                advanced=tuple(item["advanced"]),
                eliminated=dict(item["eliminated"]),
                places=item.get("places"),
                cutoff_score=item.get("cutoff_score"),
            )
            for item in outcome["stages"]
        ),
        member_scores={
            stage: {ref: tuple(scores) for ref, scores in by_ref.items()}
            for stage, by_ref in (member_scores or {}).items()
        },
        ranking=tuple(
            RankingRow(ref=str(row["ref"]), rank=int(row["rank"]), total=row["total"], tie_break=row.get("tie_break"))
            for row in outcome["ranking"]
        ),
        top3=tuple(outcome["top3"]),
        winner=outcome.get("winner"),
        unresolved_tie=bool(outcome.get("unresolved_tie", False)),
        deadlines=None
        if deadlines is None
        else Deadlines(
            appointment_from=date.fromisoformat(deadlines["appointment_from"]),
            appointment_until=date.fromisoformat(deadlines["appointment_until"]),
            documents_due=date.fromisoformat(deadlines["documents_due"]),
        ),
        commission=commission,
        results_published_on=results_published_on,
        finalist_names=dict(finalist_names),
    )


def _number(value: float | int | Fraction | None) -> str:
    """A score as people in Kazakhstan write it: decimal comma, no trailing zeros."""
    if value is None:
        return "—"
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def _day(value: date | None) -> str:
    return "—" if value is None else value.strftime("%d.%m.%Y")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.protocol", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    env.filters["day"] = _day
    return env


def _context(data: ProtocolData, locale: str) -> dict[str, Any]:
    if locale not in DOCUMENT_LOCALES:
        raise ProtocolDataError(f"the protocol is written in {', '.join(DOCUMENT_LOCALES)}, not {locale!r}")
    stages = []
    for stage in data.stages:
        scores = data.member_scores.get(stage.stage, {})
        rows = [
            {
                "ref": ref,
                "passed": ref not in stage.eliminated,
                "reason": ELIMINATION_REASONS[locale][stage.eliminated[ref]] if ref in stage.eliminated else "",
                "scores": ", ".join(str(score) for score in scores[ref]) if ref in scores else "",
            }
            for ref in stage.entered
        ]
        stages.append(
            {
                "name": STAGE_NAMES[locale][stage.stage],
                "stage": stage,
                "rows": rows,
                "has_scores": stage.stage in data.member_scores,
            }
        )
    return {
        "data": data,
        "locale": locale,
        "t": LABELS[locale],
        "stages": stages,
        "roles": COMMISSION_ROLES[locale],
        "tie_breaks": TIE_BREAKS[locale],
    }


def render_html_body(data: ProtocolData, locale: str) -> str:
    """The document's body in one language: the simple HTML both the page and the PDF are made from."""
    return _environment().get_template("_body.html").render(_context(data, locale))


def render_html(data: ProtocolData, locale: str) -> str:
    """The protocol as a whole HTML page in ``locale`` (``kk`` or ``ru``)."""
    context = _context(data, locale)
    context["body"] = render_html_body(data, locale)
    return _environment().get_template("protocol.html").render(context)


def _font_dir() -> Path:
    """DejaVu Sans (covers ә ғ қ ң ө ұ ү һ і) as the matplotlib wheel ships it; found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the protocol PDF needs the DejaVu Sans font of the 'matplotlib' package; install it")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


def render_pdf(data: ProtocolData, locales: tuple[str, ...] = DOCUMENT_LOCALES) -> bytes:
    """The signed document: one PDF with the text in each of ``locales`` in turn (Kazakh, then Russian).

    Deterministic: the same data gives the same bytes (creation date = ``drawn_up_on``).
    """
    fonts = _font_dir()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_creation_date(datetime.combine(data.drawn_up_on, time(0, 0), tzinfo=UTC))
    pdf.producer = PDF_PRODUCER
    pdf.creator = PDF_PRODUCER
    pdf.set_title(f"{LABELS['kk']['title']} / {LABELS['ru']['title']} № {data.competition_id}-{data.version}")
    pdf.set_lang(locales[0])
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.add_font("DejaVu", "BI", str(fonts / "DejaVuSans-BoldOblique.ttf"))
    pdf.set_font("DejaVu", size=9)
    pdf.set_auto_page_break(auto=True, margin=15)
    for locale in locales:
        pdf.add_page()
        pdf.write_html(render_html_body(data, locale), font_family="DejaVu")
    return bytes(pdf.output())


def content_hash(pdf_bytes: bytes) -> str:
    """The document's content hash: SHA-256 of the PDF bytes, lower-case hex."""
    return hashlib.sha256(pdf_bytes).hexdigest()
