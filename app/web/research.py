"""Pages of researchers: fairness audits and pseudonymised study exports."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.deps import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
