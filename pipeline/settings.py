"""Every environment variable the pipeline reads, in one place (the README lists them).

Each is read when asked, so a test or a lane may set it for one run. One more, LO_START_TIMEOUT,
is read by office/lo_worker.py itself: it runs in LibreOffice's own Python, apart from this package.
"""

from __future__ import annotations

import os

from pipeline.errors import InputError


def _number(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        return default


def soffice() -> str | None:
    """PIPELINE_SOFFICE: the LibreOffice program to use instead of « soffice » on the PATH."""
    return os.environ.get("PIPELINE_SOFFICE") or None


def uno_python() -> str | None:
    """PIPELINE_UNO_PYTHON: a Python that imports LibreOffice's « uno » (else the system's)."""
    return os.environ.get("PIPELINE_UNO_PYTHON") or None


def start_timeout(default: float) -> float:
    """PIPELINE_START_TIMEOUT: seconds LibreOffice may take to start (a slow machine)."""
    return _number("PIPELINE_START_TIMEOUT", default)


def convert_timeout(default: float) -> float:
    """PIPELINE_CONVERT_TIMEOUT: seconds allowed per document converted."""
    return _number("PIPELINE_CONVERT_TIMEOUT", default)


def workers() -> int | None:
    """PIPELINE_WORKERS: how many conventions « build --all » builds at once (else one per core)."""
    wanted = os.environ.get("PIPELINE_WORKERS", "")
    return max(1, int(wanted)) if wanted.isdigit() else None


def pkcs12_password() -> str | None:
    """PIPELINE_PKCS12_PASSWORD: the signing certificate's password for « sign » (else asked)."""
    return os.environ.get("PIPELINE_PKCS12_PASSWORD")


def source_date_epoch() -> str | None:
    """SOURCE_DATE_EPOCH: the date written into the PDFs when the data give none (reproducible builds)."""
    return os.environ.get("SOURCE_DATE_EPOCH") or None


def check() -> None:
    """Refuse, in one line, a variable set to what it cannot mean, before any work: the PDF
    library also reads SOURCE_DATE_EPOCH, and « abc » failed deep inside it."""
    epoch = source_date_epoch()
    if epoch is not None and not (epoch.isdigit() and int(epoch) < 253402300800):  # before the year 10000
        raise InputError(
            f"SOURCE_DATE_EPOCH={epoch!r} n'est pas une date : il faut un nombre de secondes depuis le "
            "1er janvier 1970 (ex. 1680000000)",
            hint="corrigez la variable ou retirez-la (unset SOURCE_DATE_EPOCH) : sans elle, les PDF portent la date des données",
        )
