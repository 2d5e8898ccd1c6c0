"""A content-addressed cache of converted PDFs, so work already done is not done again.

A PDF is keyed by the bytes of the .docx it comes from, the date written into it and the
pipeline's version: the same document (the convention, identical across years) is
converted once, and a rebuild with nothing changed starts no LibreOffice. Each entry carries
the SHA-256 of its bytes: an entry cut short (a full disk, a crash) or altered is found out,
dropped and converted again, never trusted; so is one whose bytes and digest agree but that is
no PDF (emptied and its digest rewritten), and one that is a folder: a damaged cache costs a
conversion, never a blocked build nor a healthy document blamed.
"""

from __future__ import annotations

import hashlib
import shutil
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
            if source.exists() or source.with_suffix(".sha256").exists():
                self._discard(source)  # a folder in a file's place, an unreadable entry: made again
            return False
        if hashlib.sha256(data).hexdigest() != expected or not _looks_like_pdf(data):
            self._discard(source)
            return False
        target.write_bytes(data)
        return True

    @staticmethod
    def _discard(source: Path) -> None:
        for damaged in (source, source.with_suffix(".sha256")):
            if damaged.is_dir() and not damaged.is_symlink():
                shutil.rmtree(damaged, ignore_errors=True)
            else:
                damaged.unlink(missing_ok=True)

    def put(self, k: str, pdf: Path) -> None:
        """Store atomically, the PDF then its digest, so an interrupted build never leaves half a
        PDF that the cache would trust."""
        target = self._path(k)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() or target.with_suffix(".sha256").is_dir():
            self._discard(target)
        data = pdf.read_bytes()
        files.write_atomically(target, data)
        files.write_atomically(target.with_suffix(".sha256"), hashlib.sha256(data).hexdigest().encode())


def _looks_like_pdf(data: bytes) -> bool:
    """A PDF LibreOffice wrote: its header first, its end-of-file mark near the end."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
