"""The habits every writer of the build shares: a lock that a second process is told about at
once (never waits on), a write that is whole or absent (a crash never leaves half a file), and a
full disk said as such, with where."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO


def try_lock(path: Path) -> IO | None:
    """An exclusive lock on ``path`` (created if need be), held while the handle is open; None
    if another process holds it."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():  # a lock damaged into a folder: no build holds it, made again
        shutil.rmtree(path, ignore_errors=True)
    handle = open(path, "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def write_atomically(path: Path, data: bytes) -> None:
    """``path`` gets all of ``data`` or keeps what it had: written beside it, then renamed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        ordinary_mode(Path(tmp), like=path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ordinary_mode(path: Path, like: Path | None = None) -> None:
    """The mode a file written through a temporary one should have: the one it replaces, else
    what the umask gives a new file (mkstemp's 600 would keep colleagues out of a shared folder)."""
    if like is not None and like.exists():
        os.chmod(path, like.stat().st_mode & 0o777)
        return
    os.chmod(path, 0o666 & ~umask())


def umask() -> int:
    """The process's umask (read by setting it, the only way, and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def short_of_space(folders, need: int = 64 << 20) -> str | None:
    """« /tmp (12 Mo libres) » for the first of ``folders`` whose disk has less than ``need``
    bytes free: a conversion or an assembly that failed there failed for want of room, not
    because of a document."""
    for folder in folders:
        folder = Path(folder)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue
        if free < need:
            return f"{folder} ({free >> 20} Mo libres)"
    return None


def full_disk_error(exc: OSError, folders) -> str | None:
    """The one line for a disk full (or a quota reached), naming where, or None for another fault."""
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return None
    where = short_of_space(folders) or (exc.filename and str(Path(exc.filename).parent)) or "le disque de travail"
    return (
        f"plus de place sur le disque : {where} — libérez de la place (une construction demande quelques "
        "centaines de Mo dans outputs/ et dans le dossier temporaire) puis relancez ; les documents publiés "
        "précédemment sont intacts"
    )
