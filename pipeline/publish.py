"""Publishing a build: one step, under a lock, so a failed build leaves outputs/ as it was.

Kept light (no document libraries) so that a rebuild with nothing to do stays instant.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from pipeline import files, manifest
from pipeline.errors import OutputError


def publish(work: Path, inputs: Path, year: int, outputs: Path, templates: Path, *, final: bool,
            signed: list[str] = ()) -> Path:
    """Replace outputs/<YEAR>/ by the new files in one step; the old folder goes only after."""
    staging = Path(tempfile.mkdtemp(prefix=f".new-{year}-", dir=outputs))
    os.chmod(staging, 0o777 & ~_umask())  # an ordinary folder that colleagues can open, not mkdtemp's 700
    try:
        for path in sorted(work.iterdir()):
            if path.suffix in (".docx", ".pdf"):
                shutil.copy2(path, staging / path.name)
        manifest.write(staging, inputs, year, templates, final=final, signed=signed)
        target = outputs / str(year)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".old-{year}-", dir=outputs))
            os.rename(target, old / "previous")
        try:
            os.rename(staging, target)
        except OSError:
            if old is not None:  # the new folder could not take its place: the previous one goes back
                os.rename(old / "previous", target)
                shutil.rmtree(old, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"impossible d'écrire dans {outputs} ({exc.strerror})",
                          hint="vérifiez les droits d'écriture et la place libre sur le disque") from None
    return dossier_path(outputs, year)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def dossier_path(outputs: Path, year: int) -> Path:
    return outputs / str(year) / f"dossier-{year}.pdf"


def built_before(outputs: Path, year: int) -> bool:
    """Whether outputs/<YEAR>/ holds a finished build (its manifest), up to date or not."""
    return (outputs / str(year) / manifest.NAME).is_file()


def up_to_date(outputs: Path, inputs: Path, year: int, templates: Path, *, final: bool) -> bool:
    return manifest.up_to_date(outputs, inputs, year, templates, final=final)


def keep_signed(outputs: Path, year: int, signed_folder: Path) -> None:
    """A published PDF that someone signed in place would be replaced by the next build, and its
    signature lost: the build stops first and says where the signed file belongs."""
    folder = outputs / str(year)
    for pdf in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
        if _signed(pdf):
            raise OutputError(f"{pdf} porte une signature : une nouvelle construction le remplacerait",
                              hint=f"déplacez-le dans {signed_folder / pdf.name} (les documents signés y sont "
                                   "gardés et joints au dossier), puis relancez")


def _signed(pdf: Path) -> bool:
    """Whether a PDF has a signed field of its own (not merely signed files it carries)."""
    with open(pdf, "rb") as handle:
        if b"/ByteRange" not in handle.read():
            return False
    from pypdf import PdfReader

    try:
        fields = PdfReader(pdf).get_fields() or {}
    except Exception:  # noqa: BLE001 — an unreadable file is simply rebuilt
        return False
    return any(f.get("/FT") == "/Sig" and f.get("/V") is not None for f in fields.values())


def recover(outputs: Path) -> None:
    """Put back a previous outputs/<YEAR>/ if a build was killed between its two renames."""
    if not outputs.is_dir():
        return
    for old in outputs.glob(".old-*"):
        year = old.name.split("-")[1]
        previous = old / "previous"
        if previous.is_dir() and not (outputs / year).exists():
            os.rename(previous, outputs / year)
        shutil.rmtree(old, ignore_errors=True)
    for leftover in list(outputs.glob(".new-*")) + list(outputs.glob(".build-*")) + list(outputs.glob(".pdf-*")):
        if not _locked(outputs, leftover.name.split("-")[1]):
            shutil.rmtree(leftover, ignore_errors=True)


def _locked(outputs: Path, year: str) -> bool:
    return files.is_locked(outputs / f".lock-{year}")


@contextlib.contextmanager
def locks(outputs: Path, years: list[int]):
    """One build per year at a time: a second one is told so at once."""
    handles = []
    try:
        for year in years:
            handle = files.try_lock(outputs / f".lock-{year}")
            if handle is None:
                raise OutputError(f"une autre construction de l'année {year} est en cours",
                                  hint="attendez qu'elle se termine, puis relancez")
            handles.append(handle)
        yield
    finally:
        for handle in handles:
            handle.close()
