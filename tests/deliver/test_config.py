"""The delivery configuration: the example is valid, and every mistake names its key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from generator.deliver.config import ENV_CONFIG, ENV_PASSWORD, config_path, load_config
from generator.errors import DeliveryConfigError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "reports" / "delivery.example.toml"

GOOD = """
[email]
from = "Macro strategy <briefings@example.com>"
to = ["pm@example.com"]

[smtp]
host = "smtp.example.com"
"""


def load_text(tmp_path: Path, text: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "delivery.toml"
    path.write_text(text)
    return load_config(path, env=env or {})


def error_lines(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(DeliveryConfigError) as caught:
        load_text(tmp_path, text, env)
    prefix = f"{tmp_path / 'delivery.toml'}: "
    lines = str(caught.value).splitlines()
    assert all(line.startswith(prefix) for line in lines)
    return [line.removeprefix(prefix) for line in lines]


def test_example_config_is_valid() -> None:
    config = load_config(EXAMPLE, env={ENV_PASSWORD: "x"})
    assert config.email.sender == "Macro strategy <briefings@example.com>"
    assert config.email.to == ["pm@example.com", "Risk desk <risk@example.com>"]
    assert (config.smtp.tls, config.smtp.effective_port, config.smtp.user) == ("starttls", 587, "briefings@example.com")
    assert (config.retry.attempts, config.retry.initial_seconds, config.retry.max_seconds) == (5, 2.0, 120.0)
    charts = tomllib.loads((REPO / "reports" / "small_cap_rotation.toml").read_text())["charts"]
    assert config.email.charts and set(config.email.charts) <= set(charts)  # the key charts exist


def test_defaults_and_ports_by_tls_mode(tmp_path: Path) -> None:
    config = load_text(tmp_path, GOOD)
    assert config.smtp.effective_port == 587 and config.smtp.tls == "starttls"
    assert config.email.subject == "{title} - {date} - stance: {stance}"
    assert load_text(tmp_path, GOOD + 'tls = "tls"\n').smtp.effective_port == 465
    assert config.password is None


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    text = """
[email]
to = ["pm@example.com", "not an address"]
subject = "{title} on {when}"
colour = "blue"

[smtp]
host = "smtp.example.com"
tls = "ssl"
port = "twenty-five"
"""
    assert error_lines(tmp_path, text) == [
        "email.from: is required but missing",
        "email.to: [1] not an email address: 'not an address'",
        "email.subject: unknown placeholder {when} in the subject: use {title}, {date}, {stance}, {data_as_of}",
        "email.colour: is not a known key (check the spelling)",
        "smtp.port: expected a number, got 'twenty-five'",
        "smtp.tls: expected one of 'starttls', 'tls' or 'none', got 'ssl'",
    ]


def test_password_is_never_read_from_the_file(tmp_path: Path) -> None:
    assert error_lines(tmp_path, GOOD + 'user = "me"\npassword = "hunter2"\n') == [
        "smtp.password: passwords are not read from files: set BRIEFING_SMTP_PASSWORD in the environment"
    ]


def test_user_needs_the_password_in_the_environment(tmp_path: Path) -> None:
    assert error_lines(tmp_path, GOOD + 'user = "me"\n') == [
        "smtp.user is set: put the password in BRIEFING_SMTP_PASSWORD"
    ]
    config = load_text(tmp_path, GOOD + 'user = "me"\n', env={ENV_PASSWORD: "hunter2"})
    assert config.password is not None and config.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(config) and "hunter2" not in str(config.password)


def test_no_login_over_clear_text(tmp_path: Path) -> None:
    assert error_lines(tmp_path, GOOD + 'tls = "none"\nuser = "me"\n', env={ENV_PASSWORD: "x"}) == [
        "smtp: 'user' is set but 'tls' is 'none': the password would travel in clear text"
    ]


def test_environment_overrides_smtp_settings(tmp_path: Path) -> None:
    env = {"BRIEFING_SMTP_HOST": "relay.internal", "BRIEFING_SMTP_PORT": "2525", "BRIEFING_SMTP_TLS": "none"}
    config = load_text(tmp_path, GOOD, env=env)
    assert (config.smtp.host, config.smtp.effective_port, config.smtp.tls) == ("relay.internal", 2525, "none")
    assert error_lines(tmp_path, GOOD, env={"BRIEFING_SMTP_PORT": "abc"}) == [
        "smtp.port (from BRIEFING_SMTP_PORT): expected a number, got 'abc'"
    ]


def test_header_injection_and_bad_attachment_names_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace('to = ["pm@example.com"]', 'to = ["pm@example.com", "pm@example.com"]') + (
        "\n[retry]\nattempts = 0\n"
    )
    text = text.replace(
        "[smtp]", 'reply_to = "x@example.com\\nBcc: all@example.com"\nattachment_name = "../x.pdf"\n\n[smtp]'
    )
    assert error_lines(tmp_path, text) == [
        "email.to: lists the same address twice",
        "email.reply_to: must not contain line breaks",
        "email.attachment_name: expected a plain file name ending in .pdf, got '../x.pdf'",
        "retry.attempts: expected a number >= 1, got 0",
    ]


def test_where_the_configuration_is_read_from(tmp_path: Path) -> None:
    assert config_path(None, env={}) == Path("reports/delivery.toml")
    assert config_path(None, env={ENV_CONFIG: "/etc/briefing.toml"}) == Path("/etc/briefing.toml")
    assert config_path(tmp_path / "x.toml", env={ENV_CONFIG: "/etc/briefing.toml"}) == tmp_path / "x.toml"
    with pytest.raises(DeliveryConfigError) as caught:
        load_config(tmp_path / "none.toml", env={})
    assert str(caught.value) == (
        f"{tmp_path / 'none.toml'}: delivery configuration not found: copy reports/delivery.example.toml there "
        "and edit it, or point BRIEFING_DELIVERY_CONFIG (or --config) at one"
    )


def test_short_thresholds_for_the_email() -> None:
    from generator.deliver.compose import short_thresholds

    assert short_thresholds("amber >= 450, red >= 600") == "amber >= 450, red >= 600"
    assert short_thresholds("amber >= 10, red >= 25 (hysteresis 3)") == "amber >= 10, red >= 25"
    assert (
        short_thresholds(
            "Core CPI, year over year: amber >= 3, red >= 3.5 (hysteresis 0.2) OR "
            "Core CPI, 3 months annualized: amber >= 3.5, red >= 4.5 (hysteresis 0.3)"
        )
        == "amber >= 3, red >= 3.5 · or 1 more"
    )
    assert (
        short_thresholds(
            "Fed target change: green <= -50, amber <= -25 AND Last move: green <= -25, amber <= 0 AND x: green <= 1, amber <= 2"
        )
        == "green <= -50, amber <= -25 · and 2 more"
    )
