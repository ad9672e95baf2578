"""``send_briefing``: email an archived briefing to each recipient once.

archived briefing -> safety checks -> email view and bodies (once) -> per
recipient: ledger says served? skip : compose, record ``attempt``, hand to the
SMTP server, record the outcome. A dry run writes each exact message as an
``.eml`` file instead and touches neither the server nor the ledger.

Nothing here modifies the briefing itself: the archive folder only gains
``delivery/`` (the ledger, dry-run messages), so no failure can lose it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.headerregistry import Address
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from generator.archive.write import write_atomic
from generator.deliver.archived import ArchivedBriefing, check_sendable, open_briefing
from generator.deliver.compose import EmailBodies, build_view, compose, render_bodies
from generator.deliver.config import DeliveryConfig, address_key, parse_addresses
from generator.deliver.ledger import LEDGER_DIR, Ledger
from generator.deliver.smtp import Mailer
from generator.errors import DeliveryConfigError, DeliveryError, OutputError, UsageError

log = logging.getLogger(__name__)

DRY_RUN_DIR = "dry-run"
Result = Literal["sent", "already sent", "rejected", "failed", "in doubt", "not tried", "dry run"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RecipientResult:
    address: str
    result: Result
    detail: str = ""


@dataclass
class DeliveryReport:
    """What a send did, per recipient. ``fatal`` is set when the server could not be used at all."""

    date: date
    directory: Path
    subject: str
    results: list[RecipientResult] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    eml_files: list[Path] = field(default_factory=list)
    fatal: str | None = None

    def count(self, *kinds: Result) -> int:
        return sum(1 for r in self.results if r.result in kinds)

    @property
    def unserved(self) -> list[RecipientResult]:
        return [r for r in self.results if r.result in ("rejected", "failed", "in doubt", "not tried")]

    def raise_for_status(self) -> None:
        """``DeliveryError`` (exit 5) if the server could not be used, ``PartialDelivery`` (6) if some were missed."""
        from generator.errors import PartialDelivery

        if self.fatal:
            raise DeliveryError(self.fatal)
        if self.unserved:
            names = ", ".join(f"{r.address} ({r.result})" for r in self.unserved)
            raise PartialDelivery(f"{len(self.unserved)} of {len(self.results)} recipient(s) not served: {names}")


@dataclass(frozen=True)
class Recipient:
    """One mailbox: as shown (the ``To`` header, the report), its address (the envelope), its ledger key."""

    shown: str
    address: str

    @property
    def key(self) -> str:
        return address_key(self.address)


def _recipients(explicit: Sequence[str] | None, config: DeliveryConfig) -> list[Recipient]:
    """``--to`` values (each an address list) or the configured list: one recipient per distinct address."""
    found: list[Address] = []
    if explicit:
        for value in explicit:
            try:
                found += parse_addresses(value)
            except ValueError as exc:
                raise UsageError(f"--to: {exc}") from None
    else:
        for value in config.email.to:  # validated at load
            found += parse_addresses(value)
    if not found:
        raise DeliveryConfigError(f"{config.path}: email.to: no recipients: list them there or pass --to ADDR")
    chosen: dict[str, Recipient] = {}
    for a in found:
        chosen.setdefault(address_key(a.addr_spec), Recipient(str(a), a.addr_spec))
    return list(chosen.values())


def _eml_name(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", address) + ".eml"


def send_briefing(
    day: date,
    config: DeliveryConfig,
    *,
    output_dir: str | Path = "output",
    recipients: Sequence[str] | None = None,
    dry_run: bool = False,
    allow_illustrative: bool = False,
    allow_stale: bool = False,
    resend: bool = False,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Email the archived briefing of ``day``; see the module docstring. Returns the report; never raises for
    per-recipient failures (call :meth:`DeliveryReport.raise_for_status`)."""
    say = progress or (lambda _m: None)
    if resend and not recipients:
        raise UsageError("--resend needs --to ADDR: it sends again only to the addresses you name")
    briefing = open_briefing(Path(output_dir), day)
    overrides = check_sendable(briefing, allow_illustrative, allow_stale)
    chosen = _recipients(recipients, config)
    ledger = Ledger(briefing.directory)
    if dry_run:
        return _dry_run(briefing, chosen, ledger, config, overrides, resend, say)
    # The ledger is locked (and so known to be writable) before anything is composed or sent.
    with ledger.locked():
        report, bodies = _compose(briefing, config, overrides, say)
        sender = parseaddr(config.email.sender)[1]
        _deliver(report, chosen, ledger, briefing, bodies, config, sender, resend, say, sleep)
    order = {r.shown: i for i, r in enumerate(chosen)}
    report.results.sort(key=lambda r: order[r.address])
    return report


def _compose(
    briefing: ArchivedBriefing, config: DeliveryConfig, overrides: list[str], say: Progress
) -> tuple[DeliveryReport, EmailBodies]:
    say(f"composing the email for {briefing.date}")
    bodies = render_bodies(build_view(briefing, config.email, overrides))
    report = DeliveryReport(
        date=briefing.date,
        directory=briefing.directory,
        subject=bodies.view.subject,
        overrides=overrides,
        notes=bodies.view.omitted,
    )
    return report, bodies


def _dry_run(
    briefing: ArchivedBriefing,
    chosen: list[Recipient],
    ledger: Ledger,
    config: DeliveryConfig,
    overrides: list[str],
    resend: bool,
    say: Progress,
) -> DeliveryReport:
    """Each exact message as ``delivery/dry-run/ADDRESS.eml``, written whole or not at all; nothing sent."""
    out = briefing.directory / LEDGER_DIR / DRY_RUN_DIR
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write the dry-run messages to {out}: {exc.strerror or exc}") from None
    states = ledger.states()
    report, bodies = _compose(briefing, config, overrides, say)
    for r in chosen:
        state = states.get(r.key)
        if state is not None and state.served and not resend:
            report.results.append(RecipientResult(r.shown, "already sent", f"on {state.at}"))
            continue
        path = out / _eml_name(r.address)
        # A temporary file renamed into place: a full disk leaves no empty or cut-short message behind.
        write_atomic(path, compose(briefing, bodies, config.email, r.shown).as_bytes(policy=SMTP_POLICY))
        report.eml_files.append(path)
        report.results.append(RecipientResult(r.shown, "dry run", str(path)))
    return report


def _deliver(
    report: DeliveryReport,
    chosen: list[Recipient],
    ledger: Ledger,
    briefing: ArchivedBriefing,
    bodies: EmailBodies,
    config: DeliveryConfig,
    sender: str,
    resend: bool,
    say: Progress,
    sleep: Callable[[float], None],
) -> None:
    """Send to each of ``chosen`` not yet served, recording every step in the ledger (called under its lock)."""
    states = ledger.states()
    todo = []
    for r in chosen:
        state = states.get(r.key)
        if state is not None and not resend and state.served:
            report.results.append(RecipientResult(r.shown, "already sent", f"on {state.at}"))
        elif state is not None and not resend and state.in_doubt:
            report.results.append(
                RecipientResult(
                    r.shown,
                    "in doubt",
                    f"a send on {state.at} was interrupted after the message was handed over; "
                    f"it may have arrived. Not retried: check, then use --to {r.address} --resend",
                )
            )
        else:
            todo.append(r)
    if not todo:
        return
    with Mailer(config.smtp, config.retry, config.password, sleep=sleep) as mailer:
        for i, r in enumerate(todo):
            # The To header and the envelope come from the same parsed address: the header names who gets it.
            message = compose(briefing, bodies, config.email, r.shown)
            say(f"sending to {r.address} ({i + 1}/{len(todo)})")
            ledger.record(r.address, "attempt", message_id=message["Message-ID"])
            try:
                outcome = mailer.send(message, sender, r.address)
            except DeliveryError as exc:
                ledger.record(r.address, "failed", str(exc))
                report.results.append(RecipientResult(r.shown, "failed", str(exc)))
                report.results.extend(RecipientResult(a.shown, "not tried") for a in todo[i + 1 :])
                report.fatal = str(exc)
                return
            if outcome.status == "in doubt":
                # Leave 'attempt' as the last event: the next run must not send again on its own.
                report.results.append(RecipientResult(r.shown, "in doubt", outcome.detail))
                continue
            ledger.record(r.address, outcome.status, outcome.detail, smtp_code=outcome.code, attempts=outcome.attempts)
            report.results.append(RecipientResult(r.shown, outcome.status, outcome.detail))
            log.info("%s: %s %s", r.address, outcome.status, outcome.detail)
