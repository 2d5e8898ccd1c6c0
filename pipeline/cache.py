"""A content-addressed cache of converted PDFs, so work already done is not done again.

A PDF is keyed by the bytes of the .docx it comes from, the date written into it and the
pipeline's version: the same document (the convention, identical across years) is
converted once, and a rebuild with nothing changed starts no LibreOffice.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from pipeline import __version__


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
        """Copy the cached PDF to ``target``; False if there is none."""
        source = self._path(k)
        if not source.is_file():
            return False
        shutil.copyfile(source, target)
        return True

    def put(self, k: str, pdf: Path) -> None:
        """Store atomically, so an interrupted build never leaves half a PDF in the cache."""
        target = self._path(k)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        shutil.copyfile(pdf, tmp)
        os.replace(tmp, target)
