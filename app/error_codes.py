"""Every domain's error codes, imported in one place so that ``app.errors.declared_codes()`` knows them all."""

from __future__ import annotations

from app import errors
from app.alerts import errors as alerts
from app.analytics import errors as analytics
from app.applications import errors as applications
from app.appointments import errors as appointments
from app.auth import errors as auth
from app.candidates import errors as candidates
from app.competitions import errors as competitions
from app.essays import errors as essays
from app.exams import errors as exams
from app.interviews import errors as interviews
from app.jobs import errors as jobs
from app.matching import errors as matching
from app.mlops import errors as mlops
from app.notifications import errors as notifications
from app.prescoring import errors as prescoring
from app.proctoring import errors as proctoring
from app.protocol import errors as protocol
from app.research import errors as research
from app.talent import errors as talent
from app.transcripts import errors as transcripts
from app.vacancies import errors as vacancies

DOMAIN_ERROR_MODULES = (
    errors,
    alerts,
    analytics,
    applications,
    appointments,
    auth,
    candidates,
    competitions,
    essays,
    exams,
    interviews,
    jobs,
    matching,
    mlops,
    prescoring,
    proctoring,
    protocol,
    research,
    talent,
    transcripts,
    vacancies,
    notifications,
)
