"""The archived PDF is a complete record: PDF/A-3b with the manifest, snapshot and definition embedded."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader


def test_pdf_is_pdfa3b_with_embedded_record(illustrative_briefing) -> None:  # type: ignore[no-untyped-def]
    d = illustrative_briefing.directory
    reader = PdfReader(io.BytesIO((d / "briefing.pdf").read_bytes()))
    assert reader.pdf_header == "%PDF-1.7"
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"

    meta = reader.metadata
    assert meta.title == "US Small-Cap Rotation Monitor - 2026-11-20"
    assert meta.author == "macro-briefing"
    assert meta["/Creator"].startswith("macro-briefing ")

    attached = {name: data[0] for name, data in reader.attachments.items()}
    assert sorted(attached) == ["manifest.json", "report.toml", "snapshot.parquet"]
    assert attached["snapshot.parquet"] == (d / "snapshot.parquet").read_bytes()
    assert attached["report.toml"] == (d / "report.toml").read_bytes()
    embedded = json.loads(attached["manifest.json"])
    on_disk = json.loads((d / "manifest.json").read_text())
    # the PDF can hold neither its own hash nor its own state (added to the manifest after it); everything else
    # is the same record
    assert embedded["files"] == {k: v for k, v in on_disk["files"].items() if k != "briefing.pdf"}
    assert embedded["pdf"] is None and on_disk["pdf"]["state"] == "rendered"
    own = ("files", "pdf")
    assert {k: v for k, v in embedded.items() if k not in own} == {k: v for k, v in on_disk.items() if k not in own}
    relationships = {}
    for spec in root["/AF"]:
        spec = spec.get_object()
        relationships[spec["/F"]] = spec["/AFRelationship"]
    assert relationships == {"manifest.json": "/Data", "snapshot.parquet": "/Source", "report.toml": "/Source"}
