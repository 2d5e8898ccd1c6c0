"""Fonts: where a family's TrueType file is (for every drawing: the PDFs the pipeline draws
itself, the bilan's chart), and the font of those PDFs (cover, sommaire, page numbers, signature
appearances): Liberation Sans, embedded, so that the dossier stays PDF/A. Registered once per
process (reading the TrueType files takes 20 ms: the build does it while LibreOffice starts).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from pipeline.errors import ToolMissing
from pipeline.office.programs import INSTALL_HINT

REGULAR, BOLD = "Dossier-Sans", "Dossier-Sans-Bold"  # the names the drawn PDFs use


def register() -> None:

    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, font_path("Liberation Sans")))
        pdfmetrics.registerFont(TTFont(BOLD, font_path("Liberation Sans", "Bold")))


@functools.cache
def font_path(family: str, style: str = "Regular") -> Path:
    """The TrueType file of a font family, so drawings embed the same font as the documents."""
    fc = shutil.which("fc-match")
    if fc:
        out = subprocess.run([fc, "-f", "%{file}", f"{family}:style={style}"], capture_output=True, text=True).stdout
        if out and Path(out).is_file() and Path(out).suffix.lower() == ".ttf" and family.split()[0].lower() in out.lower():
            return Path(out)
    name = f"{family.replace(' ', '')}-{style}.ttf"
    for folder in ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation"):
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    raise ToolMissing(f"la police {family} {style} est introuvable", hint=INSTALL_HINT)
