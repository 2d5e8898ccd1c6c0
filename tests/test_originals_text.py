"""The text a signed original is compared by: read once per file's bytes (the signed convention
is compared with each year's identical rendering of it), whatever form the PDF is given in."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf._page import PageObject
from reportlab.pdfgen import canvas

from pipeline.pdf import originals


def pdf(*lines: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    for i, line in enumerate(lines):
        page.drawString(72, 770 - 16 * i, line)
    page.save()
    return out.getvalue()


def test_the_same_bytes_are_read_once_and_other_bytes_are_read_again(tmp_path, monkeypatch):
    calls = []
    real = PageObject.extract_text

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counted)
    originals._lines_of.cache_clear()
    signed = pdf("Article 3 – participation annuelle", "20 000,00 €")
    path = tmp_path / "rendu.pdf"
    path.write_bytes(signed)
    assert originals.compare(signed, PdfReader(path)) is None  # bytes and an open reader: one file
    assert originals.compare(PdfReader(io.BytesIO(signed)), path) is None
    assert len(calls) == 1
    changed = pdf("Article 3 – participation annuelle", "21 000,00 €")
    assert originals.compare(signed, changed) == ("20 000,00 €", "21 000,00 €")
    assert len(calls) == 2


def test_a_returned_list_can_be_changed_without_touching_what_is_kept():
    data = pdf("une ligne")
    lines = originals.text_lines(data)
    lines.append("ajoutée")
    assert originals.text_lines(data) == ["une ligne"]
