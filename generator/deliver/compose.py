"""Compose the weekly email from an archived briefing.

One message per recipient, all with the same content::

    multipart/mixed
      multipart/alternative
        text/plain                      the summary as text
        multipart/related
          text/html                     the summary, CSS inlined into style attributes
          image/png (Content-ID) ...    the key charts, rasterized from the archived SVG
      application/pdf                   the archived PDF, byte for byte, with a dated file name

Most mail clients show no SVG and strip ``<style>``, so the charts become PNG
images referenced as ``cid:`` (never fetched from the network) and every style
is inlined with css-inline. The body is a summary (stance, scorecard, key
charts, data quality); the whole briefing is the attachment.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.deliver.archived import ArchivedBriefing, ArchivedChart, archived_definition
from generator.deliver.config import EmailSettings
from generator.errors import DeliveryConfigError
from generator.render.context import ILLUSTRATIVE_MARK
from generator.render.html import TEMPLATES_DIR
from generator.version import __version__

# Twice the display width, so charts stay sharp on high-density screens.
PNG_SCALE = 2.0
DISPLAY_WIDTH = 592
MAX_QUALITY_LINES = 8  # an email summarises; the PDF's data-quality box has them all


@dataclass(frozen=True)
class ScoreRow:
    label: str
    kind: str
    state: str
    value: str
    thresholds: str


@dataclass(frozen=True)
class InlineChart:
    id: str
    cid: str  # without angle brackets, as used in ``src="cid:..."``
    title: str
    alt: str
    source_line: str
    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class EmailView:
    """Everything the email templates show; decided here so templates only format."""

    subject: str
    title: str
    date: str
    data_as_of: str | None
    stance: str
    stance_reasons: list[str]
    illustrative: bool
    illustrative_mark: str
    overrides: list[str]
    scorecard: list[ScoreRow]
    charts: list[InlineChart]
    quality: list[str]
    disclaimer: str
    attachment_name: str
    generated_at: str
    version: str
    omitted: list[str] = field(default_factory=list)  # charts asked for that the briefing lacks, why in words
    reading: list[str] = field(default_factory=list)  # page 1's reading, what changed and what to watch
    evidence: str = ""
    compared_what: str = ""
    changed: list[str] = field(default_factory=list)
    watch: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EmailBodies:
    view: EmailView
    html: str
    text: str


def rasterize(svg: str, scale: float = PNG_SCALE, colours: int = 128) -> bytes:
    """SVG markup to a palette PNG: cairosvg draws it (external references are not followed, data: URLs only),
    Pillow flattens it on white and reduces it to ``colours`` colours, about a third of the RGBA size with
    no visible change for line charts (the email carries four of them)."""
    import io

    from cairosvg.surface import PNGSurface
    from cairosvg.url import safe_fetch
    from PIL import Image

    drawn = PNGSurface.convert(bytestring=svg.encode("utf-8"), scale=scale, url_fetcher=safe_fetch)
    assert isinstance(drawn, bytes)
    with Image.open(io.BytesIO(drawn)) as image:
        rgba = image.convert("RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    out = io.BytesIO()
    flat.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True
    )
    return out.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR)."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "macro-briefing.invalid"


def _inline_chart(chart: ArchivedChart, domain: str) -> InlineChart:
    png = rasterize(chart.svg)
    w, h = png_size(png)
    width = min(DISPLAY_WIDTH, round(w / PNG_SCALE))
    return InlineChart(
        id=chart.id,
        cid=make_msgid(idstring=f"chart-{chart.id}", domain=domain)[1:-1],
        title=chart.title,
        alt=chart.alt,
        source_line=chart.source_line,
        png=png,
        width=width,
        height=round(h * width / w),
    )


def short_thresholds(text: str) -> str:
    """The first condition of a flag's rule, without its label and hysteresis, and how many more there are.

    ``"Core CPI, year over year: amber >= 3, red >= 3.5 (hysteresis 0.2) OR Core CPI, 3 months annualized: ..."``
    becomes ``"amber >= 3, red >= 3.5 · or 1 more"``: the email summarises, the PDF's appendix has the rule.
    """
    parts = re.split(r" (OR|AND) ", text)
    first = re.sub(r"\s*\(hysteresis [^)]*\)", "", parts[0])
    first = re.sub(r"^.*?:\s+(?=(amber|red|green)\b)", "", first)
    more = len(parts[2::2])
    return f"{first} · {parts[1].lower()} {more} more" if more else first


def _scorecard(manifest: dict[str, Any]) -> list[ScoreRow]:
    indicators = manifest.get("indicators", {})
    rows = []
    for flag in manifest.get("flags", {}).values():
        ind = indicators.get(flag.get("indicator"), {})
        if flag.get("value") is None:
            value = "no data"
        else:
            value = ind.get("formatted") or f"{flag['value']:,.2f}"
            if ind.get("unit"):
                value = f"{value} {ind['unit']}"
        kind = "risk flag" if flag.get("kind") == "risk" else "supportive signal"
        thresholds = short_thresholds(flag.get("thresholds", ""))
        state = flag.get("state", "unknown")
        if flag.get("stale_as_of"):  # an out-of-date input: shown as stale with its date, never as a state
            state, value = "stale", f"{value} (as of {flag['stale_as_of']})"
        rows.append(ScoreRow(flag.get("label", "?"), kind, state, value, thresholds))
    return rows


def _dashboard(manifest: dict[str, Any]) -> dict[str, Any]:
    """Page 1 as the email leads with it: the reading, what changed, what to watch (empty for older briefings)."""
    d = manifest.get("dashboard") or {}
    changed = [*d.get("flag_changes", []), *(m["text"] for m in d.get("moves", [])), *d.get("releases", [])]
    watch = [*d.get("watch", []), *([d["watch_note"]] if d.get("watch_note") else [])]
    return {"reading": list(d.get("reading", [])), "evidence": d.get("evidence", ""),
            "compared_what": d.get("compared_what", ""), "changed": changed, "watch": watch}


def subject_for(briefing: ArchivedBriefing, settings: EmailSettings) -> str:
    m = briefing.manifest
    subject = settings.subject.format(
        title=briefing.title, date=briefing.date.isoformat(), stance=briefing.stance, data_as_of=m.get("data_as_of")
    )
    # Synthetic numbers must never pass for market data, not even in an inbox listing.
    return f"[{ILLUSTRATIVE_MARK}] {subject}" if briefing.illustrative else subject


def attachment_name(briefing: ArchivedBriefing, settings: EmailSettings) -> str:
    """The delivery configuration's name, else the one the report declares, else ``REPORT-DATE.pdf``."""
    day = briefing.date.isoformat()
    if settings.attachment_name is not None:
        return settings.attachment_name.format(date=day)
    loaded = archived_definition(briefing)
    if loaded is not None:
        return loaded.spec.report.attachment_name.format(report=loaded.spec.report.id, date=day)
    return f"briefing-{day}.pdf"


def _chosen_charts(briefing: ArchivedBriefing, settings: EmailSettings) -> tuple[list[ArchivedChart], list[str]]:
    """The charts the email shows, and a note for each one asked for that this briefing was built without.

    A chart id the briefing's own definition does not declare is a mistake in the configuration; one it
    declares but did not draw (its data were missing) only leaves the email one chart shorter.
    """
    by_id = {c.id: c for c in briefing.charts}
    if settings.charts is None:
        return briefing.charts, []
    loaded = archived_definition(briefing)
    declared = list(loaded.spec.charts) if loaded is not None else None
    unknown = [c for c in settings.charts if c not in by_id and declared is not None and c not in declared]
    if unknown:
        raise DeliveryConfigError(
            f"email.charts: the report definition of the {briefing.date} briefing has no chart '{unknown[0]}' "
            f"(it has: {', '.join(declared or []) or 'none'})"
        )
    omitted = [
        f"chart '{c}' (email.charts) is not in the {briefing.date} briefing, which was built without it "
        "(for want of data): left out of the email"
        for c in settings.charts
        if c not in by_id
    ]
    return [by_id[c] for c in settings.charts if c in by_id], omitted


def build_view(briefing: ArchivedBriefing, settings: EmailSettings, overrides: list[str]) -> EmailView:
    m = briefing.manifest
    chosen, omitted = _chosen_charts(briefing, settings)
    domain = _domain(settings.sender)
    quality = [
        # a note on several series says which in its message ("... (all 33 yahoo series)"); one series leads with its id
        q.get("message") if q.get("series") == "*" else f"{q.get('series')}: {q.get('message')}"
        for q in m.get("data_quality", [])
        if q.get("level") in ("warning", "error")
    ]
    if len(quality) > MAX_QUALITY_LINES:
        rest = len(quality) - MAX_QUALITY_LINES + 1
        quality = [*quality[: MAX_QUALITY_LINES - 1], f"and {rest} more: see the data-quality box of the PDF"]
    return EmailView(
        subject=subject_for(briefing, settings),
        title=briefing.title,
        date=briefing.date.isoformat(),
        data_as_of=m.get("data_as_of"),
        stance=briefing.stance,
        stance_reasons=list(m.get("stance", {}).get("reasons", [])),
        illustrative=briefing.illustrative,
        illustrative_mark=ILLUSTRATIVE_MARK,
        overrides=[o for o in overrides if o != "built on illustrative data"],
        scorecard=_scorecard(m),
        charts=[_inline_chart(c, domain) for c in chosen],
        omitted=omitted,
        quality=quality,
        disclaimer=briefing.disclaimer,
        attachment_name=attachment_name(briefing, settings),
        generated_at=str(m.get("generated_at", "")),
        version=str(m.get("generator_version", __version__)),
        **_dashboard(m),
    )


@lru_cache(maxsize=2)
def _environment(templates_dir: Path) -> Environment:
    # HTML templates are autoescaped; the plain-text part must not be (it would show "&amp;").
    return Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), disabled_extensions=("txt.j2",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_bodies(view: EmailView, templates_dir: Path = TEMPLATES_DIR) -> EmailBodies:
    """The HTML part (styles inlined) and the plain-text part."""
    import css_inline

    env = _environment(templates_dir)
    html = env.get_template("email.html.j2").render(e=view)
    css = (templates_dir / "email.css").read_text(encoding="utf-8")
    # keep_at_rules leaves the @media rules (small screens) in a <style> block; all else becomes style="...".
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, extra_css=css)
    text = env.get_template("email.txt.j2").render(e=view)
    return EmailBodies(view=view, html=inliner.inline(html), text=text)


def compose(
    briefing: ArchivedBriefing,
    bodies: EmailBodies,
    settings: EmailSettings,
    recipient: str,
    now: datetime | None = None,
) -> EmailMessage:
    """The message for one recipient (``To`` is that recipient alone)."""
    view = bodies.view
    msg = EmailMessage()
    msg["Subject"] = view.subject
    msg["From"] = settings.sender
    msg["To"] = recipient
    if settings.reply_to:
        msg["Reply-To"] = settings.reply_to
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring=f"briefing-{briefing.date}", domain=_domain(settings.sender))
    # Tell vacation responders and mailing-list software this is a machine-sent report.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Briefing-Date"] = briefing.date.isoformat()
    if briefing.illustrative:
        msg["X-Briefing-Illustrative"] = "yes"
    msg.set_content(bodies.text, subtype="plain", charset="utf-8")
    msg.add_alternative(bodies.html, subtype="html", charset="utf-8")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for chart in view.charts:
        html_part.add_related(
            chart.png,
            maintype="image",
            subtype="png",
            cid=f"<{chart.cid}>",
            filename=f"{chart.id}.png",
            disposition="inline",
        )
    msg.add_attachment(briefing.pdf, maintype="application", subtype="pdf", filename=view.attachment_name)
    return msg
