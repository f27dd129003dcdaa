"""Errors of the deterministic core; the API and the CLI map them to problems and exit codes."""

from __future__ import annotations


class RulesError(ValueError):
    """Base of every error ``app/rules`` raises; ``code`` is stable and snake_case."""

    code = "rules_error"


class PolicyError(RulesError):
    """One or more policy overrides are invalid."""

    code = "invalid_policy"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
