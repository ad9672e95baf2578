"""What two PDFs of one briefing must share: pages, text, outline, links, attachments, metadata but its dates."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

# The PDF's own times: when it was laid out (the modification date, in the info dictionary and the XMP packet).
_DATES = re.compile(rb"<xmp:(ModifyDate|MetadataDate)>[^<]*</xmp:\1>")


def _outline(items: list[Any], reader: PdfReader) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.append(_outline(item, reader))
        else:
            out.append((item.title, reader.get_destination_page_number(item)))
    return out


def pdf_facts(data: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(data))
    info = {k: v for k, v in (reader.metadata or {}).items() if k not in ("/ModDate",)}
    xmp = reader.trailer["/Root"].get("/Metadata")
    links = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if a.get("/Subtype") == "/Link":
                target = a.get("/Dest") or (a.get("/A") or {}).get("/D") or (a.get("/A") or {}).get("/URI")
                links.append((number, str(target)))
    return {
        "pages": len(reader.pages),
        "text": [page.extract_text() for page in reader.pages],
        "info": info,
        "xmp": _DATES.sub(b"", xmp.get_object().get_data()) if xmp is not None else None,
        "attachments": {name: list(content) for name, content in reader.attachments.items()},
        "outline": _outline(reader.outline, reader),
        "links": links,
    }
