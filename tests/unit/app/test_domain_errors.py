"""Domain errors: every code has its kk and ru title and a status, and no service speaks HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

from app.error_codes import DOMAIN_ERROR_MODULES
from app.errors import ErrorCode, Kind, declared_codes
from app.i18n import translate
from app.problems import STATUS_OF_KIND, TITLES, title_of

APP = Path(__file__).resolve().parents[3] / "app"
# The HTTP layer: the only modules that may use FastAPI's ProblemError.
HTTP_MODULES = {"app/auth/deps.py", "app/problems.py", "app/main.py"}


def _every_declaration() -> list[ErrorCode]:
    return [value for module in DOMAIN_ERROR_MODULES for value in vars(module).values() if isinstance(value, ErrorCode)]


def _imports(path: Path) -> set[str]:
    """``module`` and ``module.name`` for every import of the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _relative(path: Path) -> str:
    return path.relative_to(APP.parent).as_posix()


def test_every_declared_title_has_a_kazakh_and_a_russian_translation() -> None:
    untranslated = [
        (error.code, locale)
        for error in _every_declaration()
        for locale in ("kk", "ru")
        if translate(error.title, locale) == error.title
    ]
    assert untranslated == []
    assert all(translate(title, "kk") != title and translate(title, "ru") != title for title in TITLES.values())


def test_every_kind_has_a_status() -> None:
    assert STATUS_OF_KIND == {
        Kind.BAD_REQUEST: 400,
        Kind.INVALID: 422,
        Kind.NOT_FOUND: 404,
        Kind.CONFLICT: 409,
        Kind.FORBIDDEN: 403,
        Kind.UNAUTHENTICATED: 401,
        Kind.TOO_LARGE: 413,
        Kind.UNSUPPORTED_MEDIA: 415,
        Kind.RATE_LIMITED: 429,
    }
    assert set(STATUS_OF_KIND) == set(Kind)


def test_a_code_declared_twice_keeps_one_title_and_the_response_finds_it() -> None:
    titles: dict[str, set[str]] = {}
    for error in _every_declaration():
        titles.setdefault(error.code, set()).add(error.title)
    assert {code for code, seen in titles.items() if len(seen) > 1} == set()
    assert set(titles) == set(declared_codes())
    assert not set(TITLES) & set(declared_codes()), "a domain code is also titled by the HTTP layer"
    assert all(title_of(code) == error.title for code, error in declared_codes().items())
    assert title_of("job_not_found") == "The job does not exist"
    assert title_of("no_such_code") == "The request is not valid"


def test_consent_required_is_a_conflict_when_applying_and_invalid_when_registering() -> None:
    kinds = {error.kind for error in _every_declaration() if error.code == "consent_required"}
    assert kinds == {Kind.CONFLICT, Kind.INVALID}


def test_only_the_http_layer_uses_problem_error_and_no_service_imports_fastapi() -> None:
    problem_error_users, http_services = [], []
    for path in sorted(APP.rglob("*.py")):
        name, imports = _relative(path), _imports(path)
        if "app.problems.ProblemError" in imports and path.name != "router.py" and name not in HTTP_MODULES:
            problem_error_users.append(name)
        if path.name in ("service.py", "errors.py") and any(
            module.split(".")[0] in ("fastapi", "starlette") or module.startswith("app.problems") for module in imports
        ):
            http_services.append(name)
    assert problem_error_users == []
    assert http_services == []
