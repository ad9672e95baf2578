"""Implicit TLS and STARTTLS against aiosmtpd with a self-signed certificate; login; the password stays secret."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from deliver_helpers import PASSWORD, USER, SmtpServer, authenticator, write_config

from generator.cli import main
from generator.deliver import send_briefing
from generator.deliver.config import ENV_PASSWORD
from generator.deliver.ledger import Ledger
from generator.errors import DeliveryError

DAY = date(2026, 11, 20)
ONE_CHART = 'charts = ["core_cpi"]'


@pytest.fixture
def implicit_tls(self_signed):  # type: ignore[no-untyped-def]
    server = SmtpServer(ssl_context=self_signed.server_context())
    yield server
    server.stop()


@pytest.fixture
def starttls_with_auth(self_signed):  # type: ignore[no-untyped-def]
    server = SmtpServer(
        tls_context=self_signed.server_context(),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    yield server
    server.stop()


def test_implicit_tls(archive, implicit_tls, self_signed, config_for) -> None:  # type: ignore[no-untyped-def]
    config = config_for(implicit_tls.port, tls="tls", extra_smtp=f'ca_file = "{self_signed.cert}"', email=ONE_CHART)
    report = send_briefing(DAY, config, output_dir=archive, recipients=["pm@example.com"])
    assert [r.result for r in report.results] == ["sent"]
    (got,) = implicit_tls.received
    assert got.tls is True and got.rcpt_tos == ["pm@example.com"]


def test_implicit_tls_refuses_an_untrusted_certificate(archive, implicit_tls, config_for) -> None:  # type: ignore[no-untyped-def]
    config = config_for(implicit_tls.port, tls="tls", email=ONE_CHART)  # system CAs do not know our certificate
    report = send_briefing(DAY, config, output_dir=archive, recipients=["pm@example.com"])
    assert report.fatal is not None
    assert report.fatal.startswith(f"127.0.0.1:{implicit_tls.port} (tls): TLS failed: CERTIFICATE_VERIFY_FAILED")
    assert implicit_tls.received == []
    with pytest.raises(DeliveryError):
        report.raise_for_status()


def test_starttls_with_login(archive, starttls_with_auth, self_signed, config_for, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="generator")
    config = config_for(
        starttls_with_auth.port,
        tls="starttls",
        extra_smtp=f'user = "{USER}"\nca_file = "{self_signed.cert}"',
        email=ONE_CHART,
        env={ENV_PASSWORD: PASSWORD},
    )
    assert PASSWORD not in repr(config)
    report = send_briefing(DAY, config, output_dir=archive, recipients=["pm@example.com", "risk@example.com"])
    assert [r.result for r in report.results] == ["sent", "sent"]
    assert [(r.tls, r.auth.login) for r in starttls_with_auth.received] == [(True, USER.encode())] * 2
    ledger = Ledger(archive / "2026-11-20").path.read_text()
    assert PASSWORD not in ledger and PASSWORD not in caplog.text


def test_wrong_password_is_a_clear_error_without_the_password(  # type: ignore[no-untyped-def]
    archive, starttls_with_auth, self_signed, tmp_path, capsys, monkeypatch
) -> None:
    wrong = "not-the-Password-42"
    path = write_config(
        tmp_path,
        starttls_with_auth.port,
        tls="starttls",
        extra_smtp=f'user = "{USER}"\nca_file = "{self_signed.cert}"',
        email=ONE_CHART,
    )
    monkeypatch.setenv(ENV_PASSWORD, wrong)
    code = main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(path)])
    out, err = capsys.readouterr()
    assert code == DeliveryError.exit_code
    (line,) = [x for x in err.splitlines() if x.startswith("error:")]
    assert line == (
        f"error: 127.0.0.1:{starttls_with_auth.port} (starttls): login refused for user 'briefings': "
        "535 5.7.8 Authentication credentials invalid"
    )
    assert wrong not in out + err + Ledger(archive / "2026-11-20").path.read_text()
    assert starttls_with_auth.received == []


def test_starttls_required_but_not_offered(archive, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, tls="starttls", email=ONE_CHART)
    report = send_briefing(DAY, config, output_dir=archive, recipients=["pm@example.com"])
    assert report.fatal == (
        f"127.0.0.1:{smtp_server.port} (starttls): the server does not offer STARTTLS; set smtp.tls accordingly"
    )
    assert smtp_server.received == []
