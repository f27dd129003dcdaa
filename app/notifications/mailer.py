"""Sending one e-mail over SMTP with the standard library, configured by one URL."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

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


class DeliveryUncertain(Exception):
    """The connection failed after the letter's DATA began and before the server's answer to it: the
    letter may or may not have been accepted, so sending it again could deliver it twice."""


class _SMTP(smtplib.SMTP):
    data_started = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


class _SMTPS(smtplib.SMTP_SSL):
    data_started = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_started = True
        return super().data(msg)


def send(target: SmtpTarget, message: EmailMessage, *, timeout: float) -> None:
    """Deliver ``message`` to the SMTP server.

    Returns once the server accepted the letter. A refusal, or a failure before DATA, raises the
    error as is: the letter was not delivered. A failure after DATA began with no answer from the
    server (a dropped connection, a timeout) raises :class:`DeliveryUncertain`.
    """
    context = ssl.create_default_context()
    client: _SMTP | _SMTPS
    if target.scheme == "smtps":
        client = _SMTPS(target.host, target.port, timeout=timeout, context=context)
    else:
        client = _SMTP(target.host, target.port, timeout=timeout)
    try:
        if target.scheme == "smtp+starttls":
            client.starttls(context=context)
        if target.username is not None:
            client.login(target.username, target.password or "")
        try:
            client.send_message(message)
        except smtplib.SMTPResponseException:
            raise  # the server answered with a refusal: nothing was delivered
        except Exception as exc:
            if client.data_started:
                raise DeliveryUncertain(f"{type(exc).__name__}: {exc}") from exc
            raise
    except BaseException:
        client.close()
        raise
    # Accepted: a failed goodbye changes nothing.
    with contextlib.suppress(Exception):
        client.quit()
    client.close()
