"""Helpers for the delivery tests: copying a briefing, a real SMTP server on 127.0.0.1, TLS, configs."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

BRIEFING_DATE = "2026-11-20"
REPORT = Path(__file__).resolve().parents[2] / "reports" / "small_cap_rotation.toml"


def copy_briefing(source_dir: Path, root: Path, real: bool) -> Path:
    """Copy an archived briefing under ``root``; ``real`` rewrites its manifest as if built from Yahoo/FRED.

    The gate reads only the manifest, so a manifest saying "real" is what a real briefing looks like to it.
    """
    target = root / source_dir.name
    shutil.copytree(source_dir, target)
    if real:
        path = target / "manifest.json"
        m = json.loads(path.read_text())
        m["source"]["illustrative"] = False
        m["source"]["requested"] = "live"
        for s in m["series"].values():
            s["source"] = s["provider"] or "yahoo"  # valuation inputs have no provider
        path.write_text(json.dumps(m, indent=2))
    return target


# ---------------------------------------------------------------- a real SMTP server on loopback


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    auth: Any


@dataclass
class Script:
    """How the server answers: ``rcpt(addr, n)`` / ``data(addrs, n)`` return a reply or None for OK.

    ``n`` counts the calls so far for that address (RCPT) or overall (DATA), from 1.
    """

    rcpt: Callable[[str, int], str | None] = lambda addr, n: None
    data: Callable[[list[str], int], str | None] = lambda addrs, n: None
    drop_after_data: Callable[[list[str]], bool] = lambda addrs: False


@dataclass
class Handler:
    script: Script = field(default_factory=Script)
    received: list[Received] = field(default_factory=list)
    rcpt_calls: dict[str, int] = field(default_factory=dict)
    data_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        with self.lock:
            self.rcpt_calls[address] = self.rcpt_calls.get(address, 0) + 1
            n = self.rcpt_calls[address]
        reply = self.script.rcpt(address, n)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.data_calls += 1
            n = self.data_calls
        reply = self.script.data(list(envelope.rcpt_tos), n)
        if reply:
            return reply
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content or envelope.content,
                    server.transport.get_extra_info("ssl_object") is not None,
                    session.auth_data,
                )
            )
        if self.script.drop_after_data(list(envelope.rcpt_tos)):
            # Accept the message, then vanish before saying so: the client cannot know it arrived.
            server.transport.abort()
            await asyncio.sleep(0)
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    def __init__(self, **kwargs: Any) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self) -> None:
        self.controller.stop()


# ---------------------------------------------------------------- TLS: a self-signed certificate for 127.0.0.1

USER, PASSWORD = "briefings", "s3cret-Pa55word-Zq"


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def make_self_signed(folder: Path) -> Cert:
    """A self-signed certificate (and key) for 127.0.0.1, written as PEM files into ``folder``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Cert(cert_path, key_path)


def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


# ---------------------------------------------------------------- configuration files


def write_config(folder: Path, port: int, *, tls: str = "none", extra_smtp: str = "", email: str = "") -> Path:
    path = folder / "delivery.toml"
    path.write_text(
        f"""
[email]
from = "Macro strategy <briefings@example.com>"
to = ["pm@example.com", "Risk desk <risk@example.com>", "cio@example.org"]
{email}

[smtp]
host = "127.0.0.1"
port = {port}
tls = "{tls}"
timeout_seconds = 5
{extra_smtp}

[retry]
attempts = 3
initial_seconds = 0.01
max_seconds = 0.05
"""
    )
    return path
