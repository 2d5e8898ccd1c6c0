"""The recipe: what is stale → LibreOffice started → data read and checked → documents filled,
converted and assembled → published, for the years of one convention (or of several in turn).

Every build works in a temporary folder beside outputs/ and publishes at the end in one
step: a failed or interrupted build leaves outputs/<convention>/<YEAR>/ exactly as it was.
This module stays light: a rebuild with nothing to do loads no document library.
"""
from __future__ import annotations

import contextlib
import dataclasses
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from pipeline import places, publish
from pipeline.events import Event, Watch, unwatched
from pipeline.office import libreoffice

Log = Callable[[str], None]


@dataclass
class Options:
    inputs: Path     # one convention's folder
    templates: Path  # the shared templates (the convention's own templates/ comes first)
    outputs: Path
    final: bool = False
    progress: bool = False
    office: libreoffice.Session | None = None  # a LibreOffice already started by the caller
    keep_office: bool = False  # the caller's LibreOffice serves other conventions after this one: left running
    log: Log = print
    warn: Log = print
    watch: Watch = unwatched   # told each step of the conversions and assemblies (events.Event)


def build(years: list[int], opts: Options) -> list[Path]:
    """Build the dossiers of ``years`` that are not up to date; return every year's path."""
    started = time.perf_counter()
    out = places.outputs_for(opts.outputs, opts.inputs)  # this convention's years, apart from the others'
    publish.recover(out)  # a build killed between its two renames is put right first
    office = opts.office or new_office(opts)
    if not all(publish.built_before(out, y) for y in years):
        office.prestart()  # a year never built needs it for sure: it boots (a second) while the inputs are hashed
    todo = _stale(years, out, opts, "rien n'a changé depuis la dernière construction")
    if not todo:
        return [publish.dossier_path(out, y) for y in years]
    for year in todo:  # a document signed in place in outputs/ stops the build: it belongs in signes/
        publish.keep_signed(out, year, places.signed_folder(opts.inputs))
    office.prestart()  # if not yet: it boots while the document libraries load and the data is read
    from pipeline import cache, dossier, schedule  # the document libraries: loaded only when there is work

    shared = opts.office is not None and opts.keep_office
    with contextlib.nullcontext(office) if shared else office:
        loaded = _load(todo, opts)
        out.mkdir(parents=True, exist_ok=True)
        with publish.locks(out, todo), contextlib.ExitStack() as stack:
            # decided again under the lock: a build of the same year may have finished meanwhile
            todo = _stale(todo, out, opts, "construit entre-temps par une autre commande")
            builds = [dossier.YearBuild(i, _temporary(stack, publish.working_prefix("build", [i.year.annee]), out),
                                        opts.templates, opts.final)
                      for i in loaded if i.year.annee in todo]
            jobs = schedule.Schedule(office, cache.PdfCache(opts.outputs / ".cache" / "pdf"),
                                     _temporary(stack, publish.working_prefix("pdf", todo), out), release=not shared,
                                     progress=opts.progress,
                                     watch=opts.watch)
            # stopped first on the way out (on a failure, even if shared): an interrupted LibreOffice
            # still writing a PDF would otherwise put it back in a temporary folder already removed
            stack.push(lambda failure, *_: office.close() if failure is not None or not shared else None)
            with stage("documents remplis, convertis en PDF et assemblés", opts.log):
                for b in builds:  # LibreOffice converts a year while the next one is filled
                    dossier.fill_first_round(b)
                    jobs.add(b)
                for b in builds:  # the attached pieces made ready while LibreOffice works
                    dossier.prepare_pieces(b)
                jobs.run()  # bordereaux filled with their pages, dossiers assembled, as PDFs arrive
            _signed_originals(builds, opts)
            with stage("publication", opts.log):
                for b in builds:
                    publish.publish(b.work, opts.inputs, b.year, out, opts.templates, final=opts.final,
                                    signed=dossier.signed_names(b))
            if jobs.converted == 0:
                opts.log("  aucun document à convertir : tous repris du cache")
    opts.log(f"{opts.inputs.name} : terminé en {time.perf_counter() - started:.1f} s")
    return [publish.dossier_path(out, y) for y in years]


def build_conventions(conventions: list[Path], year: int | None, opts: Options) -> Iterator[Path]:
    """The dossiers of ``year`` (or of every year with data) of each convention in turn, with one
    LibreOffice for them all, stopped however it ends."""
    office = opts.office or new_office(opts)
    try:
        for i, convention in enumerate(conventions):
            years = [year] if year is not None else _years_with_data(convention)
            yield from build(years, dataclasses.replace(opts, inputs=convention, office=office,
                                                        keep_office=i < len(conventions) - 1))
    finally:
        office.close()


def new_office(opts: Options) -> libreoffice.Session:
    """A LibreOffice for this build, not started yet, with the profile kept beside the cache."""
    return libreoffice.Session(profile=libreoffice.profile_for(opts.outputs),
                               on_start=lambda: opts.watch(Event("started", ("libreoffice",))))


@contextlib.contextmanager
def stage(name: str, log: Log):
    """Log one line per stage with its duration."""
    start = time.perf_counter()
    yield
    log(f"  {name} ({time.perf_counter() - start:.2f} s)")


def _stale(years: list[int], out: Path, opts: Options, reason: str) -> list[int]:
    """The years whose outputs do not match their inputs any more; the others are said up to date."""
    todo = [y for y in years if not publish.up_to_date(out, opts.inputs, y, opts.templates, final=opts.final)]
    for year in sorted(set(years) - set(todo)):
        opts.log(f"  {opts.inputs.name} {year} : déjà à jour ({reason})")
    return todo


def _load(years: list[int], opts: Options) -> list:
    """Each year's data, checked; a warning about a year read by two dossiers is given once."""
    from pipeline.convention import model

    with stage("données vérifiées", opts.log):
        loaded = [model.load(opts.inputs, year, final=opts.final) for year in years]
        seen: set[str] = set()
        for inputs in loaded:
            for warning in inputs.warnings:
                if warning not in seen:
                    seen.add(warning)
                    opts.warn(f"avertissement : {warning}")
    return loaded


def _signed_originals(builds: list, opts: Options) -> None:
    """What the signed originals' checks found: warnings in a draft; with --final, the build
    stops before publishing, every problem listed."""
    from pipeline.errors import InputError

    errors = []
    for b in builds:
        for message, breach in b.findings:
            if breach and opts.final:
                errors.append(message)
            else:
                opts.warn(f"avertissement : {message}" + (" (erreur avec --final)" if breach else ""))
    if errors:
        raise InputError(list(dict.fromkeys(errors)), hint="les documents signés à part doivent revenir signés, "
                                                           "intacts et conformes aux données (docs/guide-signature.md)")


def _years_with_data(convention: Path) -> list[int]:
    from pipeline.convention import model

    return model.dossier_years(convention)


def _temporary(stack: contextlib.ExitStack, prefix: str, beside: Path) -> Path:
    """A temporary folder beside the outputs (same disk: publishing is a rename), removed on the way out."""
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix, dir=beside)))
