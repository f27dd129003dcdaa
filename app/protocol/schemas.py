"""Request and response bodies of the protocol endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.bounds import Id


class SignatureIn(BaseModel):
    """A detached CMS/PKCS#7 SignedData (DER), base64-encoded, over the protocol's PDF bytes."""

    model_config = ConfigDict(extra="forbid")

    signature: str = Field(min_length=1, max_length=200_000, description="base64 of the DER CMS SignedData")


class SignatureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    signer_account_id: int
    signer_subject: str
    certificate_serial: str
    signing_time: datetime | None
    signed_at: datetime


class ProtocolOut(BaseModel):
    """A protocol's metadata; the document itself is at ``/pdf`` (signed) and ``/html``."""

    id: int
    competition_id: int
    version: int
    locales: list[str]
    drawn_up_on: date
    content_hash: str
    created_at: datetime
    created_by: int | None
    signatures: list[SignatureOut]


class SignatureCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    signature_id: int
    signer_account_id: int
    signer_subject: str
    certificate_serial: str
    signing_time: datetime | None
    signed_at: datetime
    valid: bool
    reason: str | None
    revocation: Literal["checked", "not_checked"] = Field(
        description="checked: a current CRL of the certificate's issuer (protocol_revocation_lists) was consulted"
    )


class VerificationOut(BaseModel):
    """``valid``: the PDF matches its hash and every signature holds; ``fully_signed``: and all members signed."""

    protocol_id: int
    content_hash: str
    computed_hash: str
    hash_valid: bool
    signatures_valid: bool
    valid: bool
    fully_signed: bool
    trust: Literal["checked", "not_checked"] = Field(
        description="whether the certificates were held against the configured trusted roots "
        "(setting protocol_trusted_roots); not_checked: any certificate is accepted"
    )
    revocation: Literal["checked", "not_checked"] = Field(
        description="checked: every signature's certificate was held against a current CRL of its issuer "
        "(setting protocol_revocation_lists); not_checked: at least one was not (no CRL configured "
        "for its issuer, or the CRL is past its next update) — OCSP is never asked"
    )
    signatures: list[SignatureCheckOut]
    unsigned_member_account_ids: list[int]


class CompetitionProtocolOut(BaseModel):
    """The competition's current protocol with the rules' deadline for it."""

    competition_id: Id
    created: bool = Field(description="true when this request drew the protocol up; false: it already was")
    results_published_on: date
    protocol_due: date = Field(description="the last day the rules allow: protocol_working_days after publication")
    drawn_up_on: date
    overdue: bool = Field(description="drawn up after protocol_due")
    sign_deadline: date = Field(description="the day the commission members are asked to sign by")
    notified_account_ids: list[Id] = Field(
        description="the commission members this request asked to sign (protocol_ready_to_sign)"
    )
    protocol: ProtocolOut
    links: dict[str, str]
