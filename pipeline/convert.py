"""Turn a batch of .docx into PDF/A-2b with one LibreOffice process.

One process for the whole batch costs a single start (about a second); a private profile
folder keeps a user's own LibreOffice, open or not, out of the way; a timeout kills the
whole process group so that no LibreOffice is left behind.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click

from pipeline import programs
from pipeline.errors import ConversionError

PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},' \
              '"UseTaggedPDF":{"type":"boolean","value":"true"},' \
              '"ExportBookmarks":{"type":"boolean","value":"true"}}'
SECONDS_PER_DOCUMENT = 60
BASE_TIMEOUT = 90


def to_pdf(docs: list[Path], outdir: Path, *, progress: bool = False) -> list[Path]:
    """Convert every document in one LibreOffice run; return the PDFs in the same order."""
    if not docs:
        return []
    binary, _version = programs.soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    timeout = float(os.environ.get("PIPELINE_CONVERT_TIMEOUT", BASE_TIMEOUT + SECONDS_PER_DOCUMENT * len(docs)))
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        args = [str(binary), "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
                "--nodefault", f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to", PDFA_FILTER, "--outdir", str(outdir), *map(str, docs)]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=profile)
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, env=env)
        lines: list[str] = []
        errors: list[str] = []
        reader = threading.Thread(target=_collect, args=(proc.stdout, lines), daemon=True)
        err_reader = threading.Thread(target=_collect, args=(proc.stderr, errors), daemon=True)
        reader.start()
        err_reader.start()
        try:
            _wait(proc, lines, len(docs), timeout, progress)
        except BaseException:
            programs.kill_group(proc)
            raise
        finally:
            reader.join(timeout=5)
            err_reader.join(timeout=5)
    pdfs = [outdir / f"{doc.stem}.pdf" for doc in docs]
    missing = [doc.name for doc, pdf in zip(docs, pdfs) if not pdf.is_file() or pdf.stat().st_size == 0]
    if missing:
        detail = " ".join(e.strip() for e in errors if e.strip())[-300:]
        raise ConversionError(
            f"LibreOffice n'a pas pu convertir {', '.join(missing)} en PDF"
            + (f" ({detail})" if detail else f" (code de sortie {proc.returncode})"),
            hint="ouvrez ce document dans Word ou LibreOffice pour vérifier qu'il n'est pas abîmé")
    return pdfs


def _collect(stream, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)


def _wait(proc: subprocess.Popen, lines: list[str], total: int, timeout: float, progress: bool) -> None:
    deadline = time.monotonic() + timeout
    bar = click.progressbar(length=total, label="Conversion PDF", file=sys.stderr) if progress else None
    shown = 0
    try:
        if bar:
            bar.__enter__()
        while proc.poll() is None:
            if time.monotonic() > deadline:
                programs.kill_group(proc)
                raise ConversionError(f"LibreOffice ne répond plus après {timeout:.0f} s : conversion arrêtée",
                                      hint="relancez ; si cela se reproduit, ouvrez les documents dans LibreOffice pour repérer celui qui bloque")
            done = sum(1 for line in lines if line.startswith("convert "))
            if bar and done > shown:
                bar.update(done - shown)
                shown = done
            time.sleep(0.05)
        if bar:
            bar.update(total - shown)
    finally:
        if bar:
            bar.__exit__(None, None, None)
