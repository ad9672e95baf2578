"""Regenerate the README's pictures of a briefing (``make docs-images``).

Builds the illustrative briefing for a fixed date in a temporary folder, then
writes ``docs/images/``: PDF pages 1 and 2 (``pdftoppm`` from poppler-utils)
and the HTML at phone width (headless Chromium). The pictures are documentation
and are committed; the briefing they come from is thrown away.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator import build_briefing  # noqa: E402
from generator.render.chromium import chromium  # noqa: E402

DAY = date(2026, 11, 20)
OUT = REPO / "docs" / "images"
PHONE = (390, 1500)  # CSS px: an iPhone-width screen, cover to the start of the summary


def pdf_pages(pdf: Path, out: Path) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is missing: apt-get install poppler-utils")
    written = []
    for page in (1, 2):
        target = out / f"briefing-page-{page}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(target)],
            check=True,
        )
        written.append(target.with_suffix(".png"))
    return written


def phone_screenshot(html: Path, out: Path) -> Path:
    with chromium() as browser:
        page = browser.new_page()
        page.open(html, PHONE[0], height=PHONE[1], scale=2.0, javascript=False)
        png = page.screenshot(*PHONE, scale=2.0)
    target = out / "briefing-phone.png"
    target.write_bytes(png)
    return target


def compact(path: Path) -> None:
    """Fewer colours, same look: the pictures are flat text and lines, so 128 colours lose nothing visible."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = build_briefing(DAY, source="illustrative", output_dir=tmp, report=REPO / "reports" / "small_cap_rotation.toml")
        written = [*pdf_pages(result.files["briefing.pdf"], OUT), phone_screenshot(result.files["briefing.html"], OUT)]
    for path in written:
        compact(path)
        print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
