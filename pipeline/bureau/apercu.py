"""The live preview of one document in the bureau's page: ``preview.render_once`` (the build's
road: the same fill, the same rules, the same warnings), in ``outputs/<convention>/apercu/``,
with one LibreOffice kept warm for the bureau's life.

A page asks for the preview's « version »: a fingerprint of what the preview watches (the
convention's data and own templates, the shared template's folder, ``preview.watched``); when it
changes (a template dropped on the templates page, a year.yaml saved), the page reloads the PDF,
which is rendered again only then.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pipeline import preview
from pipeline.errors import PipelineError
from pipeline.office.libreoffice import Session


@dataclass
class Rendered:
    """The last render of one document: for which version, its PDF or its error, its warnings."""

    version: str
    pdf: Path | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def version(convention: Path, templates: Path, key: str) -> str:
    """What the preview watches, as one short fingerprint: each file's path, size and time."""
    digest = hashlib.sha256()
    for root in preview.watched(convention, templates, key):
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if not preview._relevant([(None, name)]):
                    continue
                path = Path(folder) / name
                try:
                    stat = path.stat()
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class Previews:
    """The bureau's previews: one LibreOffice, one render at a time, each document rendered again
    only when what it is made of changed."""

    def __init__(self, templates: Path, outputs: Path, office: Callable[[], object] | None = None):
        self.templates, self.outputs = templates, outputs
        self.make_office = office or Session
        self.office: Any = None
        self.lock = threading.Lock()
        self.done: dict[tuple[str, int, str], Rendered] = {}

    def render(self, convention: Path, year: int, key: str) -> Rendered:
        """The document's preview for the files as they are now (rendered again if they changed)."""
        with self.lock:
            now = version(convention, self.templates, key)
            known = self.done.get((str(convention), year, key))
            if known is not None and known.version == now and (known.error or (known.pdf and known.pdf.is_file())):
                return known
            if self.office is None:
                self.office = self.make_office()
            said: list[str] = []
            try:
                _, pdf = preview.render_once(
                    convention, self.templates, year, key, self.office, preview.folder(convention, self.outputs), say=said.append
                )
                result = Rendered(now, pdf=pdf, warnings=[s.removeprefix("avertissement : ") for s in said])
            except PipelineError as exc:
                result = Rendered(now, error=str(exc))
            self.done[(str(convention), year, key)] = result
            return result

    def stop(self) -> None:
        office, self.office = self.office, None
        if office is not None:
            close = getattr(office, "close", None)
            if close is not None:
                close()
