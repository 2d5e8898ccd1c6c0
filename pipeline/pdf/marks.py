"""The signature-mark protocol, one module for the whole way: a template's
``{{ signature('doc', 'who') }}`` tag prints a mark; the mark becomes an empty Word bookmark;
LibreOffice exports it as a named destination; signing reads its page and position and puts
an empty signature field there. Nothing of it is seen, copied or read aloud.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

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


def bookmark_name(field_name: str) -> str:
    """The bookmark of a signature block: letters only, as Word and LibreOffice both keep them
    ('pv-copil-metropole' → 'SignaturePvCopilMetropole')."""
    return "Signature" + "".join(part.capitalize() for part in re.split(r"[-_]", field_name))


def signature_bookmarks(document) -> None:
    """Replace each signature mark of a filled document by an empty bookmark at the same place."""
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
