"""The recipe: what is stale → LibreOffice started → data read and checked → documents filled,
converted and assembled → published, for the years of one convention (or of several in turn).

Every build works in a temporary folder beside outputs/ and publishes at the end in one
step: a failed or interrupted build leaves outputs/<convention>/<YEAR>/ exactly as it was.
This module stays light: a rebuild with nothing to do loads no document library.
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from pipeline import places, publish
from pipeline.errors import InputError
from pipeline.events import Event, Watch, unwatched
from pipeline.office import libreoffice

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildRequest:
    """What to build: one convention's dossiers, from which templates, into which outputs."""

    convention_dir: Path  # one convention's folder
    templates: Path  # the shared templates (the convention's own templates/ comes first)
    outputs: Path
    final: bool = False


@dataclass(frozen=True)
class Runtime:
    """Who the build works with and reports to; ``office`` is opened and stopped by the caller
    (``runtime_for``), never by the build."""

    office: libreoffice.Pool | libreoffice.Session
    log: Log = print
    warn: Log = print
    watch: Watch = unwatched  # told each step of the conversions and assemblies (events.Event)
    progress: bool = False


@contextlib.contextmanager
def runtime_for(
    outputs: Path,
    *,
    log: Log = print,
    warn: Log = print,
    watch: Watch = unwatched,
    progress: bool = False,
    workers: int | None = None,
) -> Iterator[Runtime]:
    """A runtime with its LibreOffice workers (two where there are two cores) for every build of
    this run, not started yet (a build with nothing to do never starts them), their profiles kept
    beside the cache; stopped however the run ends. The one owner of those LibreOffice.
    ``workers``: how many (a lane, one of several processes building side by side, takes one)."""
    with libreoffice.Pool(
        profile=libreoffice.profile_for(outputs), size=workers, on_start=lambda: watch(Event("started", ("libreoffice",)))
    ) as office:
        yield Runtime(office, log=log, warn=warn, watch=watch, progress=progress)


def build_years(
    years: list[int], request: BuildRequest, runtime: Runtime, *, release: bool = True, sending: bool = False
) -> list[Path]:
    """Build the dossiers of ``years`` that are not up to date; return every year's path.

    ``release``: LibreOffice is told to quit as soon as nothing is left for it (False when
    another convention waits for it). ``sending``: not the dossiers, but the sending of each
    year's own compte rendu financier with its letter (``make crf``), published apart in
    outputs/<convention>/crf/<YEAR>/, by the same road."""
    started = time.perf_counter()
    office = runtime.office
    out = places.outputs_for(request.outputs, request.convention_dir)  # this convention's years, apart from the others'
    if sending:
        out = places.crf_outputs(out)

    def result(y: int) -> Path:
        return out / str(y) / f"crf-{y}.pdf" if sending else publish.dossier_path(out, y)

    publish.recover(out)  # a build killed between its two renames is put right first
    never_built = [y for y in years if not publish.built_before(out, y)]
    if never_built:  # a year never built needs it for sure: it boots (a second) while the inputs are hashed
        office.prestart(workers=workers_for(never_built))
    taken = {y: publish.taken(out, request.convention_dir, y, request.templates, final=request.final) for y in years}
    todo = _stale(years, out, taken, runtime, "rien n'a changé depuis la dernière construction")
    if not todo:
        return [result(y) for y in years]
    for year in todo:  # a document signed in place in outputs/ stops the build: it belongs in signes/
        publish.keep_signed(out, year, places.signed_folder(request.convention_dir))
    # a year built before but stale is known only now: it boots while the libraries load and the
    # data is read (already started above, or by the convention before: nothing more)
    office.prestart(workers=workers_for(todo))
    from pipeline import cache, dossier, schedule  # the document libraries: loaded only when there is work

    loaded = _load(todo, request, runtime, sending=sending)
    out.mkdir(parents=True, exist_ok=True)
    with publish.locks(out, todo, skip_held=len(years) > 1) as locked, contextlib.ExitStack() as stack:
        for year in sorted(set(todo) - set(locked)):  # several years asked: those another build holds are its own
            runtime.warn(
                f"avertissement : {request.convention_dir.name} {year} non construit : une autre "
                "construction de cette année est en cours — relancez ensuite pour vérifier qu'il est à jour"
            )
        # decided again under the lock: a build of the same year may have finished meanwhile
        todo = _stale(locked, out, taken, runtime, "construit entre-temps par une autre commande")
        if not todo:
            return [result(y) for y in years]
        builds = [
            dossier.YearBuild(
                data, _temporary(stack, publish.working_prefix("build", [data.year.annee]), out), request.templates, request.final
            )
            for data in loaded
            if data.year.annee in todo
        ]
        scheduler = schedule.Schedule(
            office,
            cache.PdfCache(request.outputs / ".cache" / "pdf"),
            _temporary(stack, publish.working_prefix("pdf", todo), out),
            release=release,
            progress=runtime.progress,
            watch=runtime.watch,
        )
        # a failure stops LibreOffice at once, even one another convention waits for; entered after the
        # temporary folders, so left before they are removed: an interrupted LibreOffice still writing
        # a PDF would otherwise put it back in a folder already gone
        stack.enter_context(office.stopped_on_failure())
        with stage("documents remplis, convertis en PDF et assemblés", runtime.log):
            for job in builds:  # LibreOffice converts each document while the next one is filled
                dossier.fill_first_round(job, ready=functools.partial(scheduler.filled, job))
                scheduler.add(job)
            for job in builds:  # the attached pieces made ready while LibreOffice works
                dossier.prepare_pieces(job)
            disagreements = _disagreements(request)  # read while LibreOffice works, said after the fills' warnings
            scheduler.run()  # bordereaux filled with their pages, dossiers assembled, as PDFs arrive
        _said(builds, disagreements, runtime)
        _signed_originals(builds, request, runtime)
        with stage("publication", runtime.log):
            for job in builds:
                publish.publish(job.work, job.year, out, taken[job.year].with_signed(dossier.signed_read(job)))
        if scheduler.converted == 0:
            runtime.log("  aucun document à convertir : tous repris du cache")
    runtime.log(f"{request.convention_dir.name} : terminé en {time.perf_counter() - started:.1f} s")
    return [result(y) for y in years]


def workers_for(years: list[int]) -> int | None:
    """How many LibreOffice a build of ``years`` starts: one for a lone year (None: every worker).

    A year's five documents come from Python's fills no faster than one LibreOffice converts
    them; a second costs a second of a core to start, taken from those fills on a machine of two
    cores (measured: the same time, a quarter less CPU). Several years give it enough to do."""
    return 1 if len(years) == 1 else None


def build_conventions(requests: list[BuildRequest], year: int | None, runtime: Runtime) -> Iterator[Path]:
    """The dossiers of ``year`` (or of every year with data) of each convention in turn, with the
    runtime's one LibreOffice for them all, released after the last."""
    for index, request in enumerate(requests):
        years = [year] if year is not None else _years_with_data(request.convention_dir)
        yield from build_years(years, request, runtime, release=index == len(requests) - 1)


@contextlib.contextmanager
def stage(name: str, log: Log):
    """Log one line per stage with its duration."""
    start = time.perf_counter()
    yield
    log(f"  {name} ({time.perf_counter() - start:.2f} s)")


def _stale(years: list[int], out: Path, taken: dict, runtime: Runtime, reason: str) -> list[int]:
    """The years whose outputs do not match the inputs ``taken`` at the start; the others are said
    up to date."""
    todo = [y for y in years if taken[y].differs_from(out / str(y))]
    for year in sorted(set(years) - set(todo)):
        runtime.log(f"  {taken[year].convention_dir.name} {year} : déjà à jour ({reason})")
    return todo


def _load(years: list[int], request: BuildRequest, runtime: Runtime, *, sending: bool = False) -> list:
    """Each year's data, checked; a warning about a year read by two dossiers is given once."""
    # lazy: the data model (~0.1 s) is not needed by --help
    from pipeline.convention import model

    load = model.load_sending if sending else model.load
    with stage("données vérifiées", runtime.log):
        loaded = [load(request.convention_dir, year, final=request.final) for year in years]
        seen: set[str] = set()
        for data in loaded:
            for warning in data.warnings:
                if warning not in seen:
                    seen.add(warning)
                    runtime.warn(f"avertissement : {warning}")
    return loaded


def _disagreements(request: BuildRequest) -> list[str]:
    """Where convention.yaml and the convention's text disagree, as ``check`` says it."""
    # lazy: templates loads python-docx and docxtpl (~0.3 s)
    from pipeline.templates import text_disagreements

    return text_disagreements(request.convention_dir, request.templates)


def _said(builds: list, disagreements: list[str], runtime: Runtime) -> None:
    """What the fills warned of, as ``check`` says it: where convention.yaml and the convention's
    text disagree, then the documents' own warnings."""
    said = list(disagreements)
    for job in builds:
        said += [w for w in job.warnings if w not in said]
    for warning in said:
        runtime.warn(f"avertissement : {warning}")


def _signed_originals(builds: list, request: BuildRequest, runtime: Runtime) -> None:
    """What the signed originals' checks found: warnings in a draft; with --final, the build
    stops before publishing, every problem listed."""
    errors = []
    for job in builds:
        for finding in job.findings:
            if finding.stops(final=request.final):
                errors.append(finding.message)
            else:
                runtime.warn(f"avertissement : {finding.said(final=request.final)}")
    if errors:
        raise InputError(
            list(dict.fromkeys(errors)),
            hint="les documents signés à part doivent revenir signés, intacts et conformes aux données (docs/guide-signature.md)",
        )


def _years_with_data(convention: Path) -> list[int]:
    # lazy: the data model (~0.1 s) is not needed by --help
    from pipeline.convention import model

    return model.dossier_years(convention)


def _temporary(stack: contextlib.ExitStack, prefix: str, beside: Path) -> Path:
    """A temporary folder beside the outputs (same disk: publishing is a rename), removed on the way out."""
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix, dir=beside)))
