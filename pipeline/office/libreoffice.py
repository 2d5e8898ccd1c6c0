"""Turn .docx into PDF/A-2b with one LibreOffice process for the whole build.

LibreOffice starts once (about a second) and is driven through its UNO bridge by
``lo_worker.py``, so the bordereau's second round, once page numbers are known, costs no
new start. A private profile keeps a user's own LibreOffice, open or not, out of the way;
a timeout kills the whole process group so that no LibreOffice is left behind.

This is the process and its protocol (one JSON line per request and per answer): which
document to send when is the caller's (``schedule.Feed``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Any, Callable, Iterator, NoReturn, TypeVar

from pipeline import files, settings
from pipeline.errors import ConversionError, OutputError, ToolMissing
from pipeline.office import programs

_O = TypeVar("_O", bound="_Office")

START_TIMEOUT = 90.0
SECONDS_PER_DOCUMENT = 60.0
WORKER = Path(__file__).with_name("lo_worker.py")


# what LibreOffice's first window writes on a desktop, and never does headless: the version seen
_SEED = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product">\
<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>{version}</value></prop></item>
</oor:items>
"""
_SETUP_VERSION = re.compile(rb'<prop oor:name="ooSetupVersion">\s*<value>([0-9][0-9.]*)</value>')


@functools.cache
def installed_version(soffice: Path) -> str | None:
    """The version LibreOffice notes in a profile (« 7.4 »), read from its installation's
    settings (share/registry/main.xcd beside program/), without starting it; None if unread."""
    try:
        data = (soffice.resolve().parent.parent / "share" / "registry" / "main.xcd").read_bytes()
    except OSError:
        return None
    found = _SETUP_VERSION.search(data)
    return found.group(1).decode() if found else None


def seed_profile(folder: Path, soffice: Path) -> None:
    """A new profile notes the installed version before LibreOffice's first start on it, as the
    worker notes it when LibreOffice quits (``lo_worker.remember_version``): otherwise that first
    start runs LibreOffice's graphics render tests, four fifths of its CPU, on every temporary
    profile and every new kept one. A profile already written, or a version unread: unchanged;
    never a reason for the start to fail."""
    settings_file = folder / "user" / "registrymodifications.xcu"
    version = installed_version(soffice)
    if version is None or settings_file.exists():
        return
    try:
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomically(settings_file, _SEED.format(version=version).encode())
    except OSError:  # a broken profile (« user » a file) or no room: LibreOffice's start says it, as before
        pass


class _Office:
    """What a lone LibreOffice (``Session``) and several (``Pool``) share: a context that stops
    them, and a batch conversion made of their own ``send`` and ``receive``."""

    def send(self, doc: Path, pdf: Path) -> None:
        raise NotImplementedError

    def receive(self) -> tuple[Path, Path]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _O) -> _O:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def stopped_on_failure(self: _O) -> Iterator[_O]:
        """Stop LibreOffice at once if the block fails, even if its owner would keep it for more:
        entered after a build's temporary folders, so that a LibreOffice interrupted mid-write
        cannot put a PDF back into a folder being removed."""
        try:
            yield self
        except BaseException:
            self.close()
            raise

    def convert(self, docs: list[Path], outdir: Path) -> list[Path]:
        """Convert ``docs`` into ``outdir`` and wait; a failure names the document."""
        pdfs = [(outdir / f"{d.stem}.pdf").resolve() for d in docs]
        for doc, pdf in zip(docs, pdfs):
            self.send(doc, pdf)
        for _ in docs:
            self.receive()
        return pdfs


class Session(_Office):
    """A LibreOffice started on first use and stopped on exit: documents are sent to it one by
    one and its answers received in the same order."""

    def __init__(self, *, profile: Path | None = None, on_start: Callable[[], None] | None = None):
        """``profile``: a LibreOffice profile folder kept between builds (a second faster
        start); used only if no other build holds it, else a temporary one. ``on_start``:
        told each time a LibreOffice process is started."""
        self.on_start = on_start
        self.keep_profile = profile
        self.profile_lock: IO[Any] | None = None
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.profile: tempfile.TemporaryDirectory | None = None
        self.stderr: list[str] = []
        self.ready = False
        self.booted = False
        self.pending: list[tuple[Path, Path]] = []  # sent to LibreOffice, answers awaited in this order
        self.spawn_error: Exception | None = None
        self.on_answer: Callable[[], None] | None = None  # told of each line it says (a ``Pool`` waits on several)

    size = 1  # one LibreOffice: how many documents it converts at once

    def prestart(self, workers: int | None = None) -> None:
        """Start LibreOffice now, without waiting: it boots while the data is read and the
        documents are filled. A missing LibreOffice is reported when it is needed, so that
        data errors come first. (``workers``: a ``Pool``'s; one here.)"""
        if self.proc is None:
            try:
                self._spawn()
            except ToolMissing as exc:
                self.spawn_error = exc

    def _ensure_spawned(self) -> None:
        if self.spawn_error is not None:
            raise self.spawn_error
        if self.proc is None:
            self._spawn()

    def await_ready(self) -> None:
        """The worker says it is ready once LibreOffice answers; requests wait in its stdin."""
        while not self.ready:
            pending = list(self.pending)  # to send again to a fresh start (closing forgets them)
            try:
                answer = self._next(settings.start_timeout(START_TIMEOUT), "le démarrage de LibreOffice", starting=True)
            except ConversionError as error:
                if self.keep_profile is None or error.hung:
                    programs.soffice()  # too old, or not a LibreOffice: says so
                    programs.check_uno(programs.uno_python_path())  # no uno module: says so
                    raise
                # a kept profile can be left broken (a machine stopped mid-write): LibreOffice then stops
                # at once, and starts again afresh. A hang is not retried: it is not the profile's doing
                # (a broken profile makes LibreOffice quit, not wait), and staff would wait twice as long
                self.close()
                self.keep_profile = None
                self._spawn()
                self._write(pending)
                continue
            if not answer.get("ready"):
                raise ConversionError(f"LibreOffice n'a pas démarré : {answer}")
            self.ready = True
            self.booted = True

    def _spawn(self) -> None:
        soffice = programs.soffice_path()  # not run: its version is asked only if it fails to start
        python = programs.uno_python_path()
        profile = self._profile_folder()
        seed_profile(Path(profile), soffice)
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=profile, PYTHONPATH="")
        env.pop("PYTHONHOME", None)
        # the worker inherits the kept profile's lock and holds it until its LibreOffice is gone,
        # even if this build is killed: a LibreOffice still quitting on that profile would take
        # over the next build's requests (same profile, one instance)
        held = (self.profile_lock.fileno(),) if self.profile_lock is not None else ()
        self.proc = subprocess.Popen(
            [str(python), str(WORKER), str(soffice), profile, f"pipeline-{uuid.uuid4().hex}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env=env,
            pass_fds=held,
        )
        # a fresh queue per worker: a dead worker's last words must not be read as the new one's
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines, None, self.on_answer), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, None, self.stderr), daemon=True).start()
        if self.on_start is not None:
            self.on_start()

    def _profile_folder(self) -> str:
        """The kept profile if this build can lock it, else a fresh temporary one."""
        if self.keep_profile is not None:
            try:
                self.keep_profile.mkdir(parents=True, exist_ok=True)
                handle = files.try_lock(self.keep_profile.with_name(self.keep_profile.name + ".lock"))
            except OSError:
                handle = None
            if handle is not None:  # else another build uses it
                self.profile_lock = handle
                return str(self.keep_profile.resolve())
        self.profile = tempfile.TemporaryDirectory(prefix="lo-profile-")
        return self.profile.name

    @staticmethod
    def _read(stream, answers: queue.Queue | None, errors: list[str] | None, told: Callable[[], None] | None = None) -> None:
        for line in stream:
            if answers is not None:
                answers.put(line)
                if told is not None:
                    told()
            elif errors is not None:
                errors.append(line.rstrip())
        if answers is not None:
            answers.put(None)
            if told is not None:  # gone: its next receive says why
                told()

    def _next(self, timeout: float, what: str, *, starting: bool = False) -> dict:
        """The worker's next answer; ``starting``: awaited from LibreOffice's start, not a document."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.hung(timeout, what, starting=starting)
        if line is None:
            self._died(what, starting=starting)
        return json.loads(line)

    def hung(self, timeout: float, what: str, *, starting: bool = False) -> NoReturn:
        """Stop a LibreOffice that gave no answer for ``timeout`` seconds, and say so."""
        self.close()
        raise ConversionError(
            f"LibreOffice ne répond plus pendant {what} (après {timeout:.0f} s) : arrêté", hint=_hint(starting), hung=True
        ) from None

    @property
    def _stdin(self) -> IO[str]:
        """The started worker's input (a worker is started with a pipe to it)."""
        assert self.proc is not None and self.proc.stdin is not None
        return self.proc.stdin

    @property
    def awaiting(self) -> str:
        """What its next answer is about, for a message: its start, or the oldest document sent."""
        return f"la conversion de {self.pending[0][0].name}" if self.ready and self.pending else "le démarrage de LibreOffice"

    @property
    def live(self) -> bool:
        """Started and not released: a document sent now costs no new start."""
        return self.proc is not None and self.proc.poll() is None and not self._stdin.closed

    def _died(self, what: str, *, starting: bool = False) -> NoReturn:
        """Raise the error of a worker that is gone, with its last words."""
        detail = next((e for e in reversed(self.stderr) if e.strip()), "")
        try:
            code = self.proc.wait(timeout=10) if self.proc else None
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        raise ConversionError(
            f"LibreOffice s'est arrêté pendant {what} (code {code}){' : ' + detail[-200:] if detail else ''}",
            hint=_hint(starting),
        )

    def send(self, doc: Path, pdf: Path) -> None:
        """Ask LibreOffice to convert ``doc`` into ``pdf`` and return at once (a released
        LibreOffice is followed by a new one)."""
        if self.proc is not None and self._stdin.closed:
            self.close()
        self._ensure_spawned()
        pdf.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._write([(doc, pdf)])
        except OSError:  # the worker is gone
            if self.ready:  # it was converting: it crashed, on this document or the one before
                self._died(f"la conversion de {doc.name}")
            self.await_ready()  # it never started: says why (or starts afresh and sends again)
            if not self.ready:
                raise ConversionError("LibreOffice s'est arrêté avant de convertir les documents") from None

    def _write(self, pairs: list[tuple[Path, Path]]) -> None:
        self.pending.extend(pairs)
        if pairs:
            self._stdin.write(json.dumps({"convert": [(str(d.resolve()), str(t)) for d, t in pairs]}) + "\n")
            self._stdin.flush()

    def receive(self) -> tuple[Path, Path]:
        """Wait for the answer about the oldest document sent; return it with its PDF, or raise
        an error that names it."""
        self.await_ready()
        doc, pdf = self.pending[0]
        answer = self._next(settings.convert_timeout(SECONDS_PER_DOCUMENT), f"la conversion de {doc.name}")
        self.pending.pop(0)
        vanished = [folder for folder in (doc.parent, pdf.parent) if not folder.is_dir()]
        if vanished:  # not the document's fault: say what happened to the folder
            raise OutputError(
                f"le dossier de travail {vanished[0]} a disparu pendant la conversion de {doc.name}",
                hint="une autre commande l'a effacé, ou le disque a été démonté : relancez la construction",
            )
        if not answer.get("ok") or not pdf.is_file() or pdf.stat().st_size == 0:
            full = files.short_of_space([pdf.parent, tempfile.gettempdir()])
            if full:  # not the document's fault: no room left to write it
                raise OutputError(
                    f"plus de place sur le disque : {full}, pendant la conversion de {doc.name}",
                    hint="libérez de la place (une construction demande quelques centaines de Mo dans "
                    "outputs/ et dans le dossier temporaire) puis relancez",
                )
        if not answer.get("ok") and answer.get("crashed"):
            self.close()  # it is gone: the next document starts a new one
            raise ConversionError(
                f"LibreOffice s'est arrêté pendant la conversion de {doc.name} (arrêté de "
                "l'extérieur, ou à court de mémoire) : le document n'est pas en cause",
                hint="relancez ; si l'arrêt se reproduit sur ce même document, ouvrez-le dans Word "
                "ou LibreOffice pour voir s'il est abîmé",
            )
        if not answer.get("ok"):
            raise ConversionError(
                f"LibreOffice n'a pas pu convertir {Path(answer.get('source', doc)).name} en PDF ({answer.get('error', '?')})",
                hint="ouvrez ce document dans Word ou LibreOffice pour vérifier qu'il n'est pas abîmé",
            )
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise ConversionError(f"LibreOffice n'a rien écrit pour {doc.name}")
        return doc, pdf

    def release(self) -> None:
        """Tell LibreOffice to quit without waiting: it shuts down while the dossier is assembled.

        Should more documents come after all, ``send`` starts a new one."""
        if self.proc is not None and self.proc.poll() is None and not self.pending:
            try:
                self._stdin.write(json.dumps({"quit": True}) + "\n")
                self._stdin.flush()
                self._stdin.close()
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        """Ask LibreOffice to quit; kill its whole process group if it does not."""
        if self.proc is not None:
            try:
                # a LibreOffice that never answered cannot be asked to quit: it is stopped at once
                if self.booted and self.proc.poll() is None and not self._stdin.closed:
                    self._stdin.write(json.dumps({"quit": True}) + "\n")
                    self._stdin.flush()
                if self.booted:
                    self.proc.wait(timeout=15)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
            try:
                self._stdin.close()
            except OSError:
                pass  # nothing more can reach a worker that is gone
            programs.kill_group(self.proc)
            self.proc = None
        self.pending = []
        self.ready = False
        if self.profile is not None:
            self.profile.cleanup()
            self.profile = None
        if self.profile_lock is not None:
            if not self.booted and self.keep_profile is not None:
                # stopped while booting: the profile may be half-written, start afresh next time
                shutil.rmtree(self.keep_profile, ignore_errors=True)
            self.profile_lock.close()
            self.profile_lock = None


def workers() -> int:
    """How many LibreOffice convert at once: two where there are two cores (a LibreOffice
    converts on one), else one."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


class Pool(_Office):
    """Several LibreOffice (``Session``), each on its own profile, with one session's face: a
    document sent goes to the one with the fewest in hand, and answers are received as they come,
    whichever converted them. Every worker's failure is said as a lone session says it; any
    failure stops them all."""

    def __init__(self, *, profile: Path | None = None, on_start: Callable[[], None] | None = None, size: int | None = None):
        """``profile``: the first worker's kept profile, the others' beside it (« -2 »…)."""
        count = size or workers()
        self.arrivals: queue.Queue[Session] = queue.Queue()  # a worker that answered (or died)
        self.sessions = [
            Session(
                profile=profile if i == 0 or profile is None else profile.with_name(f"{profile.name}-{i + 1}"), on_start=on_start
            )
            for i in range(count)
        ]
        for session in self.sessions:
            session.on_answer = lambda session=session: self.arrivals.put(session)
        self.since: dict[int, float] = {}  # a busy worker → when the pool began waiting for it
        self.most = count  # how many of them this run's documents may use (``prestart``)

    @property
    def size(self) -> int:
        """How many convert at once: the workers this run may use."""
        return self.most

    @property
    def pending(self) -> list[tuple[Path, Path]]:
        """Every document sent and not answered yet, whichever worker holds it."""
        return [pair for session in self.sessions for pair in session.pending]

    @property
    def proc(self):
        """The first worker's process (None: none started)."""
        return self.sessions[0].proc

    def prestart(self, workers: int | None = None) -> None:
        """Start ``workers`` of them (all by default) now, without waiting (``Session.prestart``),
        and no more than these for the documents sent until the next call: a start costs a core
        a second, which a lone year's few documents never win back (``build.workers_for``)."""
        self.most = min(workers or len(self.sessions), len(self.sessions))
        for session in self.sessions[: self.most]:
            session.prestart()

    def send(self, doc: Path, pdf: Path) -> None:
        """To the started worker with the fewest documents in hand; none started (or every one
        released), the first of those this run may use starts for it."""
        allowed = self.sessions[: self.most]
        live = [s for s in allowed if s.live] or [next((s for s in allowed if s.proc is None), allowed[0])]
        min(live, key=lambda s: len(s.pending)).send(doc, pdf)

    def receive(self) -> tuple[Path, Path]:
        """The next answer of any worker, in the order they come: the document and its PDF, or
        the error that names it. Each worker has the time a lone session has: to start, then for
        each document, counted from when it was first waited for."""
        while True:
            busy = [s for s in self.sessions if s.pending]
            if not busy:
                raise RuntimeError("nothing sent to LibreOffice")
            now = time.monotonic()
            for session in busy:
                self.since.setdefault(id(session), now)
            late = min(busy, key=lambda s: self.since[id(s)] + _allowed(s))
            wait = self.since[id(late)] + _allowed(late) - now
            try:
                session = self.arrivals.get(timeout=max(wait, 0.0))
            except queue.Empty:
                late.hung(_allowed(late), late.awaiting, starting=not late.ready)
            if not session.ready:  # its start said (or its end before it): taken in, then on
                session.await_ready()
                self.since.pop(id(session), None)
            elif session.pending:  # else a released worker gone quietly
                self.since.pop(id(session), None)
                return session.receive()

    def release(self) -> None:
        """Let every worker with nothing in hand quit (``Session.release``)."""
        for session in self.sessions:
            session.release()

    def close(self) -> None:
        """Stop every worker."""
        for session in self.sessions:
            session.close()


def _allowed(session: Session) -> float:
    """How long a worker may be waited for: its start, or one document."""
    if session.ready:
        return settings.convert_timeout(SECONDS_PER_DOCUMENT)
    return settings.start_timeout(START_TIMEOUT)


def _hint(starting: bool) -> str:
    """What to do about a LibreOffice that stopped or hung: while starting, or on a document."""
    if starting:
        return "relancez ; si cela se reproduit, réinstallez LibreOffice (make setup) et fermez les LibreOffice bloqués"
    return "relancez ; si cela se reproduit, ouvrez ce document dans Word ou LibreOffice pour voir s'il est abîmé"


def profile_for(outputs: Path) -> Path:
    """LibreOffice's own profile, kept between builds beside the PDF cache: a second start is
    faster (a second worker's is beside it, « -2 »)."""
    return outputs / ".cache" / "libreoffice-profile"
