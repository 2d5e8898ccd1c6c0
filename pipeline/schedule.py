"""Every year's documents through the build's one LibreOffice, and each dossier assembled as
soon as its parts are in.

Each PDF is converted once: it is keyed by its .docx and its date, so the convention of later
years, identical, is converted once, and a document converted by an earlier build is taken
from the cache. The bordereau gives the dossier page of each piece, which depends on the
length of every part, its own included: once a year's other documents are converted it is
filled assuming one page and sent before anything still queued; the dossier is assembled as
soon as it arrives with that length (while LibreOffice converts the next year), else it is
filled again with its real length.

The recipe hands each year in with ``Schedule.add`` as soon as it is filled, then makes one
call, ``Schedule.run``; its ``events.Event``s say what happened, in order, to whoever watches.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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

    def __init__(self, office: libreoffice.Session, *, progress: bool = False):
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
        bar = click.progressbar(length=len(self.office.pending) + len(self.queue), label="Conversion PDF",
                                file=sys.stderr) if self.progress and not self.idle else None
        try:
            while self.office.pending:
                doc, pdf = self.office.receive()
                self._top_up()  # LibreOffice goes on while this PDF is handled
                if bar:
                    bar.length = max(bar.length, bar.pos + 1 + len(self.office.pending) + len(self.queue))
                    bar.update(1)
                on_done(doc, pdf)
        finally:
            if bar:
                bar.render_finish()

    def _top_up(self) -> None:
        while self.queue and len(self.office.pending) < WINDOW:
            self.office.send(*self.queue.pop(0))


@dataclass
class YearState:
    """Where one year stands on its way to its dossier."""

    build: YearBuild
    bordereau_length: int = 1       # the length the bordereau was last filled for
    rounds: int = 0                 # how many times it was filled
    awaited: str | None = None      # the cache key of the last bordereau sent
    settled: bool = False           # its length is the one it was filled for (or the dossier has none)
    assembled: bool = False


class Schedule:
    """One build's conversions and assemblies, driven by LibreOffice's answers."""

    def __init__(self, office: libreoffice.Session, store: cache.PdfCache, tmp: Path, *, release: bool,
                 progress: bool = False, watch: Watch = unwatched):
        """``release``: let LibreOffice go as soon as nothing is left for it (no other
        convention waits for it). ``progress``: a progress bar on the terminal."""
        self.office, self.store, self.tmp, self.release, self.watch = office, store, tmp, release, watch
        self.feed = Feed(office, progress=progress)
        self.years: list[YearState] = []
        self.planned: dict[str, dt.datetime] = {}   # digest → the date its PDF carries, for those sent
        self.by_source: dict[Path, str] = {}        # document sent → its digest
        self.wanted: list[tuple[str, Path]] = []    # (digest, where its PDF goes), for every year
        self.pages: dict[str, int] = {}  # digest → page count, known as soon as LibreOffice answers
        self.placed: set[str] = set()    # digests whose PDF is normalised and in place
        self.converted = 0

    def add(self, b: YearBuild) -> None:
        """Take in a filled year: its first-round documents are taken from the cache, or go to
        LibreOffice at once."""
        self.years.append(YearState(b))
        self._submit(b, dossier.first_round(b))

    def run(self) -> None:
        """Wait for LibreOffice until every year's dossier is assembled."""
        assemble.prepare()
        self._advance()

        def done(docx: Path, pdf: Path) -> None:
            digest = self.by_source[docx]
            self.watch(Event("converted", (docx.stem,)))
            self.pages[digest] = assemble.page_count(pdf, docx.name)
            self._advance()  # may send a bordereau, which needs every page count
            if self.release and self.feed.idle:
                self.office.release()  # it shuts down while the last dossier is assembled
            reproducible.normalise_pdf(pdf, self.planned[digest], seed=digest.encode())
            self.store.put(digest, pdf)
            for wanted, target in self.wanted:
                if wanted == digest:  # replaces an earlier round's PDF, if any
                    self.store.get(digest, target)
            self.placed.add(digest)
            self.converted += 1
            self._opened(digest)

        self.feed.run(done)
        missing = [target.name for _, target in self.wanted if not target.exists()]
        if missing:
            raise OutputError(f"le PDF de {', '.join(missing)} manque après la conversion", hint="relancez la construction")
        left = [str(y.build.year) for y in self.years if not y.assembled]
        if left:
            raise OutputError(f"le dossier {', '.join(left)} n'a pas pu être assemblé", hint="relancez la construction")

    def _submit(self, b: YearBuild, keys: list[str], *, first: bool = False) -> None:
        """Put each document's PDF in place from the cache, or send it to LibreOffice (once)."""
        docs = []
        # biggest first: the last to arrive, handled while LibreOffice converts the bordereau, is small
        for k in sorted(keys, key=lambda k: -b.files[k].source.stat().st_size):
            converted = b.files[k]
            when = reproducible.build_date(b.date_of(k))
            digest = cache.key(converted.source, when.isoformat())
            converted.pdf, converted.digest = converted.source.with_suffix(".pdf"), digest
            self.wanted.append((digest, converted.pdf))
            if digest in self.placed:  # converted earlier in this build, or by an earlier one
                self.store.get(digest, converted.pdf)
                continue
            if digest in self.planned:  # on its way: put in place when it arrives
                continue
            if self.store.get(digest, converted.pdf):
                self.pages[digest] = assemble.page_count(converted.pdf, converted.pdf.name)
                self.placed.add(digest)
                continue
            self.planned[digest] = when
            self.by_source[converted.source] = digest
            docs.append(converted.source)
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
        b, pages = year.build, self.pages
        if year.settled:
            return False
        if year.awaited is None:  # not sent yet
            if not all(b.files[k].digest in pages for k in dossier.first_round(b)):
                return False
            if dossier.piece_list(b) is None:  # the closing dossier has no call, hence no bordereau
                year.settled = True
                return False
        elif year.awaited not in pages:
            return False
        elif pages[year.awaited] == year.bordereau_length:
            year.settled = True
            return False
        else:
            year.bordereau_length = pages[year.awaited]
        year.rounds += 1
        if year.rounds > MAX_BORDEREAU_ROUNDS:
            raise OutputError("la longueur du bordereau ne se stabilise pas", hint="signalez-le à l'équipe technique")
        dossier.fill_bordereau(b, pages, year.bordereau_length)
        key = dossier.piece_list(b)
        self._submit(b, [key], first=True)
        year.awaited = b.files[key].digest
        return True

    def _opened(self, digest: str) -> None:
        """A PDF is in place: the years that use it open it now, while LibreOffice works."""
        for year in self.years:
            for key in dossier.first_round(year.build):
                if year.build.files[key].digest == digest:
                    dossier.open_converted(year.build, key)
        self._assemble_ready()

    def _assemble_ready(self) -> None:
        for year in self.years:
            b = year.build
            if not year.assembled and year.settled and all(c.digest in self.placed for c in b.files.values()):
                year.assembled = True
                dossier.assemble_dossier(b, self.pages)
                self.watch(Event("assembled", (str(b.year),)))
