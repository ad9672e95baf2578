"""The weekly email as a real SMTP server on 127.0.0.1 receives it: parts, bytes, headers, inlined styles."""

from __future__ import annotations

import email
import email.policy
import html
import io
import json
import re
import tomllib
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from deliver_helpers import REPORT, SmtpServer, copy_briefing, write_config
from PIL import Image

from generator.deliver import send_briefing
from generator.deliver.archived import parse_charts
from generator.deliver.config import load_config
from generator.spec import load_spec

DAY = date(2026, 11, 20)


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def structure(part: EmailMessage, depth: int = 0) -> list[str]:
    lines = ["  " * depth + part.get_content_type()]
    if part.is_multipart():
        for sub in part.iter_parts():
            lines += structure(sub, depth + 1)  # type: ignore[arg-type]
    return lines


def img_tags(html: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    class Imgs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                found.append({k: v or "" for k, v in attrs})

    Imgs().feed(html)
    return found


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory, illustrative_briefing):  # type: ignore[no-untyped-def]
    """One send of the (real-marked) briefing to three recipients, shared by the read-only checks below."""
    folder = tmp_path_factory.mktemp("mime")
    archive = folder / "output"
    archive.mkdir()
    copy_briefing(illustrative_briefing.directory, archive, real=True)
    server = SmtpServer()
    try:
        config = load_config(write_config(folder, server.port), env={})
        report = send_briefing(DAY, config, output_dir=archive)
    finally:
        server.stop()
    return archive / "2026-11-20", report, server


def test_each_recipient_gets_one_message_addressed_to_them_alone(delivered) -> None:  # type: ignore[no-untyped-def]
    _, report, server = delivered
    assert [(r.address, r.result) for r in report.results] == [
        ("pm@example.com", "sent"),
        ("Risk desk <risk@example.com>", "sent"),
        ("cio@example.org", "sent"),
    ]
    assert [r.rcpt_tos for r in server.received] == [["pm@example.com"], ["risk@example.com"], ["cio@example.org"]]
    assert {r.mail_from for r in server.received} == {"briefings@example.com"}
    tos = [parse(r.content)["To"] for r in server.received]
    assert tos == ["pm@example.com", "Risk desk <risk@example.com>", "cio@example.org"]
    ids = {parse(r.content)["Message-ID"] for r in server.received}
    assert len(ids) == 3


def test_mime_structure_and_pdf_attachment(delivered) -> None:  # type: ignore[no-untyped-def]
    folder, _, server = delivered
    msg = parse(server.received[0].content)
    charts, _ = parse_charts((folder / "briefing.html").read_text())
    spec = load_spec(folder / "report.toml").spec
    assert [c.id for c in charts] == [c for section in spec.sections for c in section.charts]
    assert structure(msg) == [
        "multipart/mixed",
        "  multipart/alternative",
        "    text/plain",
        "    multipart/related",
        "      text/html",
        *["      image/png"] * len(charts),
        "  application/pdf",
    ]
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "small-cap-rotation-2026-11-20.pdf"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_payload(decode=True) == (folder / "briefing.pdf").read_bytes()


def test_headers(delivered) -> None:  # type: ignore[no-untyped-def]
    folder, _, server = delivered
    msg = parse(server.received[0].content)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["stance"]["label"] in ("Supportive", "Mixed", "Fragile")
    assert msg["Subject"] == f"US Small-Cap Rotation Monitor - 2026-11-20 - stance: {manifest['stance']['label']}"
    assert msg["From"] == "Macro strategy <briefings@example.com>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Briefing-Date"] == "2026-11-20"
    assert msg["X-Briefing-Illustrative"] is None
    assert msg["MIME-Version"] == "1.0"
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert parseaddr(msg["Message-ID"])[1].endswith("@example.com")


def test_html_part_has_inlined_styles_and_cid_charts(delivered) -> None:  # type: ignore[no-untyped-def]
    folder, _, server = delivered
    msg = parse(server.received[0].content)
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    # Styles live in style attributes (values from templates/email.css); only @media is left in a <style>.
    assert re.search(r'<h1 style="[^"]*color: #0B3C5D', html)
    assert re.search(r'<span class="light light-(green|amber|red|unknown)" style="[^"]*background: #', html)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles and all(s.strip().startswith("@media") for s in styles)
    assert "<link" not in html and "<script" not in html and "<svg" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    # Every chart: an <img src="cid:..."> with the archived alt text, backed by a PNG part with that Content-ID.
    charts, _ = parse_charts((folder / "briefing.html").read_text())
    images = [(a["src"].removeprefix("cid:"), a["alt"]) for a in img_tags(html)]
    assert all(a["src"].startswith("cid:") and "width: 100%" in a["style"] for a in img_tags(html))
    assert [alt for _, alt in images] == [c.alt for c in charts]
    assert all(len(c.alt) > 40 and "Latest:" in c.alt for c in charts)
    related = msg.get_body(("related",))
    pngs = {p["Content-ID"].strip("<> "): p for p in related.iter_parts() if p.get_content_type() == "image/png"}  # type: ignore[union-attr]
    assert set(pngs) == {cid for cid, _ in images}
    for (cid, _), chart in zip(images, charts, strict=True):
        # Twice the SVG's own size in CSS pixels (1 pt = 4/3 px): sharp on high-density screens.
        w_pt, h_pt = (float(x) for x in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', chart.svg).groups())  # type: ignore[union-attr]
        with Image.open(io.BytesIO(pngs[cid].get_payload(decode=True))) as im:
            assert im.format == "PNG"
            assert abs(im.width - 2 * w_pt * 4 / 3) <= 2 and abs(im.height - 2 * h_pt * 4 / 3) <= 2
    # The scorecard is a table with one row per flag of the manifest, in order, with its state.
    manifest = json.loads((folder / "manifest.json").read_text())
    rows = re.findall(r"<tr><td[^>]*>([^<]+)<br>.*?<span class=\"light light-(\w+)\"", html, re.S)
    assert rows == [(f["label"], f["state"]) for f in manifest["flags"].values()]


def test_plain_text_alternative(delivered) -> None:  # type: ignore[no-untyped-def]
    folder, _, server = delivered
    msg = parse(server.received[0].content)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert f"Overall stance: {manifest['stance']['label'].upper()}" in text
    credit = manifest["flags"]["credit_stress"]
    hy = manifest["indicators"][credit["indicator"]]
    # The first condition of the rule (reports/small_cap_rotation.toml: amber 450, red 600, then 2 more conditions).
    rule = tomllib.loads(REPORT.read_text())["flags"]["credit_stress"]
    assert (rule["amber"], rule["red"], len(rule["conditions"]), rule["combine"]) == (450, 600, 2, "any")
    assert (
        f"[{credit['state'].upper():<7}] Credit and liquidity stress (risk flag): {hy['formatted']} {hy['unit']}; "
        "thresholds amber >= 450, red >= 600 · or 2 more"
    ) in text
    assert "attached as small-cap-rotation-2026-11-20.pdf" in text
    assert "S&P 500" in text and "&amp;" not in text  # plain text is not HTML-escaped
    assert "ILLUSTRATIVE" not in text  # no banner: the manifest says real data


def test_dry_run_writes_the_exact_messages_and_sends_nothing(archive: Path, smtp_server, config_for) -> None:  # type: ignore[no-untyped-def]
    config = config_for(smtp_server.port)
    report = send_briefing(DAY, config, output_dir=archive, dry_run=True)
    folder = archive / "2026-11-20" / "delivery" / "dry-run"
    assert sorted(p.name for p in folder.iterdir()) == [
        "cio@example.org.eml",
        "pm@example.com.eml",
        "risk@example.com.eml",
    ]
    assert [r.result for r in report.results] == ["dry run"] * 3
    assert smtp_server.received == []
    assert not (archive / "2026-11-20" / "delivery" / "ledger.jsonl").exists()
    msg = parse((folder / "risk@example.com.eml").read_bytes())
    assert msg["To"] == "Risk desk <risk@example.com>"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_payload(decode=True) == (archive / "2026-11-20" / "briefing.pdf").read_bytes()
    # The .eml is what goes on the wire: CRLF line ends, as SMTP sends it.
    assert b"\r\n" in (folder / "risk@example.com.eml").read_bytes()[:200]


def test_chart_titles_are_the_charts_own_titles(delivered) -> None:  # type: ignore[no-untyped-def]
    folder, _, _ = delivered
    html_text = (folder / "briefing.html").read_text()
    charts, _ = parse_charts(html_text)
    # The caption also carries "Chart 1.1" and a subtitle; the email's title is the title span alone.
    spans = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", t)).split())
        for t in re.findall(r'<span class="chart-title">(.*?)</span>', html_text, re.S)
    ]
    assert [c.title for c in charts] == spans[: len(charts)]
    assert all(not c.title.startswith("Chart ") for c in charts)


def test_the_email_leads_with_the_reading_what_changed_and_what_to_watch(delivered) -> None:  # type: ignore[no-untyped-def]
    folder, _, server = delivered
    msg = parse(server.received[0].content)
    dashboard = json.loads((folder / "manifest.json").read_text())["dashboard"]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    body = " ".join(text.split())
    reading, changed, watch, scorecard = (body.index(h) for h in ("THE READING", "WHAT CHANGED", "WHAT TO WATCH",
                                                                   "SCORECARD"))
    assert reading < changed < watch < scorecard, "the reading, what changed and what to watch come first"
    for sentence in dashboard["reading"]:
        assert " ".join(sentence.split()) in body
    for line in dashboard["watch"]:
        assert " ".join(line.split()) in body
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", msg.get_body(("html",)).get_content())).split())  # type: ignore[union-attr]
    assert page.index("The reading") < page.index("What changed") < page.index("What to watch") < page.index("Scorecard")
    assert " ".join(dashboard["reading"][0].split()) in page
