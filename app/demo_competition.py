"""Two demo competitions for ``irikteu seed-demo``: one finished and signed, one open for applications.

Everything goes through the same service functions the API calls (so the audit trail, the
notifications and the stored outcome are the real thing) as the demo accounts of
``app.auth.demo``: the HR officer of the Ministry of Finance (demo), the commission members
``member1``–``member3`` and the demo candidates.

- **Finished** (fixed dates in October 2026, the same data on every run): a C-1 vacancy of the
  Ministry of Finance (demo); seven demo candidates apply, one fails the qualification check and
  is rejected; recorded test results leave one candidate at each automated stage; three write
  essays, the three members score them and are interviewed; results are published; the protocol
  is drawn up and signed by the three members with demo certificates (keys made at seeding,
  issued by a demo CA that stands in for the NCA; never a real signature).
- **Open** (dated today in Kazakhstan, so it is open whenever the demo is loaded): a C-4 vacancy
  of the Akimat of Almaty (demo) with two applications waiting for the HR decision.

The notifications these steps send are real rows; their e-mails go to the demo addresses only if
SMTP is configured. The queue messages of this seeding are not kept (an in-memory queue): the
periodic recovery of ``irikteu serve`` picks the e-mail jobs up a few minutes after it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from huey import MemoryHuey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.applications import service as applications
from app.applications.schemas import StageResultsIn
from app.auth.crypto import iin_lookup_hash
from app.auth.demo import demo_email
from app.auth.models import Account
from app.candidates.demo import make_iin
from app.clock import kazakhstan_today
from app.competitions import service as competitions
from app.competitions.models import Competition
from app.essays import service as essays
from app.essays import stages
from app.interviews import service as interviews
from app.jobs.queue import JobQueue
from app.notifications import jobs as notification_jobs  # noqa: F401  (registers the e-mail job kind)
from app.protocol import service as protocols
from app.protocol.link import draw_up_protocol
from app.protocol.signing import make_demo_ca, make_test_certificate
from app.rules.policy import SelectionPolicy
from app.scoring import stages as scoring
from app.selection import service as selection
from app.selection import vacancies as vacancy_competition
from app.settings import get_settings
from app.vacancies import service as vacancies
from app.vacancies.schemas import VacancyCreate

FINISHED_VACANCY: dict[str, Any] = {
    "category": "C-1",
    "functional_area": "budget_planning",
    "title_kk": "Бюджеттік жоспарлау департаментінің директоры (демо)",
    "title_ru": "Директор департамента бюджетного планирования (демо)",
    "duties_kk": "Республикалық бюджетті жоспарлау жұмысын ұйымдастыру және департаментке басшылық ету.",
    "duties_ru": "Организация работы по планированию республиканского бюджета, руководство департаментом.",
    "requirements": {"min_education_level": "bachelor", "min_experience_months": 48},
}
OPEN_VACANCY: dict[str, Any] = {
    "category": "C-4",
    "functional_area": "legal",
    "title_kk": "Заң бөлімінің бас маманы (демо)",
    "title_ru": "Главный специалист юридического отдела (демо)",
    "duties_kk": "Әкімдіктің шешімдері мен шарттарына құқықтық сараптама жүргізу.",
    "duties_ru": "Правовая экспертиза решений и договоров акимата.",
    "requirements": {"min_education_level": "bachelor", "education_fields": ["Law"], "min_experience_months": 12},
}
ESSAY_TOPIC = {
    "kk": "Бюджеттік жоспарлаудағы ашықтық пен азаматтардың қатысуы",
    "ru": "Открытость бюджетного планирования и участие граждан",
}

_PASS = {"constitution": 13, "civil_service": 12, "anti_corruption": 11, "ethics": 8}


@dataclass(frozen=True)
class DemoApplicant:
    login: str
    results: dict[str, Any]
    essay: tuple[int, int, int] | None = None
    essay_text: str | None = None
    interview: tuple[int, int, int] | None = None


FINISHED_APPLICANTS: tuple[DemoApplicant, ...] = (
    DemoApplicant(
        "candidate01",
        {
            "legislation": _PASS,
            "personal_qualities": {"percent": 78, "reliable": True},
            "reasoning": {"text": 21, "numeric": 23},
        },
        (5, 4, 5),
        "Бюджет ашық болса, азаматтар мемлекетке сенеді. Бюджеттік жоспарлаудың әр кезеңінде "
        "қоғамдық талқылау өткізіп, нәтижелерін ашық деректер порталында жариялау қажет.",
        (5, 5, 4),
    ),
    DemoApplicant(
        "candidate12",
        {
            "legislation_certificate_valid": True,
            "personal_qualities": {"percent": 72, "reliable": True},
            "reasoning": {"text": 19, "numeric": 22},
        },
        (4, 4, 4),
        "Бюджеттік жоспарлау — мемлекеттік басқарудың негізі. Азаматтардың пікірін ескеру "
        "шығыстардың тиімділігін арттырады.",
        (4, 5, 4),
    ),
    DemoApplicant(
        "candidate09",
        {
            "legislation": _PASS,
            "personal_qualities": {"percent": 68, "reliable": True},
            "reasoning": {"text": 18, "numeric": 17},
        },
        (4, 3, 4),
        "Открытый бюджет — это доверие. Граждане должны видеть, на что тратятся налоги, "
        "и участвовать в выборе приоритетов.",
        (4, 4, 3),
    ),
    DemoApplicant(
        "candidate03", {"legislation": {"constitution": 14, "civil_service": 13, "anti_corruption": 3, "ethics": 9}}
    ),
    DemoApplicant(
        "candidate05", {"legislation_certificate_valid": True, "personal_qualities": {"percent": 74, "reliable": False}}
    ),
    DemoApplicant(
        "candidate07",
        {
            "legislation": _PASS,
            "personal_qualities": {"percent": 61, "reliable": True},
            "reasoning": {"text": 12, "numeric": 11},
        },
    ),
)
"""Who leaves where: candidate03 at eligibility (one act below 5), candidate05 at personal qualities
(unreliable answers), candidate07 at reasoning; candidate01, 12 and 09 write essays, are interviewed
and ranked (candidate08 applies too and is rejected: under 48 months of experience)."""
FINISHED_REJECTED = "candidate08"
OPEN_APPLICANTS = ("candidate02", "candidate04")

FINISHED_DAYS = {
    "published": date(2026, 10, 5),
    "results": date(2026, 10, 16),
    "essay": date(2026, 10, 19),
    "interview": date(2026, 10, 21),
    "published_results": date(2026, 10, 23),
}
"""The finished competition's calendar: a Monday to a Friday of October 2026, working days all."""


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` Astana time (UTC+5) on ``day``, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=5)


def _account(session: Session, login: str) -> Account:
    account = session.scalars(select(Account).where(Account.email == demo_email(login))).one()
    return account


def _demo_queue(session: Session) -> JobQueue:
    """A queue whose messages are not kept: the job rows are, and ``irikteu serve`` recovers them."""
    return JobQueue(MemoryHuey("irikteu-demo-seed", utc=True), sessionmaker(bind=session.get_bind()))


def _open_competition(
    session: Session, *, hr: Account, vacancy: dict[str, Any], today: date, seats: tuple[tuple[str, str], ...]
) -> Competition:
    draft = vacancies.create(session=session, data=VacancyCreate.model_validate(vacancy), actor=hr)
    vacancy_competition.publish(
        session=session, vacancy_id=draft.id, actor=hr, policy=SelectionPolicy(), today=today, window_working_days=7
    )
    competition = session.scalars(select(Competition).where(Competition.vacancy_id == draft.id)).one()
    for login, role in seats:
        competitions.add_commission_member(
            session=session, competition=competition, account_id=_account(session, login).id, role=role, actor=hr
        )
    return competition


def _finished_competition(session: Session, queue: JobQueue) -> dict[str, int]:
    hr = _account(session, "hr.minfin")
    members = [_account(session, login) for login in ("member1", "member2", "member3")]
    days = FINISHED_DAYS
    competition = _open_competition(
        session,
        hr=hr,
        vacancy=FINISHED_VACANCY,
        today=days["published"],
        seats=(("member1", "chair"), ("member2", "member"), ("member3", "member")),
    )
    competitions.set_essay_topic(
        session=session, competition=competition, kk=ESSAY_TOPIC["kk"], ru=ESSAY_TOPIC["ru"], actor=hr
    )
    applied: dict[str, int] = {}
    for login in (*(a.login for a in FINISHED_APPLICANTS), FINISHED_REJECTED):
        application, _created = applications.apply(
            session=session,
            queue=queue,
            competition_id=competition.id,
            actor=_account(session, login),
            today=days["published"],
            idempotency_key=f"demo-{login}",
        )
        applied[login] = application.id
    applications.reject(
        session=session,
        queue=queue,
        application_id=applied[FINISHED_REJECTED],
        actor=hr,
        reason="Жұмыс өтілі 48 айдан кем / Стаж работы менее 48 месяцев",
    )
    for applicant in FINISHED_APPLICANTS:
        applications.confirm(session=session, queue=queue, application_id=applied[applicant.login], actor=hr)
        applications.record_stage_results(
            session=session,
            application_id=applied[applicant.login],
            actor=hr,
            data=StageResultsIn.model_validate(applicant.results),
        )
    competitions.close_applications(session=session, competition=competition, actor=hr)

    essayists = [a for a in FINISHED_APPLICANTS if a.essay is not None]
    for minute, applicant in enumerate(essayists):
        account = _account(session, applicant.login)
        started = _at(days["essay"], 10, minute)
        language = "ru" if applicant.login == "candidate09" else "kk"
        essays.start(
            session=session, application_id=applied[applicant.login], actor=account, language=language, now=started
        )
        essays.submit(
            session=session,
            application_id=applied[applicant.login],
            actor=account,
            text=applicant.essay_text,
            language=None,
            now=started + timedelta(minutes=40),
        )
    codes = {a.login: _code(session, applied[a.login]) for a in FINISHED_APPLICANTS}
    scored_at = _at(days["essay"], 15)
    for applicant in essayists:
        assert applicant.essay is not None
        for member, score in zip(members, applicant.essay, strict=True):
            scoring.score_application(
                session=session,
                competition=competition,
                stage="essay",
                anonymous_code=codes[applicant.login],
                scorer=member,
                score=score,
                comment=None,
                now=scored_at,
            )
    scoring.close_stage(session=session, competition=competition, stage="essay", actor=hr, now=scored_at)

    shortlist = stages.interview_shortlist(session=session, competition=competition)
    for slot, code in enumerate(shortlist):
        interviews.schedule(
            session=session,
            queue=queue,
            competition=competition,
            anonymous_code=code,
            starts_at=_at(days["interview"], 10, 20 * slot),
            actor=hr,
            now=_at(days["essay"], 16),
        )
    after = _at(days["interview"], 12)
    by_code = {code: login for login, code in codes.items()}
    for interview, application in interviews.interviews_of(session=session, competition=competition):
        interviews.set_status(session=session, competition=competition, interview=interview, status="held", actor=hr)
        scores = next(a.interview for a in FINISHED_APPLICANTS if a.login == by_code[application.anonymous_code])
        assert scores is not None
        for member, score in zip(members, scores, strict=True):
            scoring.score_application(
                session=session,
                competition=competition,
                stage="interview",
                anonymous_code=application.anonymous_code,
                scorer=member,
                score=score,
                comment=None,
                now=after,
            )
    scoring.close_stage(session=session, competition=competition, stage="interview", actor=hr, now=after)

    selection.publish_results(
        session=session, queue=queue, competition=competition, actor=hr, today=days["published_results"]
    )
    drawn = draw_up_protocol(
        session=session, queue=queue, competition=competition, actor=hr, today=days["published_results"]
    )
    ca = make_demo_ca("Irikteu demo certification authority (not the NCA)")
    secret_key = get_settings().secret_key
    for number, member in enumerate(members, start=1):
        # Each member's IIN on record (as its keyed hash) and in their certificate, as NCA certificates carry it.
        iin = make_iin(date(1970 + number, number, 10 + number), "male" if number % 2 else "female", 900 + number)
        member.iin_hash = iin_lookup_hash(iin, secret_key=secret_key)
        identity = make_test_certificate(member.display_name, iin, issuer=ca)
        protocols.add_signature(
            session=session,
            protocol_id=drawn.protocol.id,
            account=member,
            signature_der=identity.signer().sign(drawn.protocol.pdf),
        )
    return {"finished_competitions": 1, "finished_applications": len(applied), "protocols_signed": 1}


def _code(session: Session, application_id: int) -> str:
    return applications.get_application(session=session, application_id=application_id).anonymous_code


def seed_demo_competitions(session: Session) -> dict[str, int]:
    """The finished, signed competition and the one open today (the ``demo.seeded`` event covers both)."""
    queue = _demo_queue(session)
    added = _finished_competition(session, queue)
    hr = _account(session, "hr.almaty")
    today = kazakhstan_today()
    competition = _open_competition(
        session,
        hr=hr,
        vacancy=OPEN_VACANCY,
        today=today,
        seats=(("member4", "chair"), ("member5", "member"), ("member1", "member")),
    )
    for login in OPEN_APPLICANTS:
        applications.apply(
            session=session,
            queue=queue,
            competition_id=competition.id,
            actor=_account(session, login),
            today=today,
            idempotency_key=f"demo-{login}",
        )
    return {**added, "open_competitions": 1, "open_applications": len(OPEN_APPLICANTS)}
