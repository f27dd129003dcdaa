"""Pages of proctors: the review queue of flagged test sessions by anonymous code."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.deps import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
