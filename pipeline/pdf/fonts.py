"""The font drawn into PDFs by the pipeline itself (cover, sommaire, page numbers, signature
appearances): Liberation Sans, embedded, so that the dossier stays PDF/A. Registered once per
process (reading the TrueType files takes 20 ms: the build does it while LibreOffice starts).
"""
from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from pipeline.office.programs import font_path

REGULAR, BOLD = "Dossier-Sans", "Dossier-Sans-Bold"


def register() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, font_path("Liberation Sans")))
        pdfmetrics.registerFont(TTFont(BOLD, font_path("Liberation Sans", "Bold")))
