"""``skip_or_fail``: a missing server skips a test on a developer's machine and fails it in CI."""

from __future__ import annotations

import pytest

from tests.services import REQUIRE_SERVICES, services_required, skip_or_fail

MESSAGE = "Redis does not answer on 127.0.0.1:6379; its variant of this test is skipped"


@pytest.mark.parametrize("value", [None, "", "0", "yes"])
def test_without_the_switch_a_missing_server_skips(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(REQUIRE_SERVICES, raising=False)
    else:
        monkeypatch.setenv(REQUIRE_SERVICES, value)
    assert not services_required()
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_or_fail(MESSAGE)
    assert skipped.value.msg == MESSAGE


@pytest.mark.parametrize("value", ["1", " 1 "])
def test_with_the_switch_a_missing_server_fails(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_SERVICES, value)
    assert services_required()
    with pytest.raises(pytest.fail.Exception) as failed:
        skip_or_fail(MESSAGE)
    assert failed.value.msg == f"{MESSAGE} (IRIKTEU_TEST_REQUIRE_SERVICES=1: the servers CI runs must answer)"
    assert not failed.value.pytrace
