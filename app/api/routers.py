"""Every router of the JSON API, in the order ``create_app`` includes them.

Each router has one resource prefix (``/api/v1/<resource>``). Order matters only where two routes
could match the same request: the one listed first answers.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.alerts import router as alerts
from app.applications import router as applications
from app.auth import router as auth
from app.candidates import router as candidates
from app.competitions import router as competitions
from app.essays import router as essays
from app.exams import router as exams
from app.interviews import router as interviews
from app.jobs import router as jobs
from app.matching import router as matching
from app.mlops import router as mlops
from app.notifications import router as notifications
from app.prescoring import router as prescoring
from app.proctoring import router as proctoring
from app.protocol import router as protocol
from app.talent import router as talent
from app.transcripts import router as transcripts
from app.vacancies import router as vacancies

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    vacancies.router,
    applications.competition_router,
    applications.router,
    auth.admin_router,
    candidates.router,
    competitions.policy_router,
    competitions.replay_router,
    competitions.router,
    jobs.router,
    notifications.router,
    notifications.admin_router,
    protocol.router,
    competitions.protocol_router,
    essays.router,
    essays.competition_router,
    essays.stages_router,
    interviews.competition_router,
    interviews.router,
    interviews.application_router,
    exams.bookings_router,
    exams.sessions_router,
    exams.certificates_router,
    exams.accommodations_router,
    proctoring.session_router,
    proctoring.router,
    mlops.router,
    prescoring.router,
    prescoring.models_router,
    transcripts.router,
    talent.router,
    matching.router,
    matching.recommendations_router,
    alerts.router,
)
