"""Failures against a real SMTP server: transient 4xx, rejected addresses, re-runs, lost connections, safety."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from deliver_helpers import REPORT, Script, free_port

from generator.cli import main
from generator.deliver import send_briefing
from generator.deliver.ledger import Ledger
from generator.errors import ArchiveError, DeliveryError, PartialDelivery, UnsafeToSend
from generator.spec import load_spec

DAY = date(2026, 11, 20)
ONE_CHART = 'charts = ["core_cpi"]'  # one small chart keeps these tests fast; the MIME tests check all four
ADDRS = ["pm@example.com", "risk@example.com", "cio@example.org"]


def ledger_events(archive: Path) -> list[tuple[str, str]]:
    return [(e["recipient"], e["event"]) for e in Ledger(archive / "2026-11-20").events()]


def test_transient_4xx_is_retried_with_backoff_then_delivered_once(archive, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    # risk@ gets "451 try again" twice, then OK; the others are accepted at once.
    smtp_server.handler.script = Script(
        rcpt=lambda addr, n: "451 4.7.1 greylisted, try again later" if addr == "risk@example.com" and n <= 2 else None
    )
    sleeps: list[float] = []
    report = send_briefing(DAY, config_for(smtp_server.port, email=ONE_CHART), output_dir=archive, sleep=sleeps.append)
    assert [r.result for r in report.results] == ["sent", "sent", "sent"]
    assert [len(smtp_server.handler.to(a)) for a in ADDRS] == [1, 1, 1]
    assert smtp_server.handler.rcpt_calls["risk@example.com"] == 3
    # exponential backoff: 0.01 then 0.02 seconds, plus up to 0.005 of jitter each
    assert len(sleeps) == 2
    assert 0.01 <= sleeps[0] <= 0.015 and 0.02 <= sleeps[1] <= 0.025
    sent = [e for e in Ledger(archive / "2026-11-20").events() if e["event"] == "sent"]
    assert [(e["recipient"], e["attempts"]) for e in sent] == [(ADDRS[0], 1), (ADDRS[1], 3), (ADDRS[2], 1)]


def test_transient_4xx_at_end_of_data_is_retried(archive, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    smtp_server.handler.script = Script(data=lambda addrs, n: "452 4.3.1 insufficient storage" if n == 1 else None)
    report = send_briefing(DAY, config_for(smtp_server.port, email=ONE_CHART), output_dir=archive, sleep=lambda s: None)
    assert [r.result for r in report.results] == ["sent", "sent", "sent"]
    assert [len(smtp_server.handler.to(a)) for a in ADDRS] == [1, 1, 1]


def test_rejected_address_is_reported_and_others_are_served(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    smtp_server.handler.script = Script(
        rcpt=lambda addr, n: "550 5.1.1 <risk@example.com>: mailbox unavailable" if addr == "risk@example.com" else None
    )
    config = config_for(smtp_server.port, email=ONE_CHART)
    code = main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config.path)])
    out, err = capsys.readouterr()
    assert code == PartialDelivery.exit_code == 7
    assert err.strip().splitlines()[-1] == (
        "error: 1 of 3 recipient(s) not served: Risk desk <risk@example.com> (rejected)"
    )
    assert "rejected     Risk desk <risk@example.com>  550 5.1.1 <risk@example.com>: mailbox unavailable" in out
    assert [len(smtp_server.handler.to(a)) for a in ADDRS] == [1, 0, 1]
    assert smtp_server.handler.rcpt_calls["risk@example.com"] == 1  # a 5xx is not retried
    assert ledger_events(archive) == [
        (ADDRS[0], "attempt"),
        (ADDRS[0], "sent"),
        (ADDRS[1], "attempt"),
        (ADDRS[1], "rejected"),
        (ADDRS[2], "attempt"),
        (ADDRS[2], "sent"),
    ]


def test_rerun_after_partial_send_serves_only_the_missing(archive, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    # First run: risk@ keeps getting 421 until the retries run out.
    smtp_server.handler.script = Script(
        rcpt=lambda addr, n: "450 4.2.0 mailbox busy" if addr == "risk@example.com" else None
    )
    config = config_for(smtp_server.port, email=ONE_CHART)
    first = send_briefing(DAY, config, output_dir=archive, sleep=lambda s: None)
    assert [r.result for r in first.results] == ["sent", "failed", "sent"]
    assert first.results[1].detail == "RCPT TO: 450 4.2.0 mailbox busy (after 3 attempts)"
    with pytest.raises(PartialDelivery):
        first.raise_for_status()
    # The server recovers; the re-run sends only to risk@, and a third run to nobody.
    smtp_server.handler.script = Script()
    second = send_briefing(DAY, config, output_dir=archive, sleep=lambda s: None)
    assert [r.result for r in second.results] == ["already sent", "sent", "already sent"]
    third = send_briefing(DAY, config, output_dir=archive, sleep=lambda s: None)
    assert [r.result for r in third.results] == ["already sent"] * 3
    third.raise_for_status()
    assert [len(smtp_server.handler.to(a)) for a in ADDRS] == [1, 1, 1]


def test_unreachable_server_stops_the_run_and_loses_nothing(archive, config_for, smtp_server, capsys) -> None:  # type: ignore[no-untyped-def]
    folder = archive / "2026-11-20"
    before = sorted(p.name for p in folder.iterdir())
    dead = config_for(free_port(), email=ONE_CHART)
    code = main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(dead.path)])
    out, err = capsys.readouterr()
    assert code == DeliveryError.exit_code == 6
    (line,) = [x for x in err.splitlines() if x.startswith("error:")]
    assert line.startswith(f"error: cannot reach 127.0.0.1:{dead.smtp.port} (none):")
    assert line.endswith("(after 3 attempts)")
    assert "not tried    Risk desk <risk@example.com>" in out
    assert ledger_events(archive) == [(ADDRS[0], "attempt"), (ADDRS[0], "failed")]
    # The briefing is intact (only delivery/ was added), and once a server is there every recipient is served.
    assert sorted(p.name for p in folder.iterdir()) == sorted([*before, "delivery"])
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    report = send_briefing(DAY, config_for(smtp_server.port, email=ONE_CHART), output_dir=archive)
    assert [r.result for r in report.results] == ["sent"] * 3


def test_connection_lost_after_data_is_in_doubt_and_never_resent(archive, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    smtp_server.handler.script = Script(drop_after_data=lambda addrs: addrs == ["risk@example.com"])
    config = config_for(smtp_server.port, email=ONE_CHART)
    first = send_briefing(DAY, config, output_dir=archive, sleep=lambda s: None)
    assert [r.result for r in first.results] == ["sent", "in doubt", "sent"]
    # The server did take it: sending again would be a duplicate.
    assert [len(smtp_server.handler.to(a)) for a in ADDRS] == [1, 1, 1]
    smtp_server.handler.script = Script()
    second = send_briefing(DAY, config, output_dir=archive)
    assert [r.result for r in second.results] == ["already sent", "in doubt", "already sent"]
    assert "--to risk@example.com --resend" in second.results[1].detail
    assert len(smtp_server.handler.to("risk@example.com")) == 1
    # A person who checked can resend explicitly, to the named address only.
    third = send_briefing(DAY, config, output_dir=archive, recipients=["risk@example.com"], resend=True)
    assert [(r.address, r.result) for r in third.results] == [("risk@example.com", "sent")]
    assert [len(smtp_server.handler.to(a)) for a in ADDRS] == [1, 2, 1]


def test_illustrative_briefing_is_refused_unless_allowed(illustrative_archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email=ONE_CHART)
    args = ["send", "--date", "2026-11-20", "--output", str(illustrative_archive), "--config", str(config.path)]
    code = main(args)
    _, err = capsys.readouterr()
    assert code == UnsafeToSend.exit_code == 3
    assert err.strip().splitlines()[-1] == (
        "error: the 2026-11-20 briefing is built on illustrative data (not market data): refusing to email it; "
        "pass --allow-illustrative to send it anyway, marked as such"
    )
    assert smtp_server.received == []
    assert not (illustrative_archive / "2026-11-20" / "delivery").exists()

    assert main([*args, "--allow-illustrative", "--to", "pm@example.com"]) == 0
    (got,) = smtp_server.received
    from email import message_from_bytes, policy

    msg = message_from_bytes(got.content, policy=policy.default)
    assert msg["Subject"].startswith("[Illustrative data - not market data] US Small-Cap Rotation Monitor - 2026-11-20")
    assert msg["X-Briefing-Illustrative"] == "yes"
    assert "Illustrative data - not market data. Every number" in msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert msg.get_body(("plain",)).get_content().startswith("*** ILLUSTRATIVE DATA - NOT MARKET DATA ***")  # type: ignore[union-attr]


def _manifest_series(archive: Path) -> set[str]:
    return set(json.loads((archive / "2026-11-20" / "manifest.json").read_text())["series"])


def _mark_stale(archive: Path, sid: str) -> None:
    path = archive / "2026-11-20" / "manifest.json"
    m = json.loads(path.read_text())
    m["series"][sid]["stale"] = True
    m["series"][sid]["last"] = "2026-11-02"
    path.write_text(json.dumps(m))


def test_stale_required_series_is_refused_unless_allowed(archive, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email=ONE_CHART)
    series = load_spec(REPORT).spec.series  # the definition with its catalogue
    optional = next(sid for sid, s in series.items() if not s.required and sid in _manifest_series(archive))
    assert series["IWM"].required
    _mark_stale(archive, optional)  # not required: no reason to hold the email
    assert [r.result for r in send_briefing(DAY, config, output_dir=archive, recipients=["a@example.com"]).results] == [
        "sent"
    ]
    _mark_stale(archive, "IWM")  # required
    with pytest.raises(UnsafeToSend) as refused:
        send_briefing(DAY, config, output_dir=archive)
    assert str(refused.value) == (
        "the 2026-11-20 briefing has required series stale or missing beyond their limits: "
        "IWM is stale (last observation 2026-11-02); pass --allow-stale to send it anyway"
    )
    report = send_briefing(DAY, config, output_dir=archive, recipients=["b@example.com"], allow_stale=True)
    assert [r.result for r in report.results] == ["sent"]
    assert report.overrides == ["IWM is stale (last observation 2026-11-02)"]
    from email import message_from_bytes, policy

    html = message_from_bytes(smtp_server.received[-1].content, policy=policy.default).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Sent despite data problems:" in html and "IWM is stale (last observation 2026-11-02)" in html


def test_missing_briefing_is_an_archive_error(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port)
    code = main(["send", "--date", "2026-11-13", "--output", str(archive), "--config", str(config.path)])
    _, err = capsys.readouterr()
    assert code == ArchiveError.exit_code == 5
    assert err.strip() == (
        f"error: no briefing for 2026-11-13 in {archive} (nearest: 2026-11-20); `briefing list` shows them all"
    )
    assert smtp_server.received == []
