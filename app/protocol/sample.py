"""A small fictional competition's protocol data, run through the real rules (for the demo and the tests)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from app.protocol.document import CommissionMember, ProtocolData, protocol_data_from_outcome
from app.rules.competition import (
    CandidateRecord,
    CompetitionInput,
    PersonalQualitiesRecord,
    ReasoningRecord,
    outcome_to_json,
    run_competition,
)
from app.rules.policy import SelectionPolicy

_LEGISLATION_PASS = {"constitution": 12, "civil_service": 12, "anti_corruption": 12, "ethics": 6}

SAMPLE_CANDIDATES: tuple[CandidateRecord, ...] = (
    CandidateRecord(
        ref="A-1001",
        experience_months=84,
        education_level="master",
        legislation=_LEGISLATION_PASS,
        personal_qualities=PersonalQualitiesRecord(percent=Fraction(125, 2), reliable=True),
        reasoning=ReasoningRecord(text=18, numeric=20),
        essay=(4, 3, 4),
        interview=(4, 5, 4),
    ),
    CandidateRecord(
        ref="A-1002",
        experience_months=30,
        education_level="bachelor",
        legislation={"constitution": 5, "civil_service": 5, "anti_corruption": 5, "ethics": 5},
    ),
    CandidateRecord(
        ref="A-1003",
        experience_months=50,
        education_level="bachelor",
        legislation=_LEGISLATION_PASS,
        personal_qualities=PersonalQualitiesRecord(percent=Fraction(70), reliable=False),
    ),
    CandidateRecord(
        ref="A-1004",
        experience_months=60,
        education_level="bachelor",
        legislation=_LEGISLATION_PASS,
        personal_qualities=PersonalQualitiesRecord(percent=Fraction(80), reliable=True),
        reasoning=ReasoningRecord(text=22, numeric=21),
        essay=(5, 4, 4),
        interview=(5, 5, 4),
    ),
    CandidateRecord(
        ref="A-1005",
        experience_months=36,
        education_level="master",
        legislation=_LEGISLATION_PASS,
        personal_qualities=PersonalQualitiesRecord(percent=Fraction(66), reliable=True),
        reasoning=ReasoningRecord(text=19, numeric=19),
        essay=(3, 3, 3),
        interview=(4, 4, 4),
    ),
    CandidateRecord(
        ref="A-1006",
        experience_months=66,
        education_level="master",
        legislation=_LEGISLATION_PASS,
        personal_qualities=PersonalQualitiesRecord(percent=Fraction(55), reliable=True),
        reasoning=ReasoningRecord(text=20, numeric=18),
        essay=(3, 3, 2),
    ),
)
"""Six candidates of a C-1 (managerial) competition: every stage leaves someone behind."""

SAMPLE_NAMES: dict[str, str] = {
    "A-1001": "Әлімжанова Гүлнұр Серікқызы",
    "A-1002": "Қасымов Ержан Болатұлы",
    "A-1003": "Өмірбекова Айгүл Нұрланқызы",
    "A-1004": "Ұзақбаев Дәулет Іргебайұлы",
    "A-1005": "Шәкенова Һадия Ғалымқызы",
    "A-1006": "Нұрпейісов Асқар Жұмабекұлы",
}
"""Fictional people; only those of the final ranking ever reach the protocol."""

SAMPLE_COMMISSION: tuple[CommissionMember, ...] = (
    CommissionMember(full_name="Бекмұхамбетов Қайрат Әбілұлы", role="chair"),
    CommissionMember(full_name="Сейітова Мәдина Ғабитқызы", role="member"),
    CommissionMember(full_name="Иванова Ольга Петровна", role="member"),
    CommissionMember(full_name="Төлеуов Нұржан Шаһмарданұлы", role="secretary"),
)


def sample_protocol_data(*, competition_id: int = 1, version: int = 1) -> ProtocolData:
    """The protocol of the sample competition, results published on 16 March 2026."""
    published = date(2026, 3, 16)
    competition = CompetitionInput(category="C-1", results_published_on=published, candidates=SAMPLE_CANDIDATES)
    outcome = outcome_to_json(run_competition(competition, SelectionPolicy()))
    ranked = [str(row["ref"]) for row in outcome["ranking"]]  # type: ignore[attr-defined]
    member_scores = {
        stage: {c.ref: scores for c in SAMPLE_CANDIDATES if (scores := getattr(c, stage)) is not None}
        for stage in ("essay", "interview")
    }
    return protocol_data_from_outcome(
        outcome,
        competition_id=competition_id,
        version=version,
        drawn_up_on=published,
        vacancy_title_kk="Басқарма басшысы (цифрландыру басқармасы)",
        vacancy_title_ru="Руководитель управления (управление цифровизации)",
        state_body_kk="Қызылорда облысы әкімдігі",
        state_body_ru="Акимат Кызылординской области",
        category="C-1",
        managerial=True,
        commission=SAMPLE_COMMISSION,
        finalist_names={ref: SAMPLE_NAMES[ref] for ref in ranked},
        member_scores=member_scores,
        results_published_on=published,
    )
