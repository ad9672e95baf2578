"""Hand messages to an SMTP server: TLS, login, retries with backoff, and the outcome per recipient.

Failures fall in three kinds:

* transient (a 4xx reply, a refused or dropped connection, a timeout): retried
  with exponential backoff and jitter (tenacity) on a fresh connection, then
  reported as ``failed`` for that recipient: a later run tries again;
* permanent for one address (a 5xx reply to RCPT or to the message): reported
  as ``rejected`` with the server's words, and the other recipients go on;
* fatal for the run (cannot connect or negotiate TLS after the retries, login
  refused, sender refused, no STARTTLS offered): :class:`DeliveryError`.

The DATA exchange is done step by step (not with ``sendmail``) so that a
connection lost *after* the whole message went out but before the server
answered is told apart from one lost earlier: the former is ``in doubt`` (the
server may have delivered it) and is never retried, which is what keeps a
recipient from getting the briefing twice.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Literal

from pydantic import SecretStr
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from generator.deliver.config import RetrySettings, SmtpSettings
from generator.errors import DeliveryError

log = logging.getLogger(__name__)

Status = Literal["sent", "rejected", "failed", "in doubt"]


@dataclass(frozen=True)
class SendOutcome:
    recipient: str
    status: Status
    code: int | None = None
    detail: str = ""
    attempts: int = 1


class _Transient(Exception):
    """Worth another try on a new connection."""

    def __init__(self, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class _Rejected(Exception):
    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class _InDoubt(Exception):
    pass


def _text(resp: bytes | str) -> str:
    return (resp.decode("utf-8", "replace") if isinstance(resp, bytes) else resp).strip()


def _reply(code: int, resp: bytes | str) -> str:
    return f"{code} {_text(resp)}"


def _dot_stuffed(data: bytes) -> bytes:
    """RFC 5321 4.5.2: CRLF line ends, a leading dot doubled, and the terminating ``.`` line."""
    data = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class Mailer:
    """One SMTP session, opened lazily and re-opened after a transient failure. Use as a context manager."""

    def __init__(
        self,
        smtp: SmtpSettings,
        retry: RetrySettings,
        password: SecretStr | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = smtp
        self.retry = retry
        self.password = password
        self.sleep = sleep
        self.conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.effective_port} ({self.settings.tls})"

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def _context(self) -> ssl.SSLContext:
        ca = self.settings.ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        # A fixed HELO name: smtplib's default looks up our FQDN, which can hang for seconds without DNS.
        helo = socket.gethostname() or "localhost"
        conn: smtplib.SMTP | None = None
        try:
            if s.tls == "tls":
                conn = smtplib.SMTP_SSL(
                    s.host, s.effective_port, local_hostname=helo, timeout=s.timeout_seconds, context=self._context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.effective_port, local_hostname=helo, timeout=s.timeout_seconds)
            conn.ehlo()
            if s.tls == "starttls":
                if not conn.has_extn("starttls"):
                    raise DeliveryError(f"{self.where}: the server does not offer STARTTLS; set smtp.tls accordingly")
                conn.starttls(context=self._context())
                conn.ehlo()
            if s.user:
                secret = self.password.get_secret_value() if self.password else ""
                conn.login(s.user, secret)
            return conn
        except BaseException as exc:
            if conn is not None:
                conn.close()
            raise self._open_error(exc) from None

    def _open_error(self, exc: BaseException) -> BaseException:
        """What a failure to open the session means: fatal (``DeliveryError``) or worth a retry."""
        if isinstance(exc, DeliveryError):
            return exc
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return DeliveryError(
                f"{self.where}: login refused for user {self.settings.user!r}: {_reply(exc.smtp_code, exc.smtp_error)}"
            )
        if isinstance(exc, ssl.SSLError):
            return DeliveryError(f"{self.where}: TLS failed: {exc.reason or exc}")
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(f"{self.where}: {exc}")
        if isinstance(exc, smtplib.SMTPResponseException):
            if 400 <= exc.smtp_code < 500:  # e.g. 421 at the greeting: busy, come back later
                return _Transient(f"{self.where} is not accepting mail now: {_reply(exc.smtp_code, exc.smtp_error)}")
            return DeliveryError(
                f"{self.where}: the server refused the session: {_reply(exc.smtp_code, exc.smtp_error)}"
            )
        if isinstance(exc, OSError | smtplib.SMTPException):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            return _Transient(f"cannot reach {self.where}: {reason}")
        return exc

    def _transaction(self, data: bytes, sender: str, recipient: str) -> None:
        if self.conn is None:
            self.conn = self._open()
        conn = self.conn
        try:
            code, resp = conn.mail(sender)
            if code != 250:
                if 400 <= code < 500:
                    raise _Transient(f"MAIL FROM: {_reply(code, resp)}", code)
                raise DeliveryError(f"{self.where}: sender {sender} refused: {_reply(code, resp)}")
            code, resp = conn.rcpt(recipient)
            if code not in (250, 251):
                if 400 <= code < 500:
                    raise _Transient(f"RCPT TO: {_reply(code, resp)}", code)
                raise _Rejected(code, _reply(code, resp))
            code, resp = conn.docmd("DATA")
            if code != 354:
                if 400 <= code < 500:
                    raise _Transient(f"DATA: {_reply(code, resp)}", code)
                raise _Rejected(code, _reply(code, resp))
            conn.send(_dot_stuffed(data))
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            # Nothing was accepted: the terminating dot was not sent or not received.
            raise _Transient(f"connection lost: {exc}") from None
        try:
            code, resp = conn.getreply()
        except (OSError, smtplib.SMTPServerDisconnected):
            raise _InDoubt(
                "connection lost after the message was handed over, before the server confirmed it"
            ) from None
        if code == 250:
            return
        if 400 <= code < 500:
            raise _Transient(f"end of DATA: {_reply(code, resp)}", code)
        raise _Rejected(code, _reply(code, resp))

    def _before_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning("transient SMTP failure (attempt %d): %s; retrying in %.1fs", state.attempt_number, exc, wait)
        self._drop()

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    def send(self, message: EmailMessage, sender: str, recipient: str) -> SendOutcome:
        """Deliver ``message`` to one envelope recipient; fatal problems raise :class:`DeliveryError`."""
        data = message.as_bytes(policy=SMTP_POLICY)
        r = self.retry
        retrying = Retrying(
            stop=stop_after_attempt(r.attempts),
            wait=wait_exponential(multiplier=r.initial_seconds, max=r.max_seconds)
            + wait_random(0, r.initial_seconds / 2),
            retry=retry_if_exception_type(_Transient),
            before_sleep=self._before_retry,
            sleep=self.sleep,
            reraise=True,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    self._transaction(data, sender, recipient)
        except _Rejected as exc:
            self._reset()
            return SendOutcome(recipient, "rejected", exc.code, exc.detail, attempts)
        except _InDoubt as exc:
            self._drop()
            return SendOutcome(recipient, "in doubt", None, str(exc), attempts)
        except _Transient as exc:
            self._drop()
            if exc.code is None:
                # No SMTP reply at all (unreachable, dropped connections): the next recipients would fail alike.
                raise DeliveryError(f"{exc.detail} (after {attempts} attempts)") from None
            return SendOutcome(recipient, "failed", exc.code, f"{exc.detail} (after {attempts} attempts)", attempts)
        return SendOutcome(recipient, "sent", 250, "", attempts)

    def _reset(self) -> None:
        """After a refused recipient, clear the transaction so the session can go on."""
        if self.conn is None:
            return
        try:
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
