"""The signature-mark protocol, one module for the whole way: a template's
``{{ signature('doc', 'who') }}`` tag prints a mark; the mark becomes an empty Word bookmark;
LibreOffice exports it as a named destination; its page and position in the PDF (``find_marks``)
place an empty signature field there (``places_for``), and the assembly drops the bookmarks
(``is_signature_bookmark``). Nothing of it is seen, copied or read aloud.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

from pypdf import PdfReader

# what signature('doc', 'who') prints: replaced after filling by an empty Word bookmark, which
# LibreOffice exports as a named destination (page, position) and which nobody sees or copies
SIGNATURE_MARK = "§SIG:{}§"
MARK = re.compile(r"§SIG:([A-Za-z0-9_-]+)§")


@dataclass(frozen=True)
class SignatureSpot:
    """Who signs which document: the field name is '<document>-<who>'."""

    document: str
    who: str

    @property
    def field_name(self) -> str:
        return f"{self.document}-{self.who}"

    @property
    def mark(self) -> str:
        return SIGNATURE_MARK.format(self.field_name)


BOOKMARK_PREFIX = "Signature"


def bookmark_name(field_name: str) -> str:
    """The bookmark of a signature block: letters only, as Word and LibreOffice both keep them
    ('pv-copil-metropole' → 'SignaturePvCopilMetropole')."""
    return BOOKMARK_PREFIX + "".join(part.capitalize() for part in re.split(r"[-_]", field_name))


def is_signature_bookmark(name: str) -> bool:
    """Whether a bookmark (or the PDF destination it became, « /Signature… ») marks a signature block."""
    return name.lstrip("/").startswith(BOOKMARK_PREFIX)


def signature_bookmarks(document) -> None:
    """Replace each signature mark of a filled document by an empty bookmark at the same place."""
    # lazy: python-docx (~0.1 s); marks is on status's path
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = document.element.body
    ids = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart")) if (b.get(qn("w:id")) or "").isdigit()]
    next_id = max(ids, default=0) + 1
    for text in list(body.iter(qn("w:t"))):
        names = MARK.findall(text.text or "")
        if not names:
            continue
        text.text = MARK.sub("", text.text)
        run = text.getparent()
        for name in names:
            start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
            start.set(qn("w:id"), str(next_id))
            start.set(qn("w:name"), bookmark_name(name))
            end.set(qn("w:id"), str(next_id))
            run.addprevious(start)
            run.addprevious(end)
            next_id += 1


def make_signature(spots: list[SignatureSpot]) -> Callable[[str, str], str]:
    """The ``signature(document, who)`` function templates call where someone signs."""

    def signature(document: str, who: str) -> str:
        spot = SignatureSpot(str(document), str(who))
        spots.append(spot)  # every call, so that a block written twice is caught
        return spot.mark

    return signature


FIELD_WIDTH = 215.0
FIELD_HEIGHT = 58.0


class Mark(NamedTuple):
    """A signature block found in a rendered document: its field's name, its page (0-based)
    and the top left of the block, in points."""

    field: str
    page: int
    x: float
    y: float


@dataclass(frozen=True)
class FieldPlace:
    """An empty signature field: its name, tooltip, page (0-based) and box in points."""

    name: str
    label: str
    page: int
    box: tuple[float, float, float, float]


def find_marks(pdf: Path, expected: set[str]) -> list[Mark]:
    """The ``expected`` signature blocks of a rendered document, in reading order.

    Each block carries an empty bookmark (``signature_bookmarks``), which LibreOffice
    exports as a named destination: its page and position, read without extracting text.
    """
    reader = PdfReader(pdf)
    wanted = {"/" + bookmark_name(name): name for name in expected}
    found = []
    for dest_name, dest in reader.named_destinations.items():
        if dest_name not in wanted:
            continue
        page = reader.get_destination_page_number(dest)
        left, top = dest.get("/Left"), dest.get("/Top")
        if page is not None and left is not None and top is not None:
            found.append(Mark(wanted[dest_name], page, float(left), float(top) - 1))  # the top of a one-point line
    return sorted(found, key=lambda mark: (mark.page, -mark.y, mark.x))


def places_for(marks: list[Mark], first_page: int, labels: dict[str, str]) -> list[FieldPlace]:
    """Fields for one document's marks, the document starting at dossier page ``first_page`` (1-based)."""
    places = []
    for name, index, x, y in marks:
        box = (round(x, 1), round(y - FIELD_HEIGHT, 1), round(x + FIELD_WIDTH, 1), round(y + 2, 1))
        places.append(FieldPlace(name, labels.get(name, name), first_page - 1 + index, box))
    return places
