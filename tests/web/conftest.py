"""Browser fixtures: the service under uvicorn on a free port (fresh migrated SQLite) and Debian's Chromium
driven by Playwright (``executable_path``; no browser is ever downloaded).

Without Chromium the browser tests skip with a message naming ``make browser``; with
``IRIKTEU_TEST_REQUIRE_SERVICES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

try:  # a test dependency: without it the browser tests skip (or fail in CI), the rest still runs
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None  # type: ignore[assignment]

from app.deps import get_now, get_today
from app.main import create_app
from tests.api._assessment import NOW, Clocked
from tests.api._workflow import TODAY
from tests.conftest import make_settings
from tests.integration.test_smtp_delivery import smtp_server  # noqa: F401  (a local SMTP inbox fixture)

CHROMIUM = os.environ.get("IRIKTEU_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _missing_browser(reason: str) -> None:
    message = f"{reason}; run `make browser` to install Debian's chromium and chromium-driver"
    if os.environ.get("IRIKTEU_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium per test process."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _missing_browser(f"Chromium is not installed at {CHROMIUM}")
    if sync_playwright is None:
        _missing_browser("Playwright for Python is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Live(Clocked):
    """A ``Clocked`` world (the API tests' helpers work on it) whose app also answers a real browser."""

    base_url: str = ""
    csp_errors: list[str] = field(default_factory=list)

    def page(self, browser: Any, locale: str, width: int = 1280) -> Any:
        """A fresh browser context (no cookies) whose Accept-Language is ``locale``; CSP reports collected."""
        context = browser.new_context(
            base_url=self.base_url,
            locale=f"{locale}-KZ" if locale == "kk" else "ru-RU",
            viewport={"width": width, "height": 900},
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.on(
            "console",
            lambda message: self.csp_errors.append(message.text) if "Content Security Policy" in message.text else None,
        )
        return page


def serve(app: FastAPI, port: int) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread (its lifespan included) until the test ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def live_factory(sqlite_url: str, tmp_path: Path) -> Iterator[Callable[..., Live]]:
    """Build the live service (settings overridable); today and now pinned as in the API tests."""
    stops: list[Iterator[str]] = []

    def build(*, start_consumer: bool = False, **overrides: Any) -> Live:
        port = _free_port()
        overrides.setdefault("public_base_url", f"http://127.0.0.1:{port}")  # the links in letters
        settings = make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", **overrides)
        app = create_app(settings, start_consumer=start_consumer)
        today: list[date] = [TODAY]
        now: list[datetime] = [NOW]
        app.dependency_overrides[get_today] = lambda: today[0]
        app.dependency_overrides[get_now] = lambda: now[0]
        running = serve(app, port)
        base_url = next(running)
        stops.append(running)
        # The lifespan ran in the server: this client shares its state and needs no lifespan of its own.
        return Live(app=app, client=TestClient(app), today=today, now=now, base_url=base_url)

    yield build
    for running in stops:
        next(running, None)


@pytest.fixture
def live(live_factory: Callable[..., Live]) -> Live:
    return live_factory()


def screenshot(page: Any, locale: str, name: str) -> None:
    """Full-page screenshots at 360 and 1280 px under var/screenshots/<locale>/ (not committed)."""
    folder = SCREENSHOTS / locale
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)
