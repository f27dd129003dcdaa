"""The FastAPI application: ``create_app()`` wires settings, database, queue and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app import db
from app.jobs.queue import JobQueue, build_huey
from app.logs import RequestIdMiddleware, configure_logging
from app.problems import install_problem_handlers, problem_response
from app.rules.policy import policy_from_overrides
from app.settings import Settings, get_settings
from app.web.site import install_web

log = logging.getLogger("irikteu")


def _import_job_handlers() -> None:
    """Import every module that registers job handlers, so API and worker know the same kinds."""
    import app.alerts.jobs
    import app.audit.jobs
    import app.exams.jobs
    import app.matching.jobs  # issue 7 M1
    import app.notifications.jobs
    import app.prescoring.jobs
    import app.transcripts.jobs  # noqa: F401


def build_queue(settings: Settings, sessions: Any) -> JobQueue:
    _import_job_handlers()
    return JobQueue(build_huey(settings.resolved_queue_url, settings.queue_name), sessions,
                    max_retries=settings.job_max_retries, retry_delay=settings.job_retry_delay_seconds,
                    settings=settings)


def create_app(settings: Settings | None = None, *, start_consumer: bool | None = None) -> FastAPI:
    """The service. ``start_consumer`` overrides ``settings.run_consumer_in_process`` (tests)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    policy = policy_from_overrides(settings.policy_overrides)
    run_consumer = settings.run_consumer_in_process if start_consumer is None else start_consumer

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = db.make_engine(settings.resolved_database_url)
        sessions = db.make_session_factory(engine)
        queue = build_queue(settings, sessions)
        app.state.engine, app.state.sessions, app.state.queue = engine, sessions, queue
        if run_consumer:
            queue.start_consumer(settings.queue_workers)
        log.info("irikteu started", extra={"database": engine.url.get_backend_name(),
                                           "queue": type(queue.huey).__name__,
                                           "in_process_consumer": run_consumer})
        try:
            yield
        finally:
            queue.stop_consumer()
            engine.dispose()

    app = FastAPI(
        title="Irikteu",
        version="0.1.0",
        summary="Merit-based civil-service selection: exact rules, machine learning that suggests.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.policy = policy
    app.add_middleware(RequestIdMiddleware)
    install_problem_handlers(app)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", tags=["service"], response_model=None)
    def ready(request: Request) -> dict[str, Any] | JSONResponse:
        """Readiness: the database answers and the queue's storage answers."""
        checks: dict[str, str] = {}
        try:
            db.ping(request.app.state.engine)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            request.app.state.queue.ping()
            checks["queue"] = "ok"
        except Exception as exc:
            checks["queue"] = f"error: {type(exc).__name__}"
        if all(value == "ok" for value in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(request, status=503, code="not_ready",
                                detail="a dependency does not answer", checks=checks)

    from app.alerts.router import router as alerts_router
    from app.applications.router import router as applications_router
    from app.auth.router import admin_router
    from app.auth.router import router as auth_router
    from app.candidates.router import router as candidates_router
    from app.competitions.protocol_link import router as competition_protocol_router
    from app.competitions.router import router as competitions_router
    from app.essays.router import router as essays_router
    from app.essays.router import stages_router
    from app.exams.router import router as testing_router
    from app.interviews.router import router as interviews_router
    from app.jobs.router import router as jobs_router
    from app.mlops.router import router as ml_router
    from app.notifications.router import admin_router as outbox_admin_router
    from app.notifications.router import router as notifications_router
    from app.prescoring.router import router as prescoring_router
    from app.proctoring.router import router as proctoring_router
    from app.protocol.router import router as protocol_router
    from app.talent.router import recommendations_router
    from app.talent.router import router as talent_router
    from app.transcripts.router import router as transcripts_router
    from app.vacancies.router import router as vacancies_router

    app.include_router(auth_router)
    app.include_router(vacancies_router)
    app.include_router(applications_router)
    app.include_router(admin_router)
    app.include_router(candidates_router)
    app.include_router(competitions_router)
    app.include_router(jobs_router)
    app.include_router(notifications_router)
    app.include_router(outbox_admin_router)
    app.include_router(protocol_router)
    app.include_router(competition_protocol_router)
    app.include_router(essays_router)
    app.include_router(stages_router)
    app.include_router(interviews_router)
    app.include_router(testing_router)
    app.include_router(proctoring_router)
    app.include_router(ml_router)
    app.include_router(prescoring_router)
    app.include_router(transcripts_router)
    app.include_router(talent_router)
    app.include_router(recommendations_router)
    app.include_router(alerts_router)
    install_web(app)
    return app
