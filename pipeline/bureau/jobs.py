"""The builds started from a page: each one ``build.build_years`` in a thread of its own, as a
terminal runs it — the same locks (a second build of the same year gets the same refusal as
in a second terminal), the same log and warnings, the same one-line error — with its progress
events (``events.Event``, told to ``Runtime.watch``) kept in order for the pages that follow it.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

from pipeline import build, files
from pipeline.errors import PipelineError
from pipeline.events import Event

# how a build gets its LibreOffice: ``build.runtime_for`` as the command line does (the tests may
# give a runtime of theirs); called with log, warn and watch
RuntimeFactory = Callable[..., ContextManager[build.Runtime]]


@dataclass
class Said:
    """One line a build said: ``kind`` is « journal », « avertissement », « progression »,
    « fin » or « erreur »."""

    kind: str
    text: str


@dataclass
class Job:
    id: str
    convention: Path
    year: int
    final: bool
    said: list[Said] = field(default_factory=list)
    done: bool = False
    ok: bool = False
    dossier: Path | None = None
    runtime: build.Runtime | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def say(self, kind: str, text: str) -> None:
        with self.changed:
            self.said.append(Said(kind, text))
            self.changed.notify_all()

    def since(self, index: int) -> tuple[list[Said], bool]:
        """What was said from ``index`` on, and whether the build is over."""
        with self.changed:
            return self.said[index:], self.done


EVENT_WORDS = {
    "started": "LibreOffice démarré",
    "queued": "en conversion",
    "converted": "converti en PDF",
    "assembled": "dossier assemblé",
}


def event_line(event: Event) -> str:
    """A progress event in French: what happened, and to which documents."""
    words = EVENT_WORDS.get(event.kind, event.kind)
    names = [n for n in event.names if n != "libreoffice"]
    return f"{words} : {', '.join(names)}" if names else words


class Builds:
    """The builds of this bureau, by id; each runs in its own thread."""

    def __init__(self, templates: Path, outputs: Path, runtime: RuntimeFactory | None = None):
        self.templates, self.outputs = templates, outputs
        self.runtime = runtime or (lambda **told: build.runtime_for(outputs, **told))
        self.jobs: dict[str, Job] = {}
        self.threads: list[threading.Thread] = []
        self.ids = itertools.count(1)
        self.lock = threading.Lock()

    def start(self, convention: Path, year: int, final: bool) -> Job:
        with self.lock:
            job = Job(str(next(self.ids)), convention, year, final)
            self.jobs[job.id] = job
        thread = threading.Thread(target=self._run, args=(job,), name=f"bureau-build-{job.id}", daemon=True)
        self.threads.append(thread)
        thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def latest(self, convention: Path, year: int) -> Job | None:
        """The last build of a year started here, running or not."""
        mine = [j for j in self.jobs.values() if j.convention == convention and j.year == year]
        return mine[-1] if mine else None

    def _run(self, job: Job) -> None:
        request = build.BuildRequest(job.convention, self.templates, self.outputs, job.final)
        job.say("journal", f"construction {'définitive' if job.final else 'de travail'} de {job.convention.name} {job.year}")
        try:
            with self.runtime(
                log=lambda line: job.say("journal", line.strip()),
                warn=lambda line: job.say("avertissement", line.removeprefix("avertissement : ")),
                watch=lambda event: job.say("progression", event_line(event)),
            ) as runtime:
                job.runtime = runtime
                paths = build.build_years([job.year], request, runtime)
            job.dossier = paths[0] if paths else None
            job.ok = True
            job.say("fin", f"dossier : {job.dossier.name if job.dossier else '?'}")
        except PipelineError as exc:  # as the command line says it: « erreur : <message — hint> »
            job.say("erreur", f"erreur : {exc}")
        except OSError as exc:
            full = files.full_disk_error(exc, [str(self.outputs)])
            job.say(
                "erreur",
                f"erreur : {full}"
                if full
                else f"erreur : {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else ""),
            )
        except Exception as exc:  # a bug of ours: one line still, the page stays up
            job.say(
                "erreur",
                f"erreur inattendue : {exc.__class__.__name__}: {exc} — transmettez le message à "
                "l'équipe technique ; les documents publiés précédemment sont intacts",
            )
        finally:
            job.runtime = None
            with job.changed:
                job.done = True
                job.changed.notify_all()

    def stop(self, wait: float = 10.0) -> None:
        """At the bureau's end (Ctrl-C): each running build's LibreOffice stopped, so that the
        build fails at once and cleans up as an interrupted one does; then waited for."""
        for job in list(self.jobs.values()):
            runtime = job.runtime
            if runtime is not None and not job.done:
                with contextlib.suppress(Exception):
                    runtime.office.close()
        for thread in self.threads:
            thread.join(wait)
