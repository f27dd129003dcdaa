"""What a test does when a server it needs (PostgreSQL, Redis, the browser) does not answer.

On a developer's machine it is skipped with a message naming the server. With
``IRIKTEU_TEST_REQUIRE_SERVICES=1`` (set by ``.ci/run``, where those servers run) it fails instead, so
CI cannot go green on the SQLite variants alone.
"""

from __future__ import annotations

import os
from typing import Final, NoReturn

import pytest

REQUIRE_SERVICES: Final = "IRIKTEU_TEST_REQUIRE_SERVICES"


def services_required() -> bool:
    """Whether a missing server fails the test (``IRIKTEU_TEST_REQUIRE_SERVICES=1``) rather than skipping it."""
    return os.environ.get(REQUIRE_SERVICES, "").strip() == "1"


def skip_or_fail(message: str) -> NoReturn:
    """Skip the test with ``message``; fail it with the same message when servers are required."""
    if services_required():
        pytest.fail(f"{message} ({REQUIRE_SERVICES}=1: the servers CI runs must answer)", pytrace=False)
    pytest.skip(message)
