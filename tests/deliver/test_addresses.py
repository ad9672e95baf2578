"""Recipients are RFC 5322 address lists, parsed and checked; each address gets its own message; the ledger
knows an address whatever its case."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from deliver_helpers import write_config

from generator.cli import main
from generator.deliver.config import load_config
from generator.errors import DeliveryConfigError

ONE_CHART = 'charts = ["core_cpi"]'


def send(archive: Path, config: Path, *args: str) -> int:
    return main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config), *args])


def to_header(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=email.policy.default)["To"])


def test_a_list_in_one_to_is_split_into_recipients(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email=ONE_CHART).path
    assert send(archive, config, "--to", "p@a.example, Quinn Q <q@b.example>") == 0
    got = sorted((r.rcpt_tos, to_header(r.content)) for r in smtp_server.received)
    assert got == [(["p@a.example"], "p@a.example"), (["q@b.example"], "Quinn Q <q@b.example>")]
    out = capsys.readouterr().out
    assert "sent         p@a.example" in out and "sent         Quinn Q <q@b.example>" in out


@pytest.mark.parametrize(
    "value,why",
    [
        ("x@a.example <y@b.example>", "not an email address: 'x@a.example <y@b.example>'"),
        (
            '"x@a.example" <y@b.example>',
            """the name 'x@a.example' in '"x@a.example" <y@b.example>' looks like an address; name the address alone""",
        ),
        ("Jo, Smith <j@x.example>", "not an email address: 'Jo, Smith <j@x.example>'"),
        ("pm@example", "not an email address: 'pm@example'"),
        ("", "no address in ''"),
    ],
)
def test_an_address_that_does_not_parse_cleanly_is_refused(archive, smtp_server, config_for, capsys, value, why) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email=ONE_CHART).path
    assert send(archive, config, "--to", value) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"error: --to: {why}"]
    assert smtp_server.received == [] and smtp_server.handler.rcpt_calls == {}
    assert not (archive / "2026-11-20" / "delivery").exists()


def test_the_ledger_knows_an_address_whatever_its_case(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email=ONE_CHART).path
    assert send(archive, config, "--to", "pm@example.com", "--to", "PM@Example.COM") == 0  # one address, once
    assert send(archive, config, "--to", "PM@EXAMPLE.COM") == 0
    out = capsys.readouterr().out
    assert "already sent PM@EXAMPLE.COM" in out
    assert [r.rcpt_tos for r in smtp_server.received] == [["pm@example.com"]]


def test_configured_recipients_are_parsed_the_same_way(tmp_path: Path) -> None:
    path = write_config(tmp_path, 25)
    text = path.read_text().replace(
        'to = ["pm@example.com", "Risk desk <risk@example.com>", "cio@example.org"]',
        'to = ["pm@example.com, Risk desk <risk@example.com>", "cio@example.org"]',
    )
    path.write_text(text)
    assert load_config(path, env={}).email.to == ["pm@example.com", "Risk desk <risk@example.com>", "cio@example.org"]
    path.write_text(text.replace('"cio@example.org"]', '"PM@EXAMPLE.COM"]'))
    with pytest.raises(DeliveryConfigError, match=r"email\.to: lists the same address twice"):
        load_config(path, env={})
    path.write_text(text.replace('"cio@example.org"]', '"x@a.example <y@b.example>"]'))
    with pytest.raises(DeliveryConfigError, match=r"email\.to: \[1\] not an email address: 'x@a\.example <y@b"):
        load_config(path, env={})
