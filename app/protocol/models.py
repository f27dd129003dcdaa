"""The stored protocol (хаттама) of a competition and its commission members' detached signatures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Protocol(Base):
    """One drawn-up version of a competition's protocol; ``pdf`` is the signed document, never changed."""

    __tablename__ = "protocols"
    __table_args__ = (UniqueConstraint("competition_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    locales: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    drawn_up_on: Mapped[date] = mapped_column(Date, nullable=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    html_kk: Mapped[str] = mapped_column(Text, nullable=False)
    html_ru: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True, index=True
    )


class ProtocolSignature(Base):
    """A commission member's detached CMS signature (ЭЦҚ) over the protocol's PDF bytes, verified before stored."""

    __tablename__ = "protocol_signatures"
    __table_args__ = (UniqueConstraint("protocol_id", "signer_account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol_id: Mapped[int] = mapped_column(
        ForeignKey("protocols.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    signer_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    signature_der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    certificate_pem: Mapped[str] = mapped_column(Text, nullable=False)
    signer_subject: Mapped[str] = mapped_column(String(1000), nullable=False)
    certificate_serial: Mapped[str] = mapped_column(String(80), nullable=False)
    signing_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
