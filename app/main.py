"""The FastAPI application: ``create_app()`` wires settings, database, queue and routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app import db
from app.api.guards import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.api.middleware import RequestIdMiddleware
from app.api.routers import ROUTERS
from app.job_registry import build_queue
from app.logs import configure_logging
from app.problems import install_problem_documentation, install_problem_handlers, problem_response
from app.protocol.trust import revocation_lists, trusted_roots
from app.rules.policy import policy_from_overrides
from app.settings import Settings, get_settings
from app.web.site import install_web

log = logging.getLogger("irikteu")


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
        log.info(
            "irikteu started",
            extra={
                "database": engine.url.get_backend_name(),
                "queue": type(queue.huey).__name__,
                "in_process_consumer": run_consumer,
            },
        )
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
    if settings.environment == "production":
        trusted_roots(settings)  # refuse to start on an unreadable or empty bundle (TrustedRootsError)
        revocation_lists(settings)  # and on a CRL no trusted root signed
    app.state.settings = settings
    app.state.policy = policy
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.request_max_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, production=settings.environment == "production")
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
        return problem_response(
            request, status=503, code="not_ready", detail="a dependency does not answer", checks=checks
        )

    for router in ROUTERS:
        app.include_router(router)
    install_problem_documentation(app)
    install_web(app)
    return app
