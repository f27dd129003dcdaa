"""Sending one e-mail over SMTP with the standard library, configured by one URL."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpUrlError(ValueError):
    """``smtp_url`` cannot be used."""


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://USER:PASS@HOST:PORT``, ``smtp+starttls://…`` or ``smtps://…`` (user and password optional)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise SmtpUrlError(f"smtp_url scheme must be one of {', '.join(_DEFAULT_PORTS)}, not {scheme!r}")
    if not parts.hostname:
        raise SmtpUrlError("smtp_url names no host")
    return SmtpTarget(
        scheme=scheme,
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORTS[scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def message_id_for(outbox_id: int, mail_from: str) -> str:
    """A Message-ID made once per outbox row, so a resent letter keeps its identity."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "irikteu.local"
    return make_msgid(idstring=f"outbox{outbox_id}", domain=domain)


def build_message(
    *, mail_from: str, to_address: str, subject: str, body: str, locale: str, message_id: str, date: datetime
) -> EmailMessage:
    """A UTF-8 plain-text letter with its language named (``Content-Language``)."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to_address
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    # RFC 3834: tells mail servers not to answer with vacation replies.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = locale  # after set_content, which drops Content-* headers
    return message


def send(target: SmtpTarget, message: EmailMessage, *, timeout: float) -> None:
    """Deliver ``message`` to the SMTP server; any refusal or network error raises."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if target.scheme == "smtps":
        client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
    with client:
        if target.scheme == "smtp+starttls":
            client.starttls(context=context)
        if target.username is not None:
            client.login(target.username, target.password or "")
        client.send_message(message)
