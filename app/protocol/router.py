"""The protocol over HTTP: metadata, the signed PDF, the kk/ru HTML, signing and verification."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.auth.deps import CurrentAccount
from app.auth.models import Account
from app.auth.permissions import ensure_can
from app.bounds import Id
from app.deps import SessionDep, SettingsDep
from app.errors import DomainError
from app.protocol import service
from app.protocol.errors import SIGNATURE_INVALID
from app.protocol.models import Protocol
from app.protocol.schemas import ProtocolOut, SignatureCheckOut, SignatureIn, SignatureOut, VerificationOut
from app.protocol.signing import SIGNATURE_REASONS
from app.protocol.trust import revocation_lists, trust_state, trusted_roots

router = APIRouter(prefix="/api/v1/protocols", tags=["protocol"])


def _readable(session: Session, protocol_id: Id, account: Account) -> Protocol:
    protocol = service.get_protocol(session=session, protocol_id=protocol_id)
    ensure_can(account, "protocol.read", service.access_of(session=session, protocol=protocol))
    return protocol


def _out(session: Session, protocol: Protocol) -> ProtocolOut:
    return ProtocolOut(
        id=protocol.id,
        competition_id=protocol.competition_id,
        version=protocol.version,
        locales=protocol.locales,
        drawn_up_on=protocol.drawn_up_on,
        content_hash=protocol.content_hash,
        created_at=protocol.created_at,
        created_by=protocol.created_by,
        signatures=[
            SignatureOut.model_validate(s) for s in service.signatures_of(session=session, protocol_id=protocol.id)
        ],
    )


@router.get("/{protocol_id}", response_model=ProtocolOut)
def read_protocol(protocol_id: Id, session: SessionDep, account: CurrentAccount) -> ProtocolOut:
    with session.begin():
        return _out(session, _readable(session, protocol_id, account))


@router.get(
    "/{protocol_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the signed document"}},
)
def read_protocol_pdf(protocol_id: Id, session: SessionDep, account: CurrentAccount) -> Response:
    """The signed document, byte for byte as stored; ``ETag`` is its content hash (SHA-256)."""
    with session.begin():
        protocol = _readable(session, protocol_id, account)
    filename = f"protocol-{protocol.competition_id}-{protocol.version}.pdf"
    return Response(
        protocol.pdf,
        media_type="application/pdf",
        headers={"ETag": f'"{protocol.content_hash}"', "Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/{protocol_id}/html", response_class=HTMLResponse)
def read_protocol_html(
    protocol_id: Id, session: SessionDep, account: CurrentAccount, locale: Literal["kk", "ru"] = Query("kk")
) -> HTMLResponse:
    """The protocol as an HTML page in Kazakh or Russian (for reading; the PDF is what is signed)."""
    with session.begin():
        protocol = _readable(session, protocol_id, account)
    return HTMLResponse(protocol.html_kk if locale == "kk" else protocol.html_ru, headers={"Content-Language": locale})


@router.post("/{protocol_id}/signatures", response_model=SignatureOut, status_code=status.HTTP_201_CREATED)
def sign_protocol(
    protocol_id: Id, body: SignatureIn, session: SessionDep, account: CurrentAccount, settings: SettingsDep
) -> SignatureOut:
    """Add the signed-in commission member's detached CMS signature over the PDF; verified before it is stored.

    422 ``signature_invalid`` (``reason``: e.g. ``message_digest_mismatch``, ``untrusted_certificate``
    when ``protocol_trusted_roots`` is set, ``certificate_not_valid_now``, ``key_usage_not_signature``,
    ``signer_iin_mismatch``, ``signer_not_identified``), 409 ``already_signed``,
    403 ``forbidden`` for anyone not on the commission.
    """
    try:
        signature_der = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            SIGNATURE_INVALID, f"the signature is not base64: {SIGNATURE_REASONS['malformed']}", reason="malformed"
        ) from None
    with session.begin():
        signature = service.sign(
            session=session, protocol_id=protocol_id, account=account, signature_der=signature_der, settings=settings
        )
        return SignatureOut.model_validate(signature)


@router.get("/{protocol_id}/verification", response_model=VerificationOut)
def verify_protocol(
    protocol_id: Id, session: SessionDep, account: CurrentAccount, settings: SettingsDep
) -> VerificationOut:
    """Recompute the PDF's hash and verify every signature over the stored bytes.

    ``trust``: ``checked`` when the certificates are held against ``protocol_trusted_roots``,
    ``not_checked`` when that setting is empty (any certificate is accepted then).
    """
    with session.begin():
        _readable(session, protocol_id, account)
        report = service.verify(
            session=session,
            protocol_id=protocol_id,
            trusted_roots=trusted_roots(settings),
            revocation_lists=revocation_lists(settings),
        )
    return VerificationOut(
        protocol_id=report.protocol_id,
        content_hash=report.content_hash,
        computed_hash=report.computed_hash,
        hash_valid=report.hash_valid,
        signatures_valid=report.signatures_valid,
        valid=report.valid,
        fully_signed=report.fully_signed,
        trust=trust_state(settings),
        revocation=report.revocation,
        signatures=[SignatureCheckOut.model_validate(check) for check in report.signatures],
        unsigned_member_account_ids=list(report.unsigned_member_account_ids),
    )
