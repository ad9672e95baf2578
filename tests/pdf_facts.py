"""What a reader and an archive see in a PDF, read back with pypdf: for comparing two PDFs of one document."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader


@dataclass(frozen=True)
class PdfFacts:
    texts: list[str]  # per page, whitespace normalised
    destinations: dict[str, int]  # named destination -> page (0-based)
    links: list[tuple[int, str, tuple[float, ...], int]]  # (page, /Dest name, rectangle, flags) of internal links
    uris: list[tuple[int, str, int]]
    outline: list[Any]  # nested lists of (title, page, left, top)
    attachments: dict[str, bytes]
    relationships: dict[str, str]
    xmp: str  # with the modification and metadata dates masked (the time of writing)
    info: dict[str, str]  # likewise
    header: str
    fonts: set[str]  # embedded font names without the subset tag


def facts(pdf: bytes) -> PdfFacts:
    reader = PdfReader(io.BytesIO(pdf))
    links, uris, fonts = [], [], set()
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            assert annotation["/Subtype"] == "/Link"
            flags = int(annotation.get("/F", 0))  # PDF/A: 4, printed
            if "/Dest" in annotation:
                rect = tuple(round(float(v), 2) for v in annotation["/Rect"])
                links.append((number, str(annotation["/Dest"]), rect, flags))
            else:
                uris.append((number, str(annotation["/A"]["/URI"]), flags))
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode() if "/Metadata" in root else ""
    relationships = {str(s.get_object()["/F"]): str(s.get_object()["/AFRelationship"]) for s in root.get("/AF", [])}
    info = {k: str(v) for k, v in (reader.metadata or {}).items() if k != "/ModDate"}
    return PdfFacts(
        texts=[" ".join(page.extract_text().split()) for page in reader.pages],
        destinations={k: reader.get_destination_page_number(v) for k, v in reader.named_destinations.items()},
        links=links,
        uris=uris,
        outline=_outline(reader, reader.outline),
        attachments={name: data[0] for name, data in reader.attachments.items()},
        relationships=relationships,
        # The times of writing (a PDF laid out later differs only there).
        xmp=re.sub(r"<xmp:(ModifyDate|MetadataDate)>[^<]*</xmp:\1>", r"<xmp:\1/>", xmp),
        info=info,
        header=reader.pdf_header,
        fonts=fonts,
    )


def _outline(reader: PdfReader, items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.append(_outline(reader, item))
        else:
            out.append((item.title, reader.get_destination_page_number(item), round(float(item.left), 2),
                        round(float(item.top), 2)))
    return out
