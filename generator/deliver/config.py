"""The delivery configuration: who gets the weekly email, from whom, and through which SMTP server.

Read from a TOML file (``--config``, else ``$BRIEFING_DELIVERY_CONFIG``, else
``reports/delivery.toml``; ``reports/delivery.example.toml`` documents every key)
and validated whole at load: every problem is reported at once, each naming the
file and the key, e.g. ``reports/delivery.toml: smtp.tls: expected one of 'starttls',
'tls', 'none', got 'ssl'``.

The SMTP host, port, TLS mode and user may be overridden from the environment
(``BRIEFING_SMTP_HOST``, ``_PORT``, ``_TLS``, ``_USER``). The password comes only
from ``BRIEFING_SMTP_PASSWORD``: a ``password`` key in the file is an error, and the
value is held as a ``SecretStr`` so that it never shows in a repr, log or message.
"""

from __future__ import annotations

import email.policy
import os
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from generator.errors import DeliveryConfigError

ENV_CONFIG = "BRIEFING_DELIVERY_CONFIG"
ENV_PASSWORD = "BRIEFING_SMTP_PASSWORD"
DEFAULT_CONFIG = Path("reports/delivery.toml")
EXAMPLE_CONFIG = Path("reports/delivery.example.toml")
SMTP_ENV = {
    "host": "BRIEFING_SMTP_HOST",
    "port": "BRIEFING_SMTP_PORT",
    "tls": "BRIEFING_SMTP_TLS",
    "user": "BRIEFING_SMTP_USER",
}
SUBJECT_FIELDS = ("title", "date", "stance", "data_as_of")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def parse_addresses(value: str) -> list[Address]:
    """An RFC 5322 address list (one address, or several separated by commas), each address checked.

    Parsed as a ``To`` header is (``email.headerregistry``): anything the parser has to guess at is refused
    (``x@a.com <y@b.com>``, ``Jo, Smith <j@x.com>``), as is a display name that is itself an address (the
    header would name one mailbox and the message go to another), so what the header says is where it goes.
    Duplicates are told apart by :func:`address_key`.
    """
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain line breaks")
    if not value.strip():
        raise ValueError(f"no address in {value!r}")
    header = email.policy.default.header_factory("To", value)
    if header.defects:
        raise ValueError(f"not an email address: {value!r}")
    found = []
    for address in header.addresses:
        spec = address.addr_spec
        if not address.username or "." not in address.domain or " " in spec or spec.count("@") != 1:
            raise ValueError(f"not an email address: {spec!r}")
        if "@" in address.display_name:
            raise ValueError(
                f"the name {address.display_name!r} in {value!r} looks like an address; name the address alone"
            )
        found.append(address)
    if not found:
        raise ValueError(f"no address in {value!r}")
    return found


def address_key(addr_spec: str) -> str:
    """What two spellings of one mailbox have in common: ``PM@Example.COM`` and ``pm@example.com`` are one
    recipient for the duplicate check and for the send ledger."""
    return addr_spec.lower()


def check_address(value: str) -> str:
    """Exactly one address (``a@b.example`` or ``Name <a@b.example>``), checked as :func:`parse_addresses` does."""
    found = parse_addresses(value)
    if len(found) != 1:
        raise ValueError(f"expected one address, got {len(found)}: {value!r}")
    return value


def _check_template(value: str, allowed: tuple[str, ...], key: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain line breaks")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValueError(f"not a valid template ({exc})") from None
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}} in {key}: use {', '.join('{' + a + '}' for a in allowed)}"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EmailSettings(_Strict):
    """The ``[email]`` table: sender, recipients and how the message is named."""

    sender: str = Field(alias="from")
    """The From header, e.g. ``"Macro strategy <briefings@example.com>"``."""
    to: list[str] = Field(default_factory=list)
    """Recipients; each gets their own message (nobody sees the list). ``--to`` replaces it."""
    reply_to: str | None = None
    subject: str = "{title} - {date} - stance: {stance}"
    """Subject template; placeholders {title} {date} {stance} {data_as_of}."""
    attachment_name: str | None = None
    """File name of the attached PDF; placeholder {date} (YYYY-MM-DD). Default: the report's own
    ``attachment_name`` (``[report]`` of its definition), else ``{report}-{date}.pdf``."""
    charts: list[str] | None = None
    """Chart ids shown inline (in this order); default: every chart of the briefing."""

    @field_validator("sender", "reply_to")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        return None if value is None else check_address(value)

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        found: list[Address] = []
        for i, entry in enumerate(value):
            try:
                found += parse_addresses(entry)
            except ValueError as exc:
                raise ValueError(f"[{i}] {exc}") from None
        seen: set[str] = set()
        for address in found:
            if address_key(address.addr_spec) in seen:
                raise ValueError("lists the same address twice")
            seen.add(address_key(address.addr_spec))
        return [str(a) for a in found]  # one address per entry: a list in one string is split

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return _check_template(value, SUBJECT_FIELDS, "the subject")

    @field_validator("attachment_name")
    @classmethod
    def _attachment(cls, value: str | None) -> str | None:
        if value is None:
            return None
        _check_template(value, ("date",), "the attachment name")
        if "/" in value or "\\" in value or not value.lower().endswith(".pdf"):
            raise ValueError(f"expected a plain file name ending in .pdf, got {value!r}")
        return value


class SmtpSettings(_Strict):
    """The ``[smtp]`` table. The password is never read from here."""

    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)
    """Default by TLS mode: 587 (starttls), 465 (tls), 25 (none)."""
    tls: Literal["starttls", "tls", "none"] = "starttls"
    """``starttls``: plain connection upgraded with STARTTLS (port 587); ``tls``: implicit TLS (port 465)."""
    user: str | None = None
    """Login name; the password comes from ``BRIEFING_SMTP_PASSWORD``."""
    ca_file: Path | None = None
    """CA certificate(s) to trust instead of the system's (an internal relay with its own CA)."""
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _no_clear_text_login(self) -> SmtpSettings:
        if self.user and self.tls == "none":
            raise ValueError("'user' is set but 'tls' is 'none': the password would travel in clear text")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.tls]


class RetrySettings(_Strict):
    """The ``[retry]`` table: transient SMTP failures (4xx, dropped connections) are retried with backoff."""

    attempts: int = Field(default=5, ge=1, le=20)
    initial_seconds: float = Field(default=2.0, ge=0, le=600)
    max_seconds: float = Field(default=120.0, ge=0, le=3600)


class DeliverySettings(_Strict):
    email: EmailSettings
    smtp: SmtpSettings
    retry: RetrySettings = Field(default_factory=RetrySettings)

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("smtp"), dict) and "password" in data["smtp"]:
            raise ValueError(f"smtp.password: passwords are not read from files: set {ENV_PASSWORD} in the environment")
        return data


@dataclass(frozen=True)
class DeliveryConfig:
    """Validated settings plus where they came from and the password from the environment."""

    settings: DeliverySettings
    path: Path
    password: SecretStr | None = None

    @property
    def email(self) -> EmailSettings:
        return self.settings.email

    @property
    def smtp(self) -> SmtpSettings:
        return self.settings.smtp

    @property
    def retry(self) -> RetrySettings:
        return self.settings.retry


def config_path(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Where the configuration is read from: the option, else the environment, else the default."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG])
    return DEFAULT_CONFIG


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_BOUNDS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}


def _message(error: Mapping[str, Any], from_env: dict[str, str]) -> str:
    loc = tuple(error["loc"])
    key = _loc(loc)
    if len(loc) >= 2 and loc[0] == "smtp" and loc[1] in from_env:
        key += f" (from {from_env[str(loc[1])]})"
    kind, got = error["type"], error.get("input")
    if kind == "missing":
        text = "is required but missing"
    elif kind == "extra_forbidden":
        text = "is not a known key (check the spelling)"
    elif kind.startswith(("int_", "float_")):
        text = f"expected a number, got {got!r}"
    elif kind in _BOUNDS:
        ctx = error.get("ctx", {})
        limit = next(iter(ctx.values()), "?")
        text = f"expected a number {_BOUNDS[kind]} {limit}, got {got!r}"
    elif kind == "literal_error":
        text = f"expected one of {error.get('ctx', {}).get('expected', '')}, got {got!r}"
    else:
        text = str(error["msg"]).removeprefix("Value error, ")
    if not key:  # a model-level check that names its own key
        return text
    return f"{key}: {text}"


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> DeliveryConfig:
    """Read and validate the delivery configuration; one ``DeliveryConfigError`` lists every problem."""
    env = os.environ if env is None else env
    where = config_path(path, env)
    try:
        raw = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeliveryConfigError(
            f"{where}: delivery configuration not found: copy {EXAMPLE_CONFIG} there and edit it, "
            f"or point {ENV_CONFIG} (or --config) at one"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryConfigError(f"{where}: cannot read delivery configuration ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise DeliveryConfigError(f"{where}: not valid TOML: {exc}") from None
    from_env: dict[str, str] = {}
    smtp = raw.get("smtp")
    for key, var in SMTP_ENV.items():
        if env.get(var):
            smtp = dict(smtp) if isinstance(smtp, dict) else {}
            smtp[key] = env[var]
            from_env[key] = var
    if smtp is not None:
        raw["smtp"] = smtp
    try:
        settings = DeliverySettings.model_validate(raw)
    except ValidationError as exc:
        raise DeliveryConfigError("\n".join(f"{where}: {_message(dict(e), from_env)}" for e in exc.errors())) from None
    if settings.smtp.ca_file is not None and not settings.smtp.ca_file.is_file():
        raise DeliveryConfigError(f"{where}: smtp.ca_file: no such file: {settings.smtp.ca_file}")
    password = env.get(ENV_PASSWORD)
    if settings.smtp.user and not password:
        raise DeliveryConfigError(f"{where}: smtp.user is set: put the password in {ENV_PASSWORD}")
    return DeliveryConfig(settings=settings, path=where, password=SecretStr(password) if password else None)
