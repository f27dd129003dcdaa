"""Load run: N candidates answering the 55-question legislation test at once against ``irikteu serve``.

For each backend (SQLite always; PostgreSQL on 127.0.0.1:5432 when it answers, in a fresh
database dropped afterwards) the run migrates an empty database, seeds N candidates with a
booking and a started legislation session directly through the services, starts ``irikteu
serve`` on a free loopback port and drives it in two modes, one ``PUT`` per answer with a
``client_request_id`` (about ``--retry-share`` of the answers are deliberately sent twice with
the same id):

- **saturation** (stress): at most ``--concurrency`` requests in flight, each sent as soon as
  the last came back; answers/s here is the server's capacity and is compared with ``GET
  /health`` measured at the same concurrency in the same run, just before and just after.
- **paced** (the exam): all N candidates at once, each answering its questions in order after an
  exponentially distributed think time of mean ``--think-mean`` seconds, so the offered load
  is N / think-mean answers/s (printed). The default 60 s is the real pace of the test (55
  questions in 55 minutes): 2,000 candidates offer about 33 answers/s. The run is bounded by
  ``--paced-time`` seconds (each candidate answers its first questions only); a smaller
  ``--think-mean`` compresses the test (``--think-mean 4 --paced-time 0``: all 55 answers in
  about 4 minutes, 500 answers/s offered by 2,000 candidates).

It prints answers/s, p50/p99 latency of each mode and the ratio to the health throughput, then
checks in the database that every acknowledged answer (both modes) is stored exactly once and no
retry was stored twice.

Goals: zero lost or duplicated answers, p99 < 200 ms, answers/s ÷ health/s ≥ 0.3.

    python -m evaluation.bench.bench_test_load [--candidates 2000] [--mode both] [--backend all]
    python -m evaluation.bench.bench_test_load --candidates 50 --saturation-time 20 --paced-time 20  # quick

Only 127.0.0.1 is used; client, server and database share the machine's cores (the numbers say
what this machine does, not what a server would). Sign-in is not measured: the seeding computes
the password hash once (argon2 is slow on purpose) and issues tokens directly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select, text

from app import db
from app.auth.security import hash_password, issue_access_token
from app.candidates import service as candidates_service
from app.clock import kazakhstan_today
from app.exams import service as testing
from app.exams.forms import cached_form
from app.exams.models import TestAnswer
from app.items.bank import ItemBankError, load_bank
from app.items.forms import draw_form
from app.job_registry import build_queue
from app.migrate import upgrade
from app.rules.policy import SelectionPolicy, policy_from_overrides
from tests.conftest import make_settings
from tests.factories.candidates import make_candidate, make_iin
from tests.factories.items import make_bank, make_item

REPOSITORY = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("IRIKTEU_BENCH_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
GOAL_P99_MS = 200.0
GOAL_RATIO = 0.3
QUESTIONS = 55


@dataclass(frozen=True)
class Seat:
    """One seeded candidate: token, session and the form's items (id, options) to answer."""

    token: str
    session_id: int
    items: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acknowledged: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)
    retried: set[tuple[int, str]] = field(default_factory=set)
    errors: dict[str, int] = field(default_factory=dict)
    retry_mismatches: int = 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database URL for ``backend``; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    name = f"irikteu_bench_{uuid.uuid4().hex[:10]}"
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _bank() -> Any:
    """The repository's item bank when it can give a legislation form; a synthetic one otherwise."""
    try:
        bank = load_bank()
        draw_form(bank, "legislation", seed=0)
        return bank
    except (ItemBankError, OSError) as exc:
        print(f"  (item bank not usable: {str(exc).splitlines()[0][:100]}; using a synthetic bank)")
    questions = SelectionPolicy().legislation_questions
    return make_bank(
        make_item(f"bench-{act}-{n:02d}", "legislation", act, key="a")
        for act, count in questions.items()
        for n in range(2 * count)
    )


def seed(url: str, settings: Any, candidates: int) -> list[Seat]:
    """N candidates, each with a legislation booking and a started session, through the services."""
    upgrade(url)
    password_hash = hash_password("bench-password-1")

    def hashed_once(password: str) -> str:
        return password_hash

    candidates_service.hash_password = hashed_once  # type: ignore[attr-defined]
    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    queue = build_queue(settings, sessions)
    policy = policy_from_overrides(settings.policy_overrides)
    bank = _bank()
    now = db.utcnow()
    seats: list[Seat] = []
    batch = 100
    try:
        for first in range(0, candidates, batch):
            with db.transaction(sessions) as session:
                for index in range(first, min(candidates, first + batch)):
                    birth = date(1975, 1, 1) + timedelta(days=index)
                    candidate = make_candidate(
                        session,
                        secret_key=settings.secret_key,
                        iin=make_iin(birth, "female" if index % 2 else "male", 1),
                        birth_date=birth,
                        sex="female" if index % 2 else "male",
                        email=f"bench-{index}@bench.irikteu.kz",
                    )
                    account = candidate.account
                    # Booked two days ago for a minute ago: the session starts now, on the real clock.
                    booking = testing.book(
                        session=session,
                        actor=account,
                        bank=bank,
                        policy=policy,
                        today=kazakhstan_today() - timedelta(days=2),
                        now=now - timedelta(days=2),
                        programme="legislation",
                        language="kk" if index % 2 else "ru",
                        starts_at=now - timedelta(minutes=1),
                        application_id=None,
                        seed=index % 10,
                    )
                    started = testing.start(
                        session=session,
                        queue=queue,
                        booking_id=booking.id,
                        actor=account,
                        now=db.utcnow(),
                        settings=settings,
                    )
                    form = cached_form(session, started.form_hash)
                    seats.append(
                        Seat(
                            token=issue_access_token(account_id=account.id, role=account.role, settings=settings),
                            session_id=started.id,
                            items=tuple((item.id, item.option_ids) for item in form.items),
                        )
                    )
            print(f"\r  seeded {len(seats)}/{candidates}", end="", flush=True)
        print()
    finally:
        engine.dispose()
    return seats


@contextmanager
def server(env: dict[str, str], port: int, logfile: Path) -> Iterator[str]:
    """``irikteu serve`` on 127.0.0.1:``port`` as a subprocess, stopped afterwards."""
    base = f"http://127.0.0.1:{port}"
    with logfile.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPOSITORY,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"irikteu serve exited with {process.returncode}; see {logfile}")
                try:
                    if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx2.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("irikteu serve did not answer /health in 60 s")
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def health_throughput(base: str, requests: int, concurrency: int) -> float:
    """``GET /health`` per second with ``concurrency`` requests in flight."""
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with gate:
                response = await client.get("/health")
                response.raise_for_status()

        await asyncio.gather(*(one() for _ in range(min(200, requests))))  # warm the connections
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        return requests / (time.perf_counter() - started)


async def drive(
    base: str,
    seats: list[Seat],
    *,
    concurrency: int | None,
    think_mean: float,
    retry_share: float,
    rng: random.Random,
    time_limit: float,
) -> tuple[Tally, float]:
    """Every seat answers its items in order; returns the tally and the elapsed seconds.

    ``concurrency`` bounds the requests in flight (saturation: no think time); ``None`` lets every
    seat have its one request in flight and waits an exponential think time before each answer.
    """
    tally = Tally()
    connections = concurrency or len(seats)
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    gate = asyncio.Semaphore(concurrency or len(seats))
    stop_at = time.monotonic() + (time_limit if time_limit > 0 else float("inf"))
    plans = [
        [
            (
                item_id,
                rng.choice(options),
                rng.random() < retry_share,
                rng.expovariate(1 / think_mean) if think_mean > 0 else 0.0,
            )
            for item_id, options in seat.items
        ]
        for seat in seats
    ]

    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def put(seat: Seat, item_id: str, option: str, request_id: str) -> dict[str, Any] | None:
            response = None
            for _attempt in range(3):
                async with gate:
                    began = time.perf_counter()
                    try:
                        response = await client.put(
                            f"/api/v1/test-sessions/{seat.session_id}/answers/{item_id}",
                            json={"option": option, "client_request_id": request_id},
                            headers={"Authorization": f"Bearer {seat.token}"},
                        )
                    except httpx2.TransportError as exc:
                        # A dropped connection: the client cannot know whether the answer was stored,
                        # so it sends the same request id again (what the id is for).
                        name = f"{type(exc).__name__} (sent again)"
                        tally.errors[name] = tally.errors.get(name, 0) + 1
                        continue
                    tally.latencies.append(time.perf_counter() - began)
                    break
            if response is None:
                return None
            if response.status_code != 200:
                key = f"{response.status_code} {response.json().get('code', '')}"
                tally.errors[key] = tally.errors.get(key, 0) + 1
                return None
            body: dict[str, Any] = response.json()
            return body

        async def candidate(seat: Seat, plan: list[tuple[str, str, bool, float]]) -> None:
            for item_id, option, retry, think in plan:
                if think:
                    if time.monotonic() + think > stop_at:
                        return
                    await asyncio.sleep(think)
                if time.monotonic() > stop_at:
                    return
                request_id = secrets.token_hex(8)
                body = await put(seat, item_id, option, request_id)
                if body is None:
                    continue
                tally.acknowledged[(seat.session_id, request_id)] = (item_id, option)
                if retry:  # the client did not see the answer (say) and sends the same request again
                    again = await put(seat, item_id, option, request_id)
                    if again is not None:
                        tally.retried.add((seat.session_id, request_id))
                        if again["created"] is not False or again["option"] != option:
                            tally.retry_mismatches += 1

        started = time.perf_counter()
        await asyncio.gather(*(candidate(seat, plan) for seat, plan in zip(seats, plans, strict=True)))
        return tally, time.perf_counter() - started


def summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    ordered = sorted(tally.latencies)
    return {
        "requests": len(ordered),
        "acknowledged": len(tally.acknowledged),
        "retried": len(tally.retried),
        "elapsed_s": elapsed,
        "answers_per_s": len(ordered) / elapsed if elapsed else float("nan"),
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000 if ordered else float("nan"),
        "errors": dict(tally.errors),
        "retry_mismatches": tally.retry_mismatches,
    }


def verify(url: str, tallies: list[Tally], seats: list[Seat]) -> dict[str, int]:
    """Compare the acknowledged answers with ``test_answers``: each stored once, none extra."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            ids = [seat.session_id for seat in seats]
            rows = connection.execute(
                select(
                    TestAnswer.session_id, TestAnswer.client_request_id, TestAnswer.item_id, TestAnswer.option
                ).where(TestAnswer.session_id.in_(ids))
            ).all()
            duplicates = connection.execute(
                select(func.count()).select_from(
                    select(TestAnswer.session_id, TestAnswer.client_request_id)
                    .group_by(TestAnswer.session_id, TestAnswer.client_request_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            ).scalar_one()
    finally:
        engine.dispose()
    acknowledged = {key: value for tally in tallies for key, value in tally.acknowledged.items()}
    retried = {key for tally in tallies for key in tally.retried}
    stored: dict[tuple[int, str], tuple[str, str]] = {}
    copies: Counter[tuple[int, str]] = Counter()
    for session_id, request_id, item_id, option in rows:
        stored[(session_id, request_id)] = (item_id, option)
        copies[(session_id, request_id)] += 1
    lost = sum(1 for key, value in acknowledged.items() if stored.get(key) != value)
    unacknowledged = sum(1 for key in stored if key not in acknowledged)
    retried_twice = sum(1 for key in retried if copies[key] != 1)
    return {
        "rows": len(rows),
        "acknowledged": len(acknowledged),
        "lost": lost,
        "duplicated": int(duplicates) + (len(rows) - len(stored)),
        "stored_not_acknowledged": unacknowledged,
        "retried": len(retried),
        "retried_stored_twice": retried_twice,
    }


def _report(name: str, result: dict[str, Any], *, offered: float | None = None, health: float | None = None) -> None:
    load = f"offered {offered:.0f} answers/s, " if offered is not None else ""
    print(
        f"  {name}: {load}{result['acknowledged']} answers acknowledged, {result['requests']} PUT requests "
        f"({result['retried']} deliberate retries) in {result['elapsed_s']:.1f} s"
    )
    ratio = f"   ratio to /health: {result['answers_per_s'] / health:.2f}" if health else ""
    print(
        f"    answers/s: {result['answers_per_s']:.0f}   p50: {result['p50_ms']:.1f} ms   "
        f"p99: {result['p99_ms']:.1f} ms{ratio}"
    )
    print(f"    errors: {result['errors'] or 'none'}; retries answered as new: {result['retry_mismatches']}")


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    modes = ["saturation", "paced"] if args.mode == "both" else [args.mode]
    print(
        f"== {backend}: {args.candidates} candidates x {QUESTIONS} questions; modes {', '.join(modes)}; "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    out: dict[str, Any] = {"backend": backend}
    tallies: list[Tally] = []
    with tempfile.TemporaryDirectory(prefix="irikteu-bench-") as scratch, fresh_database(backend, Path(scratch)) as url:
        workdir = Path(scratch)
        queue_url = f"sqlite:///{workdir / 'queue.db'}"
        secret = secrets.token_urlsafe(48)
        settings = make_settings(
            url, queue_url, secret_key=secret, access_token_minutes=240, queue_name="irikteu-bench"
        )
        began = time.perf_counter()
        seats = seed(url, settings, args.candidates)
        print(f"  seeding took {time.perf_counter() - began:.1f} s")
        env = {
            **os.environ,
            "IRIKTEU_DATABASE_URL": url,
            "IRIKTEU_QUEUE_URL": queue_url,
            "IRIKTEU_QUEUE_NAME": "irikteu-bench",
            "IRIKTEU_SECRET_KEY": secret,
            "IRIKTEU_ACCESS_TOKEN_MINUTES": "240",
            "IRIKTEU_LOG_LEVEL": "WARNING",
            "IRIKTEU_DATA_DIR": str(workdir),
        }
        rng = random.Random(args.seed)
        with server(env, _free_port(), workdir / "serve.log") as base:
            if "saturation" in modes:
                before = asyncio.run(health_throughput(base, args.health_requests, args.concurrency))
                tally, elapsed = asyncio.run(
                    drive(
                        base,
                        seats,
                        concurrency=args.concurrency,
                        think_mean=0,
                        retry_share=args.retry_share,
                        rng=rng,
                        time_limit=args.saturation_time,
                    )
                )
                after = asyncio.run(health_throughput(base, args.health_requests, args.concurrency))
                health = (before + after) / 2
                print(
                    f"  GET /health at concurrency {args.concurrency}: {before:.0f} requests/s before, "
                    f"{after:.0f} after (mean {health:.0f})"
                )
                out["health_per_s"] = health
                out["saturation"] = summary(tally, elapsed)
                out["saturation"]["ratio"] = out["saturation"]["answers_per_s"] / health
                tallies.append(tally)
                _report(f"saturation (concurrency {args.concurrency}, back to back)", out["saturation"], health=health)
            if "paced" in modes:
                offered = args.candidates / args.think_mean
                tally, elapsed = asyncio.run(
                    drive(
                        base,
                        seats,
                        concurrency=None,
                        think_mean=args.think_mean,
                        retry_share=args.retry_share,
                        rng=rng,
                        time_limit=args.paced_time,
                    )
                )
                out["paced"] = summary(tally, elapsed)
                out["paced"]["offered_per_s"] = offered
                tallies.append(tally)
                _report(
                    f"paced ({args.candidates} candidates at once, think time mean {args.think_mean:g} s)",
                    out["paced"],
                    offered=offered,
                )
        checks = verify(url, tallies, seats)
    out["checks"] = checks
    print(f"  database: {checks}")
    ok_store = (
        checks["lost"] == 0
        and checks["duplicated"] == 0
        and checks["stored_not_acknowledged"] == 0
        and checks["retried_stored_twice"] == 0
        and all(t.retry_mismatches == 0 for t in tallies)
    )
    goals = [f"stored exactly once {'met' if ok_store else 'NOT met'}"]
    for mode in modes:
        p99 = out[mode]["p99_ms"]
        goals.append(f"{mode} p99 < {GOAL_P99_MS:g} ms {'met' if p99 < GOAL_P99_MS else 'NOT met'}")
    if "saturation" in out:
        ratio = out["saturation"]["ratio"]
        goals.append(f"ratio >= {GOAL_RATIO:g} {'met' if ratio >= GOAL_RATIO else 'NOT met'}")
    print(f"  goals: {'; '.join(goals)}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100, help="requests in flight at most")
    parser.add_argument("--retry-share", type=float, default=0.05, help="share of answers sent twice")
    parser.add_argument("--health-requests", type=int, default=5000)
    parser.add_argument("--mode", choices=("saturation", "paced", "both"), default="both")
    parser.add_argument(
        "--saturation-time",
        "--time-limit",
        type=float,
        default=60,
        help="seconds the saturation mode may run (0: until every answer is given)",
    )
    parser.add_argument(
        "--think-mean",
        type=float,
        default=60,
        help="paced mode: mean seconds between a candidate's answers (60: the real pace)",
    )
    parser.add_argument(
        "--paced-time",
        type=float,
        default=150,
        help="seconds the paced mode may run (0: until every candidate has answered all)",
    )
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    parser.add_argument("--seed", type=int, default=20260203)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPOSITORY))
    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    results = []
    for backend in backends:
        if backend == "postgres" and not _answers("127.0.0.1", 5432):
            print("== postgres: no server answers on 127.0.0.1:5432; skipped")
            continue
        results.append(run_backend(backend, args))
    failed = any(
        r["checks"]["lost"] or r["checks"]["duplicated"] or r["checks"]["retried_stored_twice"] for r in results
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
