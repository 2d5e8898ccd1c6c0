"""A signed original dropped on its document's slot: recognised, checked by the engine, stored in
``signes/`` under the name the build gave its document, the previous file kept.

The file's name is never the one the browser sends: it is the planned document's (``bilan-2022``),
chosen from the year's plan, so nothing can be written outside the convention's ``signes/``.
What the page then says comes from ``status.status`` before and after: the same words as
``make statut``, and whether the year is now to rebuild.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import originals_status, places, status
from pipeline.convention import catalogue, documents, model
from pipeline.errors import InputError

PDF_MAGIC = b"%PDF-"
KEPT = "precedents"  # signes/precedents/: each replaced original, under its name and the time it was replaced


@dataclass(frozen=True)
class Slot:
    """Where a signed file comes back: a document signed apart, or the dossier whose letter is
    signed last (its signed copy kept in ``signes/`` too)."""

    stem: str
    title: str
    in_dossier: bool = False


@dataclass
class Deposit:
    """What a drop did, in the words of ``status``."""

    slot: Slot
    stored: str  # signes/bilan-2022.pdf, as staff type it
    before: status.Line | None
    after: status.Line | None
    stale: list[str] = field(default_factory=list)  # why the year is now to rebuild (empty: it is not)
    kept: str | None = None  # where the previous file went
    unchanged: bool = False  # the very bytes already there
    report: status.YearStatus | None = None  # the year as status says it after the drop

    @property
    def changed(self) -> str:
        """What changed, in one sentence."""
        if self.unchanged:
            return "ce fichier est déjà celui déposé : rien n'a changé"
        was = self.before.state if self.before else "?"
        now = self.after.state if self.after else "?"
        return f"avant : {was} — maintenant : {now}" + (f" (l'ancien fichier est gardé sous {self.kept})" if self.kept else "")


def slots(convention: Path, year: int) -> list[Slot]:
    """The signed files a year's dossier takes back, in the plan's order."""
    data = model.load(convention, year)
    found = []
    for d in documents.plan(data):
        if catalogue.signed_apart(d.key):
            found.append(Slot(d.stem, d.title))
        elif d.spec.signed_in_dossier:
            found.append(Slot(f"dossier-{year}", d.title, in_dossier=True))
    return found


def line_for(report: status.YearStatus, slot: Slot) -> status.Line | None:
    """The line of ``status`` about a slot's document (status names each by its title)."""
    return next((line for line in report.lines if line.title == slot.title), None)


def year_status(convention: Path, templates: Path, outputs: Path, year: int) -> status.YearStatus:
    return status.status(convention, templates, outputs, [year])[0]


def store(convention: Path, templates: Path, outputs: Path, year: int, stem: str, content: bytes) -> Deposit:
    """``content`` checked and stored as the signed file of ``stem``; InputError, with nothing
    written, for a file that is not a readable PDF or a slot the year does not have."""
    slot = next((s for s in slots(convention, year) if s.stem == stem), None)
    if slot is None:
        raise InputError(f"le dossier {year} n'attend aucun document signé nommé « {stem} »")
    if not content.startswith(PDF_MAGIC):
        what = "vide" if not content else "pas un PDF (son contenu ne commence pas par %PDF-)"
        raise InputError(
            f"le fichier déposé pour « {slot.title} » est {what}",
            hint="déposez le PDF signé lui-même, tel que le signataire l'a renvoyé",
        )
    folder = places.signed_folder(convention)
    places.confined(folder, convention, "dossier signes")
    target = places.signed_original(convention, stem)
    places.confined(target, convention, "document signé")
    shown = model.display(target)
    folder.mkdir(exist_ok=True)
    if target.is_file() and target.read_bytes() == content:
        report = year_status(convention, templates, outputs, year)
        line = line_for(report, slot)
        return Deposit(slot, shown, line, line, report.stale, unchanged=True, report=report)
    before = line_for(year_status(convention, templates, outputs, year), slot)
    handle, temporary = tempfile.mkstemp(prefix=f".depot-{stem}-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        # read as status reads it, under the name it will have: unreadable, it is not stored
        original = originals_status.read_original(
            originals_status.Original(Path(temporary), shown), originals_status.trusted(convention)
        )
        if original.reader is None:
            raise InputError(original.unreadable or f"{shown} : illisible", hint="redemandez l'original signé au signataire")
        kept = _keep_previous(target) if target.is_file() else None
        os.replace(temporary, target)
        sync(folder)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    report = year_status(convention, templates, outputs, year)
    return Deposit(slot, shown, before, line_for(report, slot), report.stale, kept=kept, report=report)


def _keep_previous(target: Path) -> str:
    """The file about to be replaced, copied to signes/precedents/ with the time of replacement."""
    return keep_previous(target, target.parent / KEPT)


def keep_previous(target: Path, keep: Path) -> str:
    """``target`` copied into ``keep`` under its name and the time it is replaced (its suffix
    kept), before a new file takes its place: nothing staff dropped is ever lost."""
    keep.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    copy = keep / f"{target.stem}-remplace-le-{stamp}{target.suffix}"
    n = 1
    while copy.exists():
        n += 1
        copy = keep / f"{target.stem}-remplace-le-{stamp}-{n}{target.suffix}"
    shutil.copy2(target, copy)
    return model.display(copy)


def sync(folder: Path) -> None:
    """The rename made durable (the folder's entry written)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
