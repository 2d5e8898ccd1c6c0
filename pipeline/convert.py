"""Turn .docx into PDF/A-2b with one LibreOffice process for the whole build.

LibreOffice starts once (about a second) and is driven through its UNO bridge by
``lo_worker.py``, so the bordereau's second round, once page numbers are known, costs no
new start. A private profile keeps a user's own LibreOffice, open or not, out of the way;
a timeout kills the whole process group so that no LibreOffice is left behind.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import click

from pipeline import programs
from pipeline.errors import ConversionError

START_TIMEOUT = 90.0
SECONDS_PER_DOCUMENT = 60.0
WORKER = Path(__file__).with_name("lo_worker.py")


class Session:
    """A LibreOffice started on first use and stopped on exit; ``convert`` as often as needed."""

    def __init__(self, *, progress: bool = False):
        self.progress = progress
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.profile: tempfile.TemporaryDirectory | None = None
        self.stderr: list[str] = []
        self.starts = 0

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        soffice, _version = programs.soffice()
        python = programs.uno_python()
        self.profile = tempfile.TemporaryDirectory(prefix="lo-profile-")
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=self.profile.name, PYTHONPATH="")
        env.pop("PYTHONHOME", None)
        self.proc = subprocess.Popen(
            [str(python), str(WORKER), str(soffice), self.profile.name, f"pipeline-{uuid.uuid4().hex}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True, env=env)
        self.starts += 1
        threading.Thread(target=self._read, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, False), daemon=True).start()
        answer = self._next(float(os.environ.get("PIPELINE_START_TIMEOUT", START_TIMEOUT)), "le démarrage de LibreOffice")
        if not answer.get("ready"):
            raise ConversionError(f"LibreOffice n'a pas démarré : {answer}")

    def _read(self, stream, is_stdout: bool) -> None:
        for line in stream:
            if is_stdout:
                self.lines.put(line)
            else:
                self.stderr.append(line.rstrip())
        if is_stdout:
            self.lines.put(None)

    def _next(self, timeout: float, what: str) -> dict:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise ConversionError(f"LibreOffice ne répond plus pendant {what} (après {timeout:.0f} s) : arrêté",
                                  hint="relancez ; si cela se reproduit, ouvrez ce document dans LibreOffice "
                                       "pour voir s'il bloque") from None
        if line is None:
            detail = next((e for e in reversed(self.stderr) if e.strip()), "")
            code = self.proc.wait() if self.proc else None
            self.close()
            raise ConversionError(f"LibreOffice s'est arrêté pendant {what} (code {code}){' : ' + detail[-200:] if detail else ''}",
                                  hint="relancez ; si cela se reproduit, vérifiez ce document dans LibreOffice")
        return json.loads(line)

    def convert(self, docs: list[Path], outdir: Path) -> list[Path]:
        """Convert ``docs`` into ``outdir``; a failure names the document."""
        if not docs:
            return []
        if self.proc is None:
            self._start()
        outdir.mkdir(parents=True, exist_ok=True)
        pairs = [(str(d.resolve()), str((outdir / f"{d.stem}.pdf").resolve())) for d in docs]
        self.proc.stdin.write(json.dumps({"convert": pairs}) + "\n")
        self.proc.stdin.flush()
        per_doc = float(os.environ.get("PIPELINE_CONVERT_TIMEOUT", SECONDS_PER_DOCUMENT))
        bar = click.progressbar(length=len(docs), label="Conversion PDF", file=sys.stderr) if self.progress else None
        try:
            for doc in docs:
                answer = self._next(per_doc, f"la conversion de {doc.name}")
                if not answer.get("ok"):
                    raise ConversionError(f"LibreOffice n'a pas pu convertir {Path(answer.get('source', doc)).name} "
                                          f"en PDF ({answer.get('error', '?')})",
                                          hint="ouvrez ce document dans Word ou LibreOffice pour vérifier qu'il n'est pas abîmé")
                if bar:
                    bar.update(1)
        finally:
            if bar:
                bar.render_finish()
        pdfs = [Path(target) for _, target in pairs]
        missing = [d.name for d, p in zip(docs, pdfs) if not p.is_file() or p.stat().st_size == 0]
        if missing:
            raise ConversionError(f"LibreOffice n'a rien écrit pour {', '.join(missing)}")
        return pdfs

    def close(self) -> None:
        """Ask LibreOffice to quit; kill its whole process group if it does not."""
        if self.proc is not None:
            try:
                if self.proc.poll() is None:
                    self.proc.stdin.write(json.dumps({"quit": True}) + "\n")
                    self.proc.stdin.flush()
                    self.proc.wait(timeout=15)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
            programs.kill_group(self.proc)
            self.proc = None
        if self.profile is not None:
            self.profile.cleanup()
            self.profile = None


def to_pdf(docs: list[Path], outdir: Path, *, progress: bool = False) -> list[Path]:
    """One-off conversion of a batch (one LibreOffice start)."""
    with Session(progress=progress) as session:
        return session.convert(docs, outdir)


