"""The state's figures over ten years of a national history on PostgreSQL, beside one plain SQL aggregate.

Fills a fresh database (created beside the admin URL's, migrated, dropped at the end unless ``--keep``)
with ``--years`` of history: ``--bodies`` state bodies in 20 regions, one place per competition,
``--applications`` applications (5 per competition), a published outcome per competition (stages with
their entered and advanced candidates), an appointment ordered for 85 % of them, and direct
appointments outside competition. Then, in the same run:

0. ``summarise``: every published outcome's winner and stage counts read once into
   ``competition_summaries`` (what the first figures call after new publications does);
1. ``app.analytics.service.figures`` by month and by body (everything the API and the command do:
   the queries, working days, grouping, suppression);
2. the baseline: one plain SQL aggregate of the same counts (competitions and applications per body
   and month) with ``GROUP BY``.

Goal: the figures in <= 10 s; the report gives the ratio to the baseline.

    python -m evaluation.bench.bench_analytics [--admin-url postgresql+psycopg://127.0.0.1:5432/test]
        [--years 10] [--applications 2000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import date
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import db
from app.analytics.service import figures, summarise
from app.migrate import upgrade
from app.rules.policy import SelectionPolicy

GOAL_SECONDS = 10.0
PER_COMPETITION = 5
REGIONS = (
    "Astana",
    "Almaty",
    "Shymkent",
    "Abai",
    "Akmola",
    "Aktobe",
    "Almaty Region",
    "Atyrau",
    "East Kazakhstan",
    "Jambyl",
    "Jetisu",
    "Karaganda",
    "Kostanay",
    "Kyzylorda",
    "Mangystau",
    "North Kazakhstan",
    "Pavlodar",
    "Turkistan",
    "Ulytau",
    "West Kazakhstan",
)

FILL = [
    (
        "state bodies",
        """
        INSERT INTO state_bodies (id, code, name_kk, name_ru, region, is_demo, created_at)
        SELECT b, 'BODY-' || b, 'Орган ' || b, 'Орган ' || b, (ARRAY[{regions}])[1 + b % 20], false, now()
        FROM generate_series(1, {bodies}) b""",
    ),
    (
        "accounts",
        """
        INSERT INTO accounts (id, email, password_hash, role, state_body_id, display_name, locale, is_active,
                              is_demo, created_at)
        SELECT a, 'p' || a || '@bench.irikteu.kz', '!', 'candidate', NULL, 'p' || a, 'kk', false, false, now()
        FROM generate_series(1, {people}) a""",
    ),
    (
        "candidates",
        """
        INSERT INTO candidates (id, account_id, iin_encrypted, iin_hash, birth_date, sex, surname, given_name,
                                phone, region, is_demo, created_at, updated_at)
        SELECT c, c, '\\x00'::bytea, md5(c::text), date '1990-01-01', 'male', 's', 'g', '+7', 'Astana', false,
               now(), now()
        FROM generate_series(1, {people}) c""",
    ),
    (
        "vacancies",
        """
        INSERT INTO vacancies (id, state_body_id, category, managerial, functional_area, locality_type, title_kk,
                               title_ru, duties_kk, duties_ru, requirements, status, created_by, created_at,
                               updated_at)
        SELECT v, 1 + v % {bodies}, (ARRAY['C-1','C-3','C-4','C-5','E-4'])[1 + v % 5], v % 5 = 0, 'legal',
               'city', 't', 't', 'd', 'd', '{{}}', 'closed', 1, now(), now()
        FROM generate_series(1, {competitions}) v""",
    ),
    (
        "competitions",
        """
        INSERT INTO competitions (id, vacancy_id, state_body_id, category, managerial, stage_plan, policy, status,
                                  published_on, applications_close_on, documents_review_due, results_published_on,
                                  outcome, prescoring_mode, created_at)
        SELECT k, k, 1 + k % {bodies}, (ARRAY['C-1','C-3','C-4','C-5','E-4'])[1 + k % 5], k % 5 = 0, '[]', '{{}}',
               'results_published', d, d + 10, d + 13, d + 30,
               json_build_object(
                 'stages', json_build_array(
                   json_build_object('stage', 'personal_qualities', 'entered', json_build_array('a','b','c','d','e'),
                                     'advanced', json_build_array('a','b','c','d'), 'eliminated', '{{}}'::json),
                   json_build_object('stage', 'reasoning', 'entered', json_build_array('a','b','c','d'),
                                     'advanced', json_build_array('a','b','c'), 'eliminated', '{{}}'::json),
                   json_build_object('stage', 'interview', 'entered', json_build_array('a','b','c'),
                                     'advanced', json_build_array('a','b','c'), 'eliminated', '{{}}'::json)),
                 'ranking', '[]'::json, 'top3', '[]'::json,
                 'winner', CASE WHEN k % 20 < 17 THEN 'a' END, 'deadlines', NULL),
               'blind_first', now()
        FROM (SELECT k, DATE '{start}' + (k * {days} / {competitions}) AS d
              FROM generate_series(1, {competitions}) k) s""",
    ),
    (
        "applications",
        """
        INSERT INTO applications (competition_id, candidate_id, anonymous_code, status, applied_at, applied_on,
                                  hr_confirmation_due, qualified, qualification, experience_months)
        SELECT k, 1 + (k * 7 + j) % {people}, 'B' || k || '-' || j, 'confirmed', now(), date '2020-01-01',
               date '2020-01-02', true, '[]', 36
        FROM generate_series(1, {competitions}) k, generate_series(1, {per}) j""",
    ),
    (
        "appointments",
        """
        INSERT INTO appointments (vacancy_id, state_body_id, candidate_id, route, competition_id, status, offered_on,
                                  documents_required, order_number, appointed_on, outside_window, created_at,
                                  updated_at)
        SELECT c.id, c.state_body_id, 1 + c.id % {people}, 'competition', c.id, 'appointed', c.results_published_on,
               true, 'o', c.results_published_on + 8 + c.id % 7, false, now(), now()
        FROM competitions c WHERE c.id % 20 < 17""",
    ),
    (
        "direct appointments",
        """
        INSERT INTO appointments (vacancy_id, state_body_id, candidate_id, route, status, offered_on,
                                  documents_required, order_number, appointed_on, outside_window, created_at,
                                  updated_at)
        SELECT v, 1 + v % {bodies}, 1 + v % {people},
               (ARRAY['grant_graduate','academy_graduate','regional_reserve','presidential_youth_reserve'])[1 + v % 4],
               'appointed', DATE '{start}' + v % {days}, false, 'd', DATE '{start}' + v % {days}, false, now(), now()
        FROM generate_series(1, {competitions} / 20) v""",
    ),
]

BASELINE = """
    SELECT b.code, date_trunc('month', c.published_on) AS month, count(*) AS competitions,
           sum(a.n) AS applications
    FROM competitions c
    JOIN state_bodies b ON b.id = c.state_body_id
    LEFT JOIN (SELECT competition_id, count(*) AS n FROM applications GROUP BY competition_id) a
           ON a.competition_id = c.id
    WHERE c.published_on BETWEEN :start AND :end
    GROUP BY b.code, month"""


def _timed(label: str, action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s", flush=True)
    return seconds, result


def run(admin_url: str, *, years: int, applications: int, bodies: int, keep: bool) -> dict[str, Any]:
    name = f"irikteu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    report: dict[str, Any] = {"database": name, "years": years}
    try:
        upgrade(url)
        engine = db.make_engine(url)
        start, end = date(2016, 1, 1), date(2016 + years, 1, 1)
        competitions = applications // PER_COMPETITION
        values = {
            "regions": ", ".join(f"'{r}'" for r in REGIONS),
            "bodies": bodies,
            "people": max(competitions, 10_000),
            "competitions": competitions,
            "per": PER_COMPETITION,
            "start": start.isoformat(),
            "days": (end - start).days,
        }
        fill_started = time.perf_counter()
        with engine.begin() as connection:
            for label, statement in FILL:
                _timed(f"fill {label}", lambda s=statement: connection.execute(text(s.format(**values))))
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            counts = {
                table: connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("competitions", "applications", "appointments")
            }
        report["fill_seconds"] = round(time.perf_counter() - fill_started, 1)
        report["rows"] = counts
        sessions = db.make_session_factory(engine)
        policy = SelectionPolicy()
        with sessions() as session:
            seconds, added = _timed("summarise every outcome once", lambda: summarise(session))
            session.commit()
        report["summarise_seconds"] = round(seconds, 2)
        report["outcomes_summarised"] = added
        for by in ("month", "body"):
            with sessions() as session:
                seconds, result = _timed(
                    f"figures by {by}",
                    lambda b=by, s=session: figures(s, start=start, end=end, by=b, policy=policy, today=end),
                )
            report[f"figures_by_{by}_seconds"] = round(seconds, 2)
            report[f"groups_by_{by}"] = len(result["groups"])
        with engine.connect() as connection:
            seconds, rows = _timed(
                "baseline SQL aggregate", lambda: connection.execute(text(BASELINE), {"start": start, "end": end}).all()
            )
        report["baseline_seconds"] = round(seconds, 2)
        report["baseline_groups"] = len(rows)
        report["ratio_by_month_to_baseline"] = round(report["figures_by_month_seconds"] / max(seconds, 1e-6), 1)
        report["goal_seconds"] = GOAL_SECONDS
        report["meets_goal"] = (
            max(report["figures_by_month_seconds"], report["figures_by_body_seconds"]) <= GOAL_SECONDS
        )
        engine.dispose()
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgresql+psycopg://127.0.0.1:5432/test")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--applications", type=int, default=2_000_000)
    parser.add_argument("--bodies", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database for a look")
    args = parser.parse_args()
    report = run(args.admin_url, years=args.years, applications=args.applications, bodies=args.bodies, keep=args.keep)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
