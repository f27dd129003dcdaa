"""Pages of HR officers: vacancies, competition dashboards, applications, talent search, alert campaigns."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.deps import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
