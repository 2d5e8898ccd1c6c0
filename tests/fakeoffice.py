"""A stand-in for the build's LibreOffice (``office.libreoffice.Session``), for testing the
scheduler in milliseconds: the same calls (``pending``, ``send``, ``receive``, ``release``), answers
in the order sent, and a PDF of the length the test chooses, carrying each signature block as
LibreOffice exports it (a named destination), so that the dossier can be assembled."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Callable

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NullObject

# a document's length, from its .docx and how many times a document of that name came back
# before (0 the first time): a bordereau may be made longer at each round
Pages = Callable[[Path, int], int]


class FakeOffice:
    size = 1  # documents converted at once, as a lone ``Session``

    def __init__(self, pages: Pages = lambda doc, before: 1):
        self.pages = pages
        self.pending: list[tuple[Path, Path]] = []  # sent, answers awaited in this order
        self.sent: list[str] = []  # every document's name, in the order sent
        self.received: list[str] = []
        self.most_pending = 0  # the most documents it held at once
        self.released = False

    def send(self, doc: Path, pdf: Path) -> None:
        self.pending.append((doc, pdf))
        self.sent.append(doc.name)
        self.most_pending = max(self.most_pending, len(self.pending))

    def receive(self) -> tuple[Path, Path]:
        doc, pdf = self.pending.pop(0)
        write_pdf(pdf, self.pages(doc, self.received.count(doc.name)), signature_bookmarks(doc))
        self.received.append(doc.name)
        return doc, pdf

    def release(self) -> None:
        self.released = True


def signature_bookmarks(doc: Path) -> list[str]:
    """The signature blocks' bookmarks of a filled .docx (``marks.signature_bookmarks``)."""
    if doc.suffix != ".docx" or not zipfile.is_zipfile(doc):
        return []
    with zipfile.ZipFile(doc) as z:
        return re.findall(r'w:name="(Signature[A-Za-z0-9]*)"', z.read("word/document.xml").decode())


def write_pdf(path: Path, pages: int, bookmarks: list[str] = ()) -> None:
    """``pages`` blank A4 pages; each bookmark a named destination on the last one, as
    LibreOffice exports an empty Word bookmark."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595.28, 841.89)
    last = writer.pages[-1].indirect_reference
    writer._root_object[NameObject("/Dests")] = DictionaryObject(
        {
            NameObject(f"/{name}"): ArrayObject(
                [last, NameObject("/XYZ"), FloatObject(300), FloatObject(400 - 80 * i), NullObject()]
            )
            for i, name in enumerate(bookmarks)
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        writer.write(out)
