"""External programs, found in one place, with the install command when missing.

Also the one ``run()`` wrapper for subprocesses: argument lists only (no shell), a timeout
that kills the whole process group, stderr kept for the message.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from pipeline import settings
from pipeline.errors import ConversionError, ToolMissing

# the one list of Debian packages, also read by tools/setup-system.sh
APT_PACKAGES = " ".join(
    line.strip()
    for line in (Path(__file__).with_name("packages.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
INSTALL_HINT = f"installez-le : sudo apt-get install -y {APT_PACKAGES} (ou lancez « make setup »)"
MIN_LIBREOFFICE = (7, 4)


def soffice_path() -> Path:
    """Where LibreOffice is, without running it (a build starts it at once)."""
    override = settings.soffice()
    found = override or shutil.which("soffice") or shutil.which("libreoffice")
    if not found or not Path(found).exists():
        raise ToolMissing("LibreOffice est introuvable (programme « soffice »)", hint=INSTALL_HINT)
    return Path(found)


@functools.cache
def soffice() -> tuple[Path, str]:
    """The LibreOffice program and its version; ToolMissing if absent or too old.

    Asked only when LibreOffice fails to start, to say why.
    """
    found = str(soffice_path())
    try:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60, start_new_session=True).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolMissing(f"LibreOffice ({found}) ne répond pas : {exc}", hint=INSTALL_HINT) from None
    m = re.search(r"(\d+)\.(\d+)[.\d]*", out)
    if not m:
        raise ToolMissing(f"LibreOffice ({found}) ne donne pas sa version ({out.strip()[:80]!r})", hint=INSTALL_HINT)
    version = (int(m.group(1)), int(m.group(2)))
    if version < MIN_LIBREOFFICE:
        raise ToolMissing(
            f"LibreOffice {m.group(0)} est trop ancien : il faut la version "
            f"{'.'.join(map(str, MIN_LIBREOFFICE))} ou plus récente",
            hint=INSTALL_HINT,
        )
    return Path(found), m.group(0)


UNO_PYTHONS = ["/usr/bin/python3", "/usr/lib/libreoffice/program/python", "/opt/libreoffice/program/python"]


def uno_python_path() -> Path:
    """The Python expected to have LibreOffice's ``uno`` module, without running it."""
    for candidate in [settings.uno_python(), *UNO_PYTHONS]:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ToolMissing("le pont Python de LibreOffice (module « uno ») est introuvable", hint=INSTALL_HINT)


def check_uno(python: Path) -> None:
    """ToolMissing if ``python`` cannot import LibreOffice's ``uno`` module (Debian: python3-uno).

    Asked only when the LibreOffice worker fails to start, to say why.
    """
    probe = subprocess.run(
        [str(python), "-c", "import uno"], capture_output=True, timeout=60, env=dict(os.environ, PYTHONPATH="")
    )
    if probe.returncode != 0:
        raise ToolMissing(f"le pont Python de LibreOffice (module « uno ») manque à {python}", hint=INSTALL_HINT)


def kill_group(proc: subprocess.Popen) -> None:
    """Stop a program and everything it started (LibreOffice forks a child)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def run(args: list[str], *, timeout: float, what: str) -> subprocess.CompletedProcess:
    """Run a program in its own process group; a hang or a failure is a ConversionError."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ConversionError(f"{what} : pas de réponse après {timeout:.0f} s, arrêté") from None
    except BaseException:
        kill_group(proc)
        raise
    if proc.returncode != 0:
        tail = (err or out or "").strip().splitlines()[-1:] or [f"code {proc.returncode}"]
        raise ConversionError(f"{what} a échoué : {tail[0][:200]}")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)
