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

# Every working name beside outputs/<convention>/<YEAR>/ is made here, and each names the years
# whose locks its build holds (« .pdf-2023_2024-x1y2 »), so that recovery knows whose it is:
# a year's work folder, the PDFs of a run, a publication's staging, and the folder it replaces.
WORKING_KINDS = ("build", "pdf", "new", "old")


def publish(work: Path, year: int, outputs: Path, made_from: manifest.Manifest) -> Path:
    """Replace outputs/<YEAR>/ by the new files in one step; the old folder goes only after.
    ``made_from``: what the build read, recorded as it was read (never hashed again here)."""
    staging = Path(tempfile.mkdtemp(prefix=working_prefix("new", [year]), dir=outputs))
    os.chmod(staging, 0o777 & ~files.umask())  # an ordinary folder that colleagues can open, not mkdtemp's 700
    try:
        for path in sorted(work.iterdir()):
            if path.suffix in (".docx", ".pdf"):
                shutil.copy2(path, staging / path.name)
        made_from.write(staging)
        target = outputs / str(year)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=working_prefix("old", [year]), dir=outputs))
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
        raise OutputError(
            f"impossible d'écrire dans {outputs} ({exc.strerror})",
            hint="vérifiez les droits d'écriture et la place libre sur le disque",
        ) from None
    return dossier_path(outputs, year)


def dossier_path(outputs: Path, year: int) -> Path:
    return outputs / str(year) / f"dossier-{year}.pdf"


def built_before(outputs: Path, year: int) -> bool:
    """Whether outputs/<YEAR>/ holds a finished build (its manifest), up to date or not."""
    return (outputs / str(year) / manifest.NAME).is_file()


def up_to_date(outputs: Path, convention_dir: Path, year: int, templates: Path, *, final: bool) -> bool:
    return manifest.up_to_date(outputs, convention_dir, year, templates, final=final)


def taken(outputs: Path, convention_dir: Path, year: int, templates: Path, *, final: bool) -> manifest.Manifest:
    """The year's inputs hashed once, at the start of a build (the signed originals its last
    publication looked for included): the build decides, and records, from these digests."""
    return manifest.Manifest.taken(convention_dir, year, templates, final=final, signed=manifest.looked_for(outputs / str(year)))


def keep_signed(outputs: Path, year: int, signed_folder: Path) -> None:
    """A published PDF that someone signed in place would be replaced by the next build, and its
    signature lost: the build stops first and says where the signed file belongs."""
    folder = outputs / str(year)
    for pdf in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
        if _signed(pdf):
            raise OutputError(
                f"{pdf} porte une signature : une nouvelle construction le remplacerait",
                hint=f"déplacez-le dans {signed_folder / pdf.name} (les documents signés y sont "
                "gardés et joints au dossier), puis relancez",
            )


def _signed(pdf: Path) -> bool:
    """Whether a PDF has a signed field of its own (not merely signed files it carries)."""
    with open(pdf, "rb") as handle:
        if b"/ByteRange" not in handle.read():
            return False
    # lazy: pypdf (~0.15 s); publish is on --help's path
    from pypdf import PdfReader

    try:
        fields = PdfReader(pdf).get_fields() or {}
    except Exception:  # an unreadable file is simply rebuilt
        return False
    return any(f.get("/FT") == "/Sig" and f.get("/V") is not None for f in fields.values())


def recover(outputs: Path) -> None:
    """Put back a previous outputs/<YEAR>/ if a build was killed between its two renames, and
    remove what dead builds left behind. Every working folder names the years whose locks its
    build holds (``.build-2023-…``, ``.pdf-2023_2024-…``): a folder is touched only while none
    of them is held, so a build running beside this one, or publishing, is never disturbed."""
    if not outputs.is_dir():
        return
    for old in sorted(outputs.glob(".old-*")):
        with _unlocked(outputs, _years_of(old)) as free:
            if not free:
                continue
            previous, target = old / "previous", outputs / _years_of(old)[0]
            if previous.is_dir() and not target.exists():
                os.rename(previous, target)
            shutil.rmtree(old, ignore_errors=True)
    for leftover in sorted(p for kind in WORKING_KINDS if kind != "old" for p in outputs.glob(f".{kind}-*")):
        with _unlocked(outputs, _years_of(leftover)) as free:
            if free:
                shutil.rmtree(leftover, ignore_errors=True)


def in_progress(outputs: Path, year: int) -> bool:
    """Whether a build of ``year`` holds its lock now (it may be between its two renames)."""
    if not outputs.is_dir():
        return False
    try:
        handle = files.try_lock(lock_path(outputs, year))
    except OSError:  # an outputs folder we may not write: no build of ours runs there
        return False
    if handle is None:
        return True
    handle.close()
    return False


def working_prefix(kind: str, years: list[int]) -> str:
    """The name a working folder starts with: its kind and the years whose locks its build holds."""
    assert kind in WORKING_KINDS, kind
    return f".{kind}-{'_'.join(map(str, years))}-"


def lock_path(outputs: Path, year: int | str) -> Path:
    """The lock a build of ``year`` holds while it runs and publishes."""
    return outputs / f".lock-{year}"


def _years_of(folder: Path) -> list[str]:
    """The years a working folder names (``.pdf-2023_2024-x1y2`` → 2023, 2024); none if unreadable."""
    parts = folder.name.split("-")
    years = parts[1].split("_") if len(parts) > 2 else []
    return years if years and all(y.isdigit() for y in years) else []


@contextlib.contextmanager
def _unlocked(outputs: Path, years: list[str]):
    """Whether no build holds any of these years (held meanwhile, so that no build of them starts
    while a leftover is put right); a folder that names no year is left alone."""
    handles = []
    try:
        for year in years:
            handle = files.try_lock(lock_path(outputs, year))
            if handle is None:
                yield False
                return
            handles.append(handle)
        yield bool(years)
    finally:
        for handle in handles:
            handle.close()


@contextlib.contextmanager
def locks(outputs: Path, years: list[int], *, skip_held: bool = False):
    """One build per year at a time: a second one is told so at once. ``skip_held``: the years
    another build holds are left to it (« build --all » beside a build of one year); yields the
    years locked for this build."""
    handles, held = [], []
    try:
        for year in years:
            handle = files.try_lock(lock_path(outputs, year))
            if handle is None and not skip_held:
                raise OutputError(
                    f"une autre construction de l'année {year} est en cours", hint="attendez qu'elle se termine, puis relancez"
                )
            if handle is not None:
                handles.append(handle)
                held.append(year)
        yield held
    finally:
        for handle in handles:
            handle.close()
