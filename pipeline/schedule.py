"""Every year's documents through the build's one LibreOffice, and each dossier assembled as
soon as its parts are in.

Each PDF is converted once: it is keyed by its .docx and its date (a ``Conversion``, whoever
needs it), so the convention of later years, identical, is converted once, and a document
converted by an earlier build is taken from the cache. The bordereau (the catalogue's
``lists_pieces``) gives the dossier page of each piece, which depends on the length of every
part, its own included: once a year's other documents are converted it is filled assuming one
page and sent before anything still queued; the dossier is assembled as soon as it arrives with
that length (while LibreOffice converts the next year), else it is filled again with its real
length, at most MAX_BORDEREAU_ROUNDS times.

The recipe hands each year in with ``Schedule.add`` as soon as it is filled, then makes one
call, ``Schedule.run``; its ``events.Event``s say what happened, in order, to whoever watches.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

import click

from pipeline import cache, dossier
from pipeline.dossier import YearBuild
from pipeline.errors import OutputError
from pipeline.events import Event, Watch, unwatched
from pipeline.office import libreoffice
from pipeline.pdf import assemble, reproducible

MAX_BORDEREAU_ROUNDS = 4

# documents handed to LibreOffice ahead of their turn: one converting, one waiting, so that it
# never idles while Python handles the last PDF, and a document asked for ``first`` (a year's
# bordereau, which its dossier waits for) passes the rest of the queue
WINDOW = 2


class Feed:
    """LibreOffice kept busy: WINDOW documents in its hands, the others queued in order, a
    document asked ``first`` ahead of the queue."""

    def __init__(self, office: libreoffice.Pool | libreoffice.Session, *, progress: bool = False):
        self.office, self.progress = office, progress
        self.queue: list[tuple[Path, Path]] = []  # not sent yet

    def add(self, docs: list[Path], outdir: Path, *, first: bool = False) -> None:
        pairs = [(d, (outdir / f"{d.stem}.pdf").resolve()) for d in docs]
        self.queue = pairs + self.queue if first else self.queue + pairs
        self._top_up()

    @property
    def idle(self) -> bool:
        """Nothing sent or queued is left: LibreOffice may go."""
        return not self.office.pending and not self.queue

    def run(self, on_done: Callable[[Path, Path], None]) -> None:
        """Until every document is converted: ``on_done(docx, pdf)`` runs as each PDF arrives,
        while LibreOffice goes on with the next one, and may add more."""
        bar = (
            click.progressbar(length=len(self.office.pending) + len(self.queue), label="Conversion PDF", file=sys.stderr)
            if self.progress and not self.idle
            else None
        )
        try:
            while self.office.pending:
                doc, pdf = self.office.receive()
                self._top_up()  # LibreOffice goes on while this PDF is handled
                if bar:
                    bar.length = max(bar.length or 0, bar.pos + 1 + len(self.office.pending) + len(self.queue))
                    bar.update(1)
                on_done(doc, pdf)
        finally:
            if bar:
                bar.render_finish()

    def _top_up(self) -> None:
        # one more per other worker: each converts one while one waits, whichever frees first
        while self.queue and len(self.office.pending) < WINDOW + self.office.size - 1:
            self.office.send(*self.queue.pop(0))


@dataclass
class Conversion:
    """One PDF, whoever needs it: a document keyed by its .docx and its date, converted once for
    every year that uses it, or taken from the cache. ``cached``: in place at once; ``sent``:
    queued or in LibreOffice's hands; ``placed``: converted, normalised, cached and put in place
    for every year that asked for it meanwhile."""

    digest: str  # the cache key: the .docx and the date its PDF carries
    date: dt.datetime  # the date its PDF carries
    source: Path | None  # the document sent to LibreOffice (None: taken from the cache)
    targets: list[Path]  # where its PDF goes, in every year that uses it
    pages: int | None = None  # its length, read from the cache or as soon as LibreOffice answers
    state: Literal["cached", "sent", "placed"] = "sent"

    @property
    def in_place(self) -> bool:
        """Its PDF may be copied from the cache to a new target at once."""
        return self.state != "sent"


@dataclass
class YearState:
    """Where one year stands on its way to its dossier."""

    build: YearBuild
    bordereau_length: int = 1  # the length the bordereau was last filled for
    rounds: int = 0  # how many times it was filled
    awaited: Conversion | None = None  # the last bordereau sent
    settled: bool = False  # its length is the one it was filled for (or the dossier has none)
    assembled: bool = False


class Schedule:
    """One build's conversions and assemblies, driven by LibreOffice's answers."""

    def __init__(
        self,
        office: libreoffice.Pool | libreoffice.Session,
        store: cache.PdfCache,
        tmp: Path,
        *,
        release: bool,
        progress: bool = False,
        watch: Watch = unwatched,
    ):
        """``release``: let LibreOffice go as soon as nothing is left for it (no other
        convention waits for it). ``progress``: a progress bar on the terminal."""
        self.office, self.store, self.tmp, self.release, self.watch = office, store, tmp, release, watch
        self.feed = Feed(office, progress=progress)
        self.years: list[YearState] = []
        self.conversions: dict[str, Conversion] = {}  # digest → its conversion, for every year

    @property
    def converted(self) -> int:
        """How many PDFs LibreOffice made for this build (none: all from the cache)."""
        return sum(c.state == "placed" for c in self.conversions.values())

    def filled(self, job: YearBuild, key: str) -> None:
        """One document of a year being filled: taken from the cache, or sent to LibreOffice at
        once, so that it converts while the next one is filled."""
        self._submit(job, [key])

    def add(self, job: YearBuild) -> None:
        """Take in a filled year: its first-round documents not handed in one by one (``filled``)
        are taken from the cache, or go to LibreOffice at once."""
        self.years.append(YearState(job))
        self._submit(job, [k for k in dossier.first_round(job) if job.files[k].digest is None])

    def run(self) -> None:
        """Wait for LibreOffice until every year's dossier is assembled."""
        assemble.prepare()
        self._advance()
        self.feed.run(self._on_converted)
        missing = [target.name for c in self.conversions.values() for target in c.targets if not target.exists()]
        if missing:
            raise OutputError(f"le PDF de {', '.join(missing)} manque après la conversion", hint="relancez la construction")
        left = [str(y.build.year) for y in self.years if not y.assembled]
        if left:
            raise OutputError(f"le dossier {', '.join(left)} n'a pas pu être assemblé", hint="relancez la construction")

    def _on_converted(self, docx: Path, pdf: Path) -> None:
        """A PDF arrived: its length may let a bordereau go (LibreOffice is kept busy first), then
        it is normalised, cached and put in place for every year that uses it."""
        conversion = next(c for c in self.conversions.values() if c.state == "sent" and c.source == docx)
        self.watch(Event("converted", (docx.stem,)))
        conversion.pages = assemble.page_count(pdf, docx.name)
        self._advance()  # may send a bordereau, which needs every page count
        if self.release and self.feed.idle:
            self.office.release()  # it shuts down while the last dossier is assembled
        reproducible.normalise_pdf(pdf, conversion.date, seed=conversion.digest.encode())
        self.store.put(conversion.digest, pdf)
        for target in conversion.targets:  # replaces an earlier round's PDF, if any
            self.store.get(conversion.digest, target)
        conversion.state = "placed"
        self._opened(conversion.digest)

    def _pages(self) -> dict[str, int]:
        """digest → page count, for every PDF whose length is known."""
        return {digest: c.pages for digest, c in self.conversions.items() if c.pages is not None}

    def _in_place(self, digest: str | None) -> bool:
        conversion = self.conversions.get(digest) if digest is not None else None
        return conversion is not None and conversion.in_place

    def _submit(self, job: YearBuild, keys: list[str], *, first: bool = False) -> None:
        """Put each document's PDF in place from the cache, or send it to LibreOffice (once)."""
        docs = []
        # biggest first: the last to arrive, handled while LibreOffice converts the bordereau, is small
        for k in sorted(keys, key=lambda k: -job.files[k].source.stat().st_size):
            source = job.files[k].source
            when = reproducible.build_date(job.date_of(k))
            digest = cache.key(source, when.isoformat())
            target = dossier.converting(job, k, digest)
            conversion = self.conversions.get(digest)
            if conversion is not None:
                conversion.targets.append(target)
                if conversion.in_place:  # converted earlier in this build, or by an earlier one
                    self.store.get(digest, target)
                continue  # else on its way: put in place when it arrives
            if self.store.get(digest, target):
                self.conversions[digest] = Conversion(
                    digest, when, None, [target], assemble.page_count(target, target.name), "cached"
                )
                continue
            self.conversions[digest] = Conversion(digest, when, source, [target])
            docs.append(source)
        if docs:
            self.watch(Event("queued", tuple(d.stem for d in docs)))
        self.feed.add(docs, self.tmp, first=first)

    def _advance(self) -> None:
        """Move every year as far as the page counts known allow."""
        for year in self.years:
            while not year.assembled and self._step(year):
                pass
        self._assemble_ready()

    def _step(self, year: YearState) -> bool:
        """Send the year's bordereau once its other documents' page counts are known; judge its
        length once it arrived, and fill it again if it is not the one assumed. True when a
        bordereau was sent: step again, it may have come from the cache and be judged at once."""
        job = year.build
        if year.settled:
            return False
        if year.awaited is None:  # not sent yet
            if not all(self._conversion(job, k).pages is not None for k in dossier.first_round(job)):
                return False
            if dossier.piece_list(job) is None:  # the closing dossier has no call, hence no bordereau
                year.settled = True
                return False
        elif year.awaited.pages is None:
            return False
        elif year.awaited.pages == year.bordereau_length:
            year.settled = True
            return False
        else:
            year.bordereau_length = year.awaited.pages
        year.rounds += 1
        if year.rounds > MAX_BORDEREAU_ROUNDS:
            raise OutputError("la longueur du bordereau ne se stabilise pas", hint="signalez-le à l'équipe technique")
        dossier.fill_bordereau(job, self._pages(), year.bordereau_length)
        key = dossier.piece_list(job)
        assert key is not None  # a dossier without a bordereau was settled above
        self._submit(job, [key], first=True)
        year.awaited = self._conversion(job, key)
        return True

    def _conversion(self, job: YearBuild, key: str) -> Conversion:
        """The conversion a document was sent to (its digest is known once it is sent)."""
        digest = job.files[key].digest
        assert digest is not None
        return self.conversions[digest]

    def _opened(self, digest: str) -> None:
        """A PDF is in place: the years that use it open it now, while LibreOffice works."""
        for year in self.years:
            for key in dossier.first_round(year.build):
                if year.build.files[key].digest == digest:
                    dossier.open_converted(year.build, key)
        self._assemble_ready()

    def _assemble_ready(self) -> None:
        for year in self.years:
            job = year.build
            if not year.assembled and year.settled and all(self._in_place(c.digest) for c in job.files.values()):
                year.assembled = True
                dossier.assemble_dossier(job, self._pages())
                self.watch(Event("assembled", (str(job.year),)))
