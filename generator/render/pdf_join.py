"""Join the PDFs of a document's parts into one, as the single pass would have written it (pikepdf).

The first part is written complete (metadata, XMP, output intent, embedded
files) and the others' pages are appended to it. What WeasyPrint writes for
the document as a whole is then rebuilt over all the pages:

* the named destinations (``/Dests``), which the links (``/Dest (name)``) and
  readers use: each name is taken from the part that holds the anchor;
* the outline (bookmarks), built from every part's headings with WeasyPrint's
  own tree builder, so levels nest across the join as they do in one pass.

Each part embeds its own subsets of the fonts, under the tag WeasyPrint derives
from the font alone; the later parts' subsets are retagged so that no two
different subsets share a name.
"""

from __future__ import annotations

import hashlib
import io
import string
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

# A heading on a page: (level, label, (x, y) in CSS pixels from the top left, "open" or "closed").
Bookmark = tuple[int, str, tuple[float, float], str]

_SCALE = 0.75  # PDF points per CSS pixel, as WeasyPrint writes them


@dataclass(frozen=True)
class PartPdf:
    """One part as written: its PDF, the anchors it holds (name -> page index in the part), and per page its
    height in CSS pixels and its headings."""

    pdf: bytes
    anchors: dict[str, int]
    heights: tuple[float, ...]
    bookmarks: tuple[tuple[Bookmark, ...], ...]


def join(parts: Sequence[PartPdf]) -> bytes:
    import pikepdf

    pdfs = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    base = pdfs[0]
    destinations: list[tuple[str, int, tuple[Any, Any]]] = []
    offset = 0
    for pdf, part in zip(pdfs, parts, strict=True):
        if len(pdf.pages) != len(part.heights):
            raise ValueError(f"a part has {len(pdf.pages)} pages but reported {len(part.heights)}")
        destinations.extend((name, offset + page, xyz) for name, (page, xyz) in _destinations(pdf, part).items())
        offset += len(pdf.pages)
    for rank, pdf in enumerate(pdfs[1:], start=1):
        _retag_fonts(pdf, rank)
        with warnings.catch_warnings():
            # pikepdf warns that extend() leaves the named destinations and the outline behind: they are
            # rebuilt below for the whole document (its add_pages_from would rename colliding names instead).
            warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", UserWarning))
            base.pages.extend(pdf.pages)

    names = base.Root.get("/Names")
    if names is None:
        names = base.Root.Names = pikepdf.Dictionary()
    array = pikepdf.Array()
    for name, page, (x, y) in sorted(destinations):
        array.append(pikepdf.String(name))
        array.append(pikepdf.Array([base.pages[page].obj, pikepdf.Name.XYZ, x, y, 0]))
    if len(array):
        names.Dests = base.make_indirect(pikepdf.Dictionary(Names=array))
    elif "/Dests" in names:
        del names.Dests

    if "/Outlines" in base.Root:
        del base.Root.Outlines
    _write_outline(base, _bookmark_tree(parts))

    out = io.BytesIO()
    # The XMP is the first part's, written for the whole document: leave it as it is.
    base.save(out, fix_metadata_version=False)
    for pdf in pdfs:
        pdf.close()
    return out.getvalue()


def _destinations(pdf: Any, part: PartPdf) -> dict[str, tuple[int, tuple[Any, Any]]]:
    """The part's own anchors: name -> (page index in the part, (x, y) as written)."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    found = {}
    for name, target in pikepdf.NameTree(names.Dests).items():
        if name in part.anchors:
            page = index[target[0].objgen]
            if page != part.anchors[name]:
                raise ValueError(f"anchor {name!r} is on page {page} of its part, reported on {part.anchors[name]}")
            found[name] = (page, (target[2], target[3]))
    return found


def _bookmark_tree(parts: Sequence[PartPdf]) -> list[Any]:
    """WeasyPrint's outline tree for all the pages: (label, (page, x, y), children, state)."""
    from weasyprint.document import Document

    pages = [
        SimpleNamespace(height=height, bookmarks=list(marks))
        for part in parts
        for height, marks in zip(part.heights, part.bookmarks, strict=True)
    ]
    tree: list[Any] = Document.make_bookmark_tree(SimpleNamespace(pages=pages), _SCALE, True)
    return tree


def _write_outline(pdf: Any, tree: list[Any]) -> None:
    """The outline dictionaries, as WeasyPrint's ``add_outlines`` writes them."""
    import pikepdf

    def add(items: list[Any], parent: Any) -> tuple[list[Any], int]:
        count = len(items)
        made: list[Any] = []
        for title, (page, x, y), children, state in items:
            outline = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0]),
                Parent=parent,
            ))
            kids, kids_count = add(children, outline)
            outline.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                outline.Prev = made[-1]
                made[-1].Next = outline
            if kids:
                outline.First, outline.Last = kids[0], kids[-1]
            made.append(outline)
        return made, count

    if not tree:
        return
    root = pdf.make_indirect(pikepdf.Dictionary())
    made, count = add(tree, root)
    root.Count, root.First, root.Last = count, made[0], made[-1]
    pdf.Root.Outlines = root


def _retag_fonts(pdf: Any, rank: int) -> None:
    """Give the subsets of part ``rank`` tags of their own (``ABCDEF+Name``: the six letters name the subset)."""
    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            value = obj.get(key)
            if isinstance(value, pikepdf.Name) and len(str(value)) > 8 and str(value)[7] == "+":
                tag, rest = str(value)[1:7], str(value)[8:]
                obj[key] = pikepdf.Name("/" + _tag(f"{tag}:{rank}") + "+" + rest)


def _tag(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(string.ascii_uppercase[b % 26] for b in digest[:6])
