"""Exposure of groups in matching and alerts: who is shown (a talent search's top results, a campaign's
recipients) against who could have been (the eligible candidates), per group.

For one list or several pooled together, a group's *exposure ratio* is its share among the exposed divided by its
share among the eligible: ``(exposed_g / exposed) / (eligible_g / eligible)``. 1 is parity; under 0.8 (the
four-fifths line of the stage figures) the group is flagged. ``unknown`` is counted and shown, never flagged.
A group row whose eligible or exposed count is under the minimum cell is suppressed with complementary
suppression (``app.research.privacy.suppress``), so one talent search's top ten rarely publishes a row: pooling a
state body's searches or campaigns is how a researcher gets figures.

Group values come from ``app.research.groups`` with the candidate's file as the source: sex and age band (on the
day asked) from the IIN, the language of the account (the language they chose for the service), the region of
the personal file, the highest education level, an accommodation granted, a reserve membership that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import AlertCampaign, AlertCampaignRecipient, AlertSubscription
from app.auth.crypto import DecryptionFailed, decrypt_iin
from app.candidates.models import VACANCY_ALERTS, Candidate, Consent
from app.candidates.service import highest_education_level
from app.errors import DomainError
from app.exams.models import Accommodation
from app.matching.service import MAX_PAGE_SIZE, CandidateFilters, match_candidates_for_vacancy
from app.research.errors import EXPOSURE_BAD_SCOPE, SCOPE_NOT_FOUND, UNKNOWN_GROUP
from app.research.groups import UNKNOWN, UnknownGroup, group_columns, parse_groups, parts_of
from app.research.privacy import suppress
from app.research.thresholds import FOUR_FIFTHS
from app.settings import Settings
from app.talent.models import ReserveMembership
from app.talent.service import talent_pool
from app.vacancies.models import Vacancy

TOP: Final = 10
"""A talent search's exposed candidates: the first page an HR officer reads."""


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")


def exposure_figures(frame: pd.DataFrame, group: str, *, min_cell: int, intersection: bool = False) -> dict[str, Any]:
    """Exposure ratios of ``frame[group]``: one row per eligible candidate (of one list, or of several pooled),
    ``exposed`` true for those shown (in the top results, among the recipients)."""
    labels = frame[group].astype(str)
    exposed = frame["exposed"].astype(bool)
    table = pd.DataFrame({"eligible": labels.value_counts(sort=False)})
    table["exposed"] = exposed.groupby(labels).sum().reindex(table.index).fillna(0).astype(int)
    table = table.sort_index()
    eligible_total, exposed_total = int(table["eligible"].sum()), int(table["exposed"].sum())
    hidden = suppress(
        {str(v): [int(r["eligible"]), int(r["exposed"])] for v, r in table.iterrows()},
        min_cell=min_cell,
        intersection=intersection,
    )
    rows: list[dict[str, Any]] = []
    for value, row in table.iterrows():
        key = str(value)
        if not hidden.shows(key):
            rows.append({"group": key, "suppressed": hidden.hidden[key]})
            continue
        eligible_share = int(row["eligible"]) / eligible_total
        exposed_share = int(row["exposed"]) / exposed_total if exposed_total else None
        ratio = None if exposed_share is None else exposed_share / eligible_share
        rows.append(
            {
                "group": key,
                "eligible": int(row["eligible"]),
                "exposed": int(row["exposed"]),
                "eligible_share": _round(eligible_share),
                "exposed_share": _round(exposed_share),
                "exposure_ratio": _round(ratio),
                "flag": None if ratio is None or key == UNKNOWN else bool(ratio < FOUR_FIFTHS),
            }
        )
    result: dict[str, Any] = {"group": group, "groups": rows, "suppressed": dict(hidden.hidden)}
    if hidden.total_hidden:
        result.update({"eligible": None, "exposed": None, "total_suppressed": True})
    else:
        result.update({"eligible": eligible_total, "exposed": exposed_total})
    result["flagged"] = [r["group"] for r in rows if r.get("flag")]
    return result


def exposure_report(
    lists: Sequence[pd.DataFrame], records: pd.DataFrame, groups: Sequence[str], *, min_cell: int
) -> dict[str, Any]:
    """Pool ``lists`` (each: ``candidate`` and ``exposed``, one row per eligible candidate) and give each group
    definition's exposure ratios; ``records`` carries the group sources per candidate (index: candidate)."""
    pooled = (
        pd.concat(lists, ignore_index=True) if lists else pd.DataFrame({"candidate": [], "exposed": []}, dtype=object)
    )
    labels = group_columns(records, groups)
    joined = pooled.join(labels, on="candidate")
    return {
        "min_cell": min_cell,
        "lists": len(lists),
        "eligible": len(joined) if len(joined) >= min_cell else None,
        "exposed": int(joined["exposed"].sum()) if int(joined["exposed"].sum()) >= min_cell else None,
        "threshold": FOUR_FIFTHS,
        "by_group": {
            name: exposure_figures(joined, name, min_cell=min_cell, intersection=len(parts_of(name)) == 2)
            for name in groups
        }
        if len(joined)
        else {},
    }


# --- the sources: a talent search, an alert campaign ----------------------------------------------------------


@dataclass(frozen=True)
class ExposureScope:
    vacancy_ids: tuple[int, ...] = ()
    campaign_ids: tuple[int, ...] = ()


def candidate_records(session: Session, candidate_ids: Sequence[int], *, on: date, secret_key: str) -> pd.DataFrame:
    """The group sources of each candidate (index: candidate id); the IIN goes no further than the groups."""
    people = session.scalars(select(Candidate).where(Candidate.id.in_(list(candidate_ids)))).all()
    accommodated = set(
        session.scalars(select(Accommodation.candidate_id).where(Accommodation.candidate_id.in_(list(candidate_ids))))
    )
    reserves = session.scalars(
        select(ReserveMembership).where(ReserveMembership.candidate_id.in_(list(candidate_ids)))
    ).all()
    in_reserve = {r.candidate_id for r in reserves if r.since <= on and (r.until is None or r.until >= on)}
    rows = []
    for person in people:
        try:
            iin: str | None = decrypt_iin(person.iin_encrypted, secret_key=secret_key)
        except DecryptionFailed:
            iin = None
        rows.append(
            {
                "candidate": person.id,
                "iin": iin,
                "applied_on": on,
                "language": person.account.locale,
                "region": person.region,
                "education": highest_education_level(person),
                "accommodation": "yes" if person.id in accommodated else "no",
                "reserve": "yes" if person.id in in_reserve else "no",
            }
        )
    columns = ["candidate", "iin", "applied_on", "language", "region", "education", "accommodation", "reserve"]
    return pd.DataFrame(rows, columns=columns).set_index("candidate")


def talent_search_list(
    session: Session, vacancy: Vacancy, *, settings: Settings, on: date, top: int = TOP
) -> pd.DataFrame:
    """The talent search of ``vacancy`` as HR runs it (the pool, ranked by the matcher, those meeting the
    requirements): every ranked candidate is eligible, the first ``top`` are exposed."""
    pool = talent_pool(session, on=on)
    ranked: list[int] = []
    page = 1
    while True:
        found = match_candidates_for_vacancy(
            session,
            vacancy,
            filters=CandidateFilters(candidate_ids=set(pool)),
            page=page,
            page_size=MAX_PAGE_SIZE,
            on=on,
            settings=settings,
        )
        ranked += [item.candidate_id for item in found.items if item.candidate_id is not None]
        if page * MAX_PAGE_SIZE >= found.total or not found.items:
            break
        page += 1
    return pd.DataFrame({"candidate": ranked, "exposed": [i < top for i in range(len(ranked))]}, dtype=object)


def campaign_list(session: Session, campaign: AlertCampaign) -> pd.DataFrame:
    """An alert campaign's recipients against the subscribers who could receive alerts (an active subscription
    and the ``vacancy_alerts`` consent, read now: the draft's moment is not stored)."""
    eligible = set(
        session.scalars(
            select(AlertSubscription.candidate_id)
            .join(Consent, (Consent.candidate_id == AlertSubscription.candidate_id) & (Consent.kind == VACANCY_ALERTS))
            .where(AlertSubscription.active.is_(True), Consent.granted.is_(True))
        )
    )
    recipients = set(
        session.scalars(
            select(AlertSubscription.candidate_id)
            .join(AlertCampaignRecipient, AlertCampaignRecipient.subscription_id == AlertSubscription.id)
            .where(AlertCampaignRecipient.campaign_id == campaign.id)
        )
    )
    people = sorted(eligible | recipients)
    return pd.DataFrame({"candidate": people, "exposed": [p in recipients for p in people]}, dtype=object)


def research_exposure(
    *,
    session: Session,
    scope: ExposureScope,
    groups: str | Sequence[str] | None,
    min_cell: int,
    settings: Settings,
    on: date,
    top: int = TOP,
) -> dict[str, Any]:
    """The exposure ratios of the talent searches of ``scope.vacancy_ids`` and the campaigns of
    ``scope.campaign_ids``, pooled; aggregates only, small cells suppressed."""
    if not scope.vacancy_ids and not scope.campaign_ids:
        raise DomainError(
            EXPOSURE_BAD_SCOPE, "give a vacancy_id (a talent search) or a campaign_id (an alert campaign)"
        )
    try:
        names = parse_groups(groups)
    except UnknownGroup as error:
        raise DomainError(UNKNOWN_GROUP, str(error)) from None
    lists: list[pd.DataFrame] = []
    for vacancy_id in scope.vacancy_ids:
        vacancy = session.get(Vacancy, vacancy_id)
        if vacancy is None:
            raise DomainError(SCOPE_NOT_FOUND, f"no vacancy {vacancy_id}")
        lists.append(talent_search_list(session, vacancy, settings=settings, on=on, top=top))
    for campaign_id in scope.campaign_ids:
        campaign = session.get(AlertCampaign, campaign_id)
        if campaign is None:
            raise DomainError(SCOPE_NOT_FOUND, f"no alert campaign {campaign_id}")
        lists.append(campaign_list(session, campaign))
    candidates = sorted({int(c) for frame in lists for c in frame["candidate"]})
    records = candidate_records(session, candidates, on=on, secret_key=settings.secret_key)
    report = exposure_report(lists, records, names, min_cell=min_cell)
    report["scope"] = {"vacancy_ids": list(scope.vacancy_ids), "campaign_ids": list(scope.campaign_ids), "top": top}
    return report
