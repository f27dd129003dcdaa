"""Work waiting for every staff role in the demo (``irikteu seed-demo``), dated around the day it is loaded.

The two competitions of ``app.demo_competition`` are finished or just opened; these give the staff
pages something to do, through the same service functions the API calls:

- **Essay stage** (Ministry of Finance, demo): four demo candidates passed the automated stages
  and locked their essays (two in Kazakh, two in Russian) on the last working day; the members
  ``member1`` (chair), ``member2`` and ``member3`` score them in ``blind_first`` mode, nothing is
  scored yet; ``member5`` keeps the record (the secretary's seat). Each essay's pre-score is queued
  as the API queues it (``irikteu serve`` runs it).
- **Interview stage** (Akimat of Almaty, demo): the essays are scored and the stage closed; the
  three shortlisted candidates were interviewed on the last working day (held, no scores, no
  recording): the secretary ``member5`` uploads the recordings, ``member4`` (chair), ``member1``
  and ``member2`` score.
- **A proctoring review**: a demo candidate sat the state-language test on the last working day and
  the proctoring client reported the candidate looking away from the screen: the review waits for
  the proctor (due one working day after the test).
- **An alert campaign draft**: a vacancy of the Ministry of Finance published today matches the
  standing subscription of a demo candidate (budget planning in Astana); the draft waits for HR.
  This runs after the talent seeder, which adds the subscriptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import DRAFT, AlertCampaign
from app.applications import service as applications
from app.applications.schemas import StageResultsIn
from app.auth.models import Account
from app.auth.security import TokenClaims
from app.clock import kazakhstan_today
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.demo_competition import _account, _at, _code, _demo_queue, _open_competition
from app.essays import service as essays
from app.essays import stages
from app.exams import jobs as exam_jobs  # noqa: F401  (registers the auto-submission job kind)
from app.exams import service as exams
from app.exams.forms import cached_form, get_item_bank
from app.interviews import service as interviews
from app.jobs.queue import JobQueue
from app.prescoring import jobs as prescoring_jobs  # noqa: F401  (registers the essay pre-score job kind)
from app.proctoring import service as proctoring
from app.rules.calendar import is_working_day
from app.rules.policy import SelectionPolicy
from app.rules.programmes import STATE_LANGUAGE
from app.scoring import stages as scoring
from app.selection import vacancies as vacancy_competition
from app.settings import get_settings
from app.vacancies import service as vacancies
from app.vacancies.schemas import VacancyCreate

ESSAY_STAGE_VACANCY: dict[str, Any] = {
    "category": "C-1",
    "functional_area": "public_procurement",
    "title_kk": "Мемлекеттік сатып алу департаментінің директоры (демо)",
    "title_ru": "Директор департамента государственных закупок (демо)",
    "duties_kk": "Мемлекеттік сатып алу саясатын әзірлеу және департаментке басшылық ету.",
    "duties_ru": "Разработка политики государственных закупок, руководство департаментом.",
    "requirements": {"min_education_level": "bachelor", "min_experience_months": 36},
}
ESSAY_STAGE_TOPIC = {
    "kk": "Мемлекеттік сатып алудағы ашықтық пен адал бәсеке",
    "ru": "Прозрачность и добросовестная конкуренция в государственных закупках",
}
INTERVIEW_STAGE_VACANCY: dict[str, Any] = {
    "category": "C-O-1",
    "functional_area": "housing_and_utilities",
    "title_kk": "Тұрғын үй-коммуналдық шаруашылық бөлімінің басшысы (демо)",
    "title_ru": "Руководитель отдела жилищно-коммунального хозяйства (демо)",
    "duties_kk": "Қаланың тұрғын үй-коммуналдық шаруашылығын дамыту бағдарламаларын басқару.",
    "duties_ru": "Управление программами развития жилищно-коммунального хозяйства города.",
    "requirements": {"min_education_level": "technical_vocational", "min_experience_months": 24},
}
INTERVIEW_STAGE_TOPIC = {
    "kk": "Қала тұрғындарына коммуналдық қызметтердің сапасын қалай арттыруға болады",
    "ru": "Как повысить качество коммунальных услуг для жителей города",
}
ALERT_VACANCY: dict[str, Any] = {
    "category": "C-4",
    "functional_area": "budget_planning",
    "title_kk": "Бюджеттік жоспарлау департаментінің бас сарапшысы (демо)",
    "title_ru": "Главный эксперт департамента бюджетного планирования (демо)",
    "duties_kk": "Республикалық бюджеттің шығыстарын жоспарлау және талдау.",
    "duties_ru": "Планирование и анализ расходов республиканского бюджета.",
    "requirements": {"min_education_level": "bachelor", "min_experience_months": 12},
}

_RESULTS: dict[str, Any] = {
    "legislation": {"constitution": 13, "civil_service": 12, "anti_corruption": 11, "ethics": 8},
    "personal_qualities": {"percent": 71, "reliable": True},
    "reasoning": {"text": 19, "numeric": 20},
}


@dataclass(frozen=True)
class Essayist:
    login: str
    language: str
    text: str


ESSAY_STAGE_ESSAYISTS: tuple[Essayist, ...] = (
    Essayist(
        "candidate04",
        "kk",
        "Мемлекеттік сатып алу ашық болғанда ғана бюджет қаражаты тиімді жұмсалады. Барлық конкурстық "
        "құжаттаманы порталда алдын ала жариялап, жеткізушілерге сұрақ қоюға уақыт беру керек. Бір "
        "жеткізушіден сатып алу ерекше жағдайда ғана қолданылуы тиіс, ал әр шешімнің себебі жазылуы қажет.",
    ),
    Essayist(
        "candidate06",
        "kk",
        "Адал бәсеке шағын кәсіпкерлерге де мүмкіндік береді. Талаптар нақты әрі өлшенетін болса, "
        "комиссияның субъективті шешімдеріне орын қалмайды. Шағымдарды қарау мерзімін қысқарту да маңызды.",
    ),
    Essayist(
        "candidate05",
        "ru",
        "Прозрачность закупок начинается с понятного плана: заказчик публикует потребности заранее, "
        "поставщики успевают подготовиться. Электронные торги и открытые данные о договорах позволяют "
        "обществу видеть цены и сравнивать их с рыночными.",
    ),
    Essayist(
        "candidate07",
        "ru",
        "Добросовестная конкуренция требует единых правил для всех участников. Антикоррупционная "
        "экспертиза технических спецификаций и ротация членов комиссий снижают риск сговора, а "
        "аналитика цен помогает заметить завышение заранее.",
    ),
)
"""The essay-stage competition's candidates: each passes the automated stages and locks an essay."""

INTERVIEW_STAGE_ESSAYISTS: tuple[tuple[Essayist, tuple[int, int, int]], ...] = (
    (
        Essayist(
            "candidate10",
            "ru",
            "Качество коммунальных услуг растёт, когда жители видят сроки ремонта и могут оценить работу "
            "подрядчика. Нужна единая диспетчерская и открытая карта аварий.",
        ),
        (4, 4, 3),
    ),
    (
        Essayist(
            "candidate11",
            "kk",
            "Коммуналдық қызметтердің сапасы тұрғындардың пікірін тыңдаудан басталады. Әр үйдің "
            "тұрғындарына өтінімнің орындалу барысын көрсететін мобильді қосымша қажет.",
        ),
        (5, 4, 4),
    ),
    (
        Essayist(
            "candidate08",
            "kk",
            "Коммуналдық тарифтер мен қызмет сапасы ашық болуы керек. Келісімшарттарда сапа "
            "көрсеткіштері мен айыппұлдар нақты жазылса, жеткізушілер жауапкершілікті сезінеді.",
        ),
        (3, 4, 4),
    ),
)
"""The interview-stage competition's candidates and the (member4, member1, member2) essay scores."""

PROCTORED_CANDIDATE = "candidate12"
"""Sits the state-language test, whose proctoring client reports looking away: the proctor's review."""


def working_days_before(day: date, n: int) -> date:
    """The ``n``-th working day (Kazakhstan calendar) before ``day``."""
    found = 0
    while found < n:
        day -= timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def _write_essays(
    session: Session,
    queue: JobQueue,
    *,
    competition: Competition,
    hr: Account,
    essayists: tuple[Essayist, ...],
    published: date,
    essay_day: date,
    key: str,
    prescore: bool,
) -> dict[str, int]:
    """Apply, confirm, record passing results, close applications and lock each essay; login → application id."""
    applied: dict[str, int] = {}
    for essayist in essayists:
        application, _created = applications.apply(
            session=session,
            queue=queue,
            competition_id=competition.id,
            actor=_account(session, essayist.login),
            today=published,
            idempotency_key=f"demo-{key}-{essayist.login}",
        )
        applied[essayist.login] = application.id
        applications.confirm(session=session, queue=queue, application_id=application.id, actor=hr)
        applications.record_stage_results(
            session=session, application_id=application.id, actor=hr, data=StageResultsIn.model_validate(_RESULTS)
        )
    competitions.close_applications(session=session, competition=competition, actor=hr)
    for minute, essayist in enumerate(essayists):
        account = _account(session, essayist.login)
        started = _at(essay_day, 10, minute)
        essays.start(
            session=session,
            application_id=applied[essayist.login],
            actor=account,
            language=essayist.language,
            now=started,
        )
        essays.submit(
            session=session,
            application_id=applied[essayist.login],
            actor=account,
            text=essayist.text,
            language=None,
            now=started + timedelta(minutes=45),
            queue=queue if prescore else None,
        )
    return applied


def _essay_stage(session: Session, queue: JobQueue, today: date) -> dict[str, int]:
    hr = _account(session, "hr.minfin")
    essay_day = working_days_before(today, 1)
    published = working_days_before(essay_day, 10)
    competition = _open_competition(
        session,
        hr=hr,
        vacancy=ESSAY_STAGE_VACANCY,
        today=published,
        seats=(("member1", "chair"), ("member2", "member"), ("member3", "member"), ("member5", "secretary")),
    )
    competitions.set_essay_topic(
        session=session, competition=competition, kk=ESSAY_STAGE_TOPIC["kk"], ru=ESSAY_STAGE_TOPIC["ru"], actor=hr
    )
    applied = _write_essays(
        session,
        queue,
        competition=competition,
        hr=hr,
        essayists=ESSAY_STAGE_ESSAYISTS,
        published=published,
        essay_day=essay_day,
        key="essay-stage",
        prescore=True,
    )
    return {"essay_stage_competitions": 1, "essays_to_score": len(applied)}


def _interview_stage(session: Session, queue: JobQueue, today: date) -> dict[str, int]:
    hr = _account(session, "hr.almaty")
    members = [_account(session, login) for login in ("member4", "member1", "member2")]
    interview_day = working_days_before(today, 1)
    essay_day = working_days_before(interview_day, 3)
    published = working_days_before(essay_day, 10)
    competition = _open_competition(
        session,
        hr=hr,
        vacancy=INTERVIEW_STAGE_VACANCY,
        today=published,
        seats=(("member4", "chair"), ("member1", "member"), ("member2", "member"), ("member5", "secretary")),
    )
    competitions.set_essay_topic(
        session=session,
        competition=competition,
        kk=INTERVIEW_STAGE_TOPIC["kk"],
        ru=INTERVIEW_STAGE_TOPIC["ru"],
        actor=hr,
    )
    essayists = tuple(essayist for essayist, _scores in INTERVIEW_STAGE_ESSAYISTS)
    applied = _write_essays(
        session,
        queue,
        competition=competition,
        hr=hr,
        essayists=essayists,
        published=published,
        essay_day=essay_day,
        key="interview-stage",
        prescore=False,  # scored and closed at once: a suggestion would come too late
    )
    scored_at = _at(essay_day, 16)
    for essayist, scores in INTERVIEW_STAGE_ESSAYISTS:
        for member, score in zip(members, scores, strict=True):
            scoring.score_application(
                session=session,
                competition=competition,
                stage="essay",
                anonymous_code=_code(session, applied[essayist.login]),
                scorer=member,
                score=score,
                comment=None,
                now=scored_at,
            )
    scoring.close_stage(session=session, competition=competition, stage="essay", actor=hr, now=scored_at)
    scheduled_at = _at(working_days_before(interview_day, 2), 11)
    for slot, code in enumerate(stages.interview_shortlist(session=session, competition=competition)):
        interviews.schedule(
            session=session,
            queue=queue,
            competition=competition,
            anonymous_code=code,
            starts_at=_at(interview_day, 10, 20 * slot),
            actor=hr,
            now=scheduled_at,
        )
    held = 0
    for interview, _application in interviews.interviews_of(session=session, competition=competition):
        interviews.set_status(session=session, competition=competition, interview=interview, status="held", actor=hr)
        held += 1
    return {"interview_stage_competitions": 1, "interviews_to_score": held}


def _proctoring_review(session: Session, queue: JobQueue, today: date) -> dict[str, int]:
    """The state-language test of a demo candidate on the last working day, with one flagged event."""
    account = _account(session, PROCTORED_CANDIDATE)
    test_day = working_days_before(today, 1)
    starts_at = _at(test_day, 11)
    booked_on = working_days_before(test_day, 10)
    policy = SelectionPolicy()
    booking = exams.book(
        session=session,
        actor=account,
        bank=get_item_bank(),
        policy=policy,
        today=booked_on,
        now=_at(booked_on, 9),
        programme=STATE_LANGUAGE,
        language="kk",
        starts_at=starts_at,
        application_id=None,
        seed=2026,
    )
    test_session = exams.start(
        session=session, queue=queue, booking_id=booking.id, actor=account, now=starts_at, settings=get_settings()
    )
    claims = TokenClaims(
        account_id=account.id,
        role=account.role,
        expires_at=starts_at + timedelta(hours=2),
        token_version=account.token_version,
    )
    form = cached_form(session, test_session.form_hash)
    for number, item in enumerate(form.items):
        exams.save_answer(
            session=session,
            session_id=test_session.id,
            claims=claims,
            item_id=item.id,
            option=item.key if number % 5 else "b" if item.key != "b" else "c",
            client_request_id=f"demo-{number}",
            now=starts_at + timedelta(minutes=1, seconds=20 * number),
        )
    proctoring.record_event(
        session=session,
        session_id=test_session.id,
        actor=account,
        kind="looked_away",
        occurred_at=starts_at + timedelta(minutes=7),
        evidence_ref="demo-recording/state-language.webm#t=420",
    )
    exams.submit(
        session=session,
        session_id=test_session.id,
        actor=account,
        now=starts_at + timedelta(minutes=35),
        policy=policy,
        by="candidate",
    )
    return {"proctoring_reviews": 1}


def seed_staff_work(session: Session) -> dict[str, int]:
    """The essay-stage and interview-stage competitions and the proctor's review (before the talent seeder,
    so that publishing their vacancies drafts no alert campaign for anybody)."""
    queue = _demo_queue(session)
    today = kazakhstan_today()
    return {
        **_essay_stage(session, queue, today),
        **_interview_stage(session, queue, today),
        **_proctoring_review(session, queue, today),
    }


def seed_alert_draft(session: Session) -> dict[str, int]:
    """A vacancy published today for the demo subscribers (after the talent seeder): its campaign is a draft."""
    hr = _account(session, "hr.minfin")
    draft = vacancies.create(session=session, data=VacancyCreate.model_validate(ALERT_VACANCY), actor=hr)
    vacancy_competition.publish(
        session=session,
        vacancy_id=draft.id,
        actor=hr,
        policy=SelectionPolicy(),
        today=kazakhstan_today(),
        window_working_days=7,
    )
    drafts = session.scalars(select(AlertCampaign.id).where(AlertCampaign.status == DRAFT)).all()
    return {"open_vacancies": 1, "alert_campaign_drafts": len(drafts)}
