"""A chart the delivery configuration names but a briefing lacks (not drawn for want of data) is left out of
the email with a note; a chart no definition declares is still a configuration error."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import re
from pathlib import Path

from generator.cli import main


def drop_chart(folder: Path, chart: str) -> None:
    """The briefing as built without ``chart``: its figure gone from the HTML, and the manifest's hash updated."""
    path = folder / "briefing.html"
    html, n = re.subn(rf'<figure class="chart" id="chart-{chart}">.*?</figure>', "", path.read_text(), flags=re.S)
    assert n == 1
    path.write_text(html)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["briefing.html"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def test_a_chart_the_briefing_lacks_is_left_out_with_a_note(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    drop_chart(archive / "2026-11-20", "rates")
    config = config_for(smtp_server.port, email='charts = ["rates", "core_cpi"]').path
    args = ["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config), "--to", "pm@example.com"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert (
        "note: chart 'rates' (email.charts) is not in the 2026-11-20 briefing, which was built without it "
        "(for want of data): left out of the email"
    ) in out
    [received] = smtp_server.received
    msg = email.message_from_bytes(received.content, policy=email.policy.default)
    images = [p.get_filename() for p in msg.walk() if p.get_content_type() == "image/png"]
    assert images == ["core_cpi.png"]


def test_a_chart_no_definition_declares_is_a_configuration_error(archive, smtp_server, config_for, capsys) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port, email='charts = ["core_cpi", "ratez"]').path
    assert main(["send", "--date", "2026-11-20", "--output", str(archive), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "error: email.charts: the report definition of the 2026-11-20 briefing has no chart 'ratez' (it has: "
        "iwm_spy_ratio, mag7_vs_rsp, rates, core_cpi, credit_vol, sectors, industry, reshoring)"
    )
    assert smtp_server.received == []
