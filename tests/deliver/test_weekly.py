"""``briefing weekly``: build, gate, send; a re-run resumes without rebuilding or resending; exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from deliver_helpers import write_config

from generator.cli import main


def test_broken_configuration_fails_before_building(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "delivery.toml"
    bad.write_text('[email]\nfrom = "a@example.com"\n[smtp]\nhost = "h"\ntls = "ssl"\n')
    code = main(["weekly", "--date", "2026-11-20", "--output", str(tmp_path / "out"), "--config", str(bad)])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.strip() == f"error: {bad}: smtp.tls: expected one of 'starttls', 'tls' or 'none', got 'ssl'"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_weekly_builds_refuses_illustrative_then_resumes(tmp_path: Path, smtp_server, capsys) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, smtp_server.port, email='charts = ["core_cpi"]')
    out = tmp_path / "out"
    args = ["weekly", "--date", "2026-11-20", "--source", "illustrative", "--output", str(out), "--config", str(config)]

    # Built on synthetic data: archived, but not emailed (exit 3).
    assert main(args) == 3
    _, err = capsys.readouterr()
    assert "built on illustrative data (not market data): refusing to email it" in err
    assert (out / "2026-11-20" / "briefing.pdf").is_file()
    assert smtp_server.received == []

    # The same run with the override: the archived briefing is reused (not rebuilt) and sent.
    generated = (out / "2026-11-20" / "manifest.json").read_text()
    assert main([*args, "--allow-illustrative"]) == 0
    stdout, _ = capsys.readouterr()
    assert "Briefing 2026-11-20 already built" in stdout
    assert (out / "2026-11-20" / "manifest.json").read_text() == generated
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        "cio@example.org",
        "pm@example.com",
        "risk@example.com",
    ]

    # A scheduler firing again sends nothing twice.
    assert main([*args, "--allow-illustrative"]) == 0
    stdout, _ = capsys.readouterr()
    assert stdout.count("already sent") == 3
    assert len(smtp_server.received) == 3
