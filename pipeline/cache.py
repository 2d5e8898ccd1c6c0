"""A content-addressed cache of converted PDFs, so work already done is not done again.

A PDF is keyed by the bytes of the .docx it comes from, the date written into it and the
pipeline's version: the same document (the convention, identical across years) is
converted once, and a rebuild with nothing changed starts no LibreOffice. Each entry carries
the SHA-256 of its bytes: an entry cut short (a full disk, a crash) or altered is found out,
dropped and converted again, never trusted.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import __version__, files


def key(docx: Path, when: str) -> str:
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(when.encode())
    digest.update(docx.read_bytes())
    return digest.hexdigest()


class PdfCache:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, k: str) -> Path:
        return self.root / k[:2] / f"{k}.pdf"

    def get(self, k: str, target: Path) -> bool:
        """Copy the cached PDF to ``target``; False if there is none, or none intact."""
        source = self._path(k)
        try:
            data = source.read_bytes()
            expected = source.with_suffix(".sha256").read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return False
        if hashlib.sha256(data).hexdigest() != expected:
            for damaged in (source, source.with_suffix(".sha256")):
                damaged.unlink(missing_ok=True)
            return False
        target.write_bytes(data)
        return True

    def put(self, k: str, pdf: Path) -> None:
        """Store atomically, the PDF then its digest, so an interrupted build never leaves half a
        PDF that the cache would trust."""
        target = self._path(k)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = pdf.read_bytes()
        files.write_atomically(target, data)
        files.write_atomically(target.with_suffix(".sha256"), hashlib.sha256(data).hexdigest().encode())
