"""Ghostscript: rewrites a PDF as PDF/A-2b, embedding the fonts it only names."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.errors import ConversionError, GhostscriptError, ToolMissing
from pipeline.office import programs

ARGS = [
    "-dPDFA=2",
    "-dBATCH",
    "-dNOPAUSE",
    "-dQUIET",
    "-dSAFER",
    "-sDEVICE=pdfwrite",
    "-dPDFACompatibilityPolicy=1",
    "-sColorConversionStrategy=RGB",
    "-dEmbedAllFonts=true",
]


def to_pdfa(pdf: Path, out: Path, *, what: str) -> Path:
    """``out``: ``pdf`` as PDF/A-2b with its fonts embedded; ``what`` names it in messages."""
    gs = shutil.which("gs")
    if gs is None:
        raise ToolMissing(
            f"Ghostscript, qui sait incorporer les polices, est absent : il le faut pour {what}", hint=programs.INSTALL_HINT
        )
    try:
        programs.run([gs, *ARGS, f"-sOutputFile={out}", str(pdf)], timeout=180, what=f"Ghostscript, pour {what}")
    except ConversionError as exc:  # programs.run's failure or hang, said as Ghostscript's
        out.unlink(missing_ok=True)
        raise GhostscriptError(str(exc), hint="demandez à l'émetteur une version PDF/A de la pièce") from None
    return out
