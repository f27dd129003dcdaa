"""Pages of administrators: accounts and state bodies, the ML stop switches, the outbox,
the audit chain, the model registry."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.deps import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
