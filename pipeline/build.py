"""The recipe: load → contexts → render .docx → PDF → dossier → publish, for one or more years.

Every build works in a temporary folder beside outputs/ and publishes at the end in one
step: a failed or interrupted build leaves outputs/<YEAR>/ exactly as it was.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline import cache, checks, french, places, publish, render
from pipeline.convention import catalogue, documents, model
from pipeline.office import libreoffice as convert
from pipeline.pdf import assemble, marks, pieces, reproducible, signing
from pipeline.errors import OutputError, TemplateProblem

Log = Callable[[str], None]


@dataclass
class Options:
    inputs: Path     # one convention's folder
    templates: Path  # the shared templates (the convention's own templates/ comes first)
    outputs: Path
    final: bool = False
    progress: bool = False
    office: convert.Session | None = None  # a LibreOffice already started by the caller
    keep_office: bool = False  # the caller's LibreOffice serves other conventions after this one: left running
    log: Log = print
    warn: Log = print


@dataclass
class YearBuild:
    """What one year's build is made of, as it goes through the stages."""

    inputs: model.Inputs
    work: Path
    plan: list[documents.Planned] = field(default_factory=list)  # the dossier's documents, in order
    office_pieces: dict[str, Path] = field(default_factory=dict)  # « piece:code » → a Word/ODT piece to convert
    docx: dict[str, Path] = field(default_factory=dict)
    pdf: dict[str, Path] = field(default_factory=dict)
    spots: list[marks.SignatureSpot] = field(default_factory=list)
    fit_pieces: dict[Path, Path] = field(default_factory=dict)  # piece → its PDF/A-fit version
    digests: dict[str, str] = field(default_factory=dict)       # document → cache key of its PDF
    marks: dict[tuple[str, str], list] = field(default_factory=dict)  # (document, key) → signature marks
    piece_pages: dict[Path, int] = field(default_factory=dict)         # PDF/A-fit piece → its page count
    readers: dict[Path, object] = field(default_factory=dict)          # PDFs opened ahead of the assembly
    assembled: bool = False

    def __post_init__(self):
        self.plan = documents.plan(self.inputs)

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.plan]

    def planned(self, key: str) -> documents.Planned:
        return next(d for d in self.plan if d.key == key)

    def date_of(self, key: str) -> dt.date:
        """The date inside a PDF: a document's own; a converted piece's, the dossier's."""
        return self.planned(key).date if key in self.keys else documents.dossier_date(self.inputs)


@contextlib.contextmanager
def stage(name: str, log: Log):
    """Log one line per stage with its duration."""
    start = time.perf_counter()
    yield
    log(f"  {name} ({time.perf_counter() - start:.2f} s)")


def build(years: list[int], opts: Options, *, stale: list[int] | None = None) -> list[Path]:
    """Build the dossiers of ``years`` that are not up to date; return every year's path.

    ``stale``: the years the caller already found not up to date (their inputs are not
    hashed again)."""
    started = time.perf_counter()
    out = places.outputs_for(opts.outputs, opts.inputs)  # this convention's years, apart from the others'
    todo = stale if stale is not None else \
        [y for y in years if not publish.up_to_date(out, opts.inputs, y, opts.templates, final=opts.final)]
    for year in sorted(set(years) - set(todo)):
        opts.log(f"  {year} : déjà à jour (rien n'a changé depuis la dernière construction)")
    if not todo:
        return [publish.dossier_path(out, y) for y in years]
    office = opts.office or convert.Session(progress=opts.progress, profile=convert.profile_for(opts.outputs))
    office.prestart()  # LibreOffice boots while the data is read and the documents are filled
    shared = opts.office is not None and opts.keep_office
    with contextlib.nullcontext(office) if shared else office:
        with stage("données vérifiées", opts.log):
            loaded = [model.load(opts.inputs, year, final=opts.final) for year in todo]
            seen: set[str] = set()
            for inputs in loaded:
                for warning in inputs.warnings:  # a year read by two dossiers is reported once
                    if warning not in seen:
                        seen.add(warning)
                        opts.warn(f"avertissement : {warning}")
        out.mkdir(parents=True, exist_ok=True)
        with publish.locks(out, todo), contextlib.ExitStack() as stack:
            # decided again under the lock: a build of the same year may have finished meanwhile
            done = [y for y in todo if publish.up_to_date(out, opts.inputs, y, opts.templates, final=opts.final)]
            for year in done:
                opts.log(f"  {year} : déjà à jour (construit entre-temps par une autre commande)")
            loaded = [i for i in loaded if i.year.annee not in done]
            builds = [YearBuild(inputs=i, work=Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix=f".build-{i.year.annee}-", dir=out)))) for i in loaded]
            converter = Converter(office, cache.PdfCache(opts.outputs / ".cache" / "pdf"),
                                  Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".pdf-", dir=out))),
                                  release=not shared)
            # stopped first on the way out: an interrupted LibreOffice still writing a PDF would
            # otherwise put it back in a temporary folder already removed
            stack.push(lambda kind, *_: office.close() if kind is not None or not shared else None)
            flow = Flow(builds, converter, opts)
            with stage("documents remplis, convertis en PDF et assemblés", opts.log):
                for b in builds:  # LibreOffice converts a year while the next one is filled
                    stage_office_pieces(b)
                    render_all(b, opts, keys=[k for k in first_round(b) if k in b.keys])
                    converter.submit(b, first_round(b))
                for b in builds:  # attached pieces made ready while LibreOffice starts
                    prepare_pieces(b)
                assemble.prepare()
                flow.advance()
                converter.collect(arrived=flow.advance, placed=flow.placed)
                flow.finish()
            with stage("publication", opts.log):
                for b in builds:
                    publish.publish(b.work, opts.inputs, b.inputs.year.annee, out, opts.templates,
                                    final=opts.final)
            if converter.converted == 0:
                opts.log("  aucun document à convertir : tous repris du cache")
    opts.log(f"terminé en {time.perf_counter() - started:.1f} s")
    return [publish.dossier_path(out, y) for y in years]


def render_all(b: YearBuild, opts: Options, *, keys: list[str]) -> None:
    for key in keys:
        render_one(b, key, opts, pages=None)


def render_one(b: YearBuild, key: str, opts: Options, *, pages: dict[str, int] | None) -> None:
    spots: list[marks.SignatureSpot] = []
    ctx = documents.build_context(b.inputs, projet=not opts.final, pages=pages)
    ctx["signature"] = marks.make_signature(spots)
    images = documents.images(ctx) if key == "bilan" else None
    planned = b.planned(key)
    template = places.template_for(opts.inputs, opts.templates, f"{key}.docx")

    def finish(document) -> None:
        marks.signature_bookmarks(document)
        documents.set_properties(document, key, planned, b.inputs)

    try:
        b.docx[key] = render.render(template, ctx, b.work / f"{planned.stem}.docx", images, finish=finish)
    except TemplateProblem as exc:
        # docxtpl locates errors only roughly (its #378): the checker names the paragraph
        problems = checks.check_template(template, [b.inputs], trial=False) or [checks.with_location(template, str(exc))]
        raise TemplateProblem(problems[0] if len(problems) == 1 else
                              f"{len(problems)} problèmes dans les modèles :\n  " + "\n  ".join(problems)) from None
    wrong = catalogue.signature_problems(key, spots)
    if wrong:
        raise TemplateProblem(f"modèle {template.name} : {wrong[0]}")
    b.spots = [s for s in b.spots if s.document != key] + spots


class Converter:
    """PDFs from the cache, or from the build's one LibreOffice, each converted once.

    A PDF is keyed by its .docx and its date: the convention of later years, identical,
    is converted once; a document already converted by an earlier build is not again.
    """

    def __init__(self, office: convert.Session, store: cache.PdfCache, tmp: Path, *, release: bool = True):
        self.office, self.store, self.tmp, self.release = office, store, tmp, release
        self.planned: dict[str, tuple[Path, dt.datetime]] = {}   # digest → (docx sent, date)
        self.by_docx: dict[Path, str] = {}
        self.wanted: list[tuple[str, Path]] = []
        self.pages: dict[str, int] = {}  # digest → page count, known as soon as LibreOffice answers
        self.placed: set[str] = set()    # digests whose PDF is normalised and in place
        self.converted = 0

    def submit(self, b: YearBuild, keys: list[str], *, first: bool = False) -> None:
        docs = []
        # biggest first: the last to arrive, handled while LibreOffice converts the bordereau, is small
        for k in sorted(keys, key=lambda k: -b.docx[k].stat().st_size):
            when = reproducible.build_date(b.date_of(k))
            digest = cache.key(b.docx[k], when.isoformat())
            b.pdf[k] = b.docx[k].with_suffix(".pdf")
            b.digests[k] = digest
            self.wanted.append((digest, b.pdf[k]))
            if digest in self.placed:  # converted earlier in this build, or by an earlier one
                self.store.get(digest, b.pdf[k])
                continue
            if digest in self.planned:  # on its way: put in place when it arrives
                continue
            if self.store.get(digest, b.pdf[k]):
                self.pages[digest] = assemble.page_count(b.pdf[k], b.pdf[k].name)
                self.placed.add(digest)
                continue
            self.planned[digest] = (b.docx[k], when)
            self.by_docx[b.docx[k]] = digest
            docs.append(b.docx[k])
        self.office.submit(docs, self.tmp, first=first)

    def collect(self, arrived: Callable[[], None], placed: Callable[[str], None]) -> None:
        """Wait for LibreOffice until nothing is left to convert.

        As each PDF arrives, its page count is read and ``arrived()`` may submit more (a
        bordereau, which needs every page count); LibreOffice is let go as soon as nothing
        is left; then the PDF is normalised, cached and put in place, and ``placed(digest)``
        runs, all while LibreOffice converts the next document."""
        def done(docx: Path, pdf: Path) -> None:
            digest = self.by_docx[docx]
            self.pages[digest] = assemble.page_count(pdf, docx.name)
            arrived()
            if self.release and not self.office.pending and not self.office.queue:
                self.office.release()  # it shuts down while the last dossier is assembled
            reproducible.normalise_pdf(pdf, self.planned[digest][1], seed=digest.encode())
            self.store.put(digest, pdf)
            for wanted, target in self.wanted:
                if wanted == digest:  # replaces an earlier round's PDF, if any
                    self.store.get(digest, target)
            self.placed.add(digest)
            self.converted += 1
            placed(digest)

        self.office.collect(on_done=done)
        missing = [target.name for _, target in self.wanted if not target.exists()]
        if missing:
            raise OutputError(f"le PDF de {', '.join(missing)} manque après la conversion", hint="relancez la construction")


BORDEREAU = "bordereau"


def first_round(b: YearBuild) -> list[str]:
    """What is converted first: every document but the bordereau, which needs their page counts,
    and the pieces written in Word or LibreOffice."""
    return [k for k in b.keys if k != BORDEREAU] + list(b.office_pieces)


def stage_office_pieces(b: YearBuild) -> None:
    """A piece given as .docx or .odt (a rapport d'activité written in Word) is converted by the
    build's LibreOffice like the documents: a copy goes to the work folder, the original is untouched."""
    for piece in b.inputs.year.pieces:
        if piece.fichier and Path(piece.fichier).suffix.lower() in pieces.OFFICE:
            source = (b.inputs.year_dir / piece.fichier).resolve()
            copy = b.work / "pieces-office" / f"{piece.code}{source.suffix.lower()}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            b.office_pieces[f"piece:{piece.code}"] = copy
            b.docx[f"piece:{piece.code}"] = copy

MAX_BORDEREAU_ROUNDS = 4
JUDGED = "judged"  # a bordereau with the length it was filled for


class Flow:
    """Each year's way from its converted documents to its dossier, as PDFs arrive.

    The bordereau gives the dossier page of each piece, which depends on the length of
    every part, its own included: once a year's other documents are converted it is
    filled assuming one page and sent before anything still queued; the dossier is
    assembled as soon as it arrives with that length (while LibreOffice converts the next
    year), else it is filled again with its real length.
    """

    def __init__(self, builds: list[YearBuild], converter: Converter, opts: Options):
        self.builds, self.converter, self.opts = builds, converter, opts
        self.assumed = {id(b): 1 for b in builds}
        self.rounds = {id(b): 0 for b in builds}
        self.sent: dict[int, str] = {}  # year → digest of the bordereau sent, or JUDGED

    def advance(self) -> None:
        """Move every year as far as the page counts known allow. Called at start and as
        each PDF arrives."""
        for b in self.builds:
            while not b.assembled and self._step(b):
                pass
        self._assemble_ready()

    def _step(self, b: YearBuild) -> bool:
        """Send the year's bordereau once its other documents' page counts are known; judge
        its length once it arrived. True when a bordereau was sent that may be judged at
        once (it came from the cache)."""
        pages = self.converter.pages
        sent = self.sent.get(id(b))
        if sent is None:
            if not all(b.digests.get(k) in pages for k in first_round(b)):
                return False
            if BORDEREAU not in b.keys:  # the closing dossier has no call, hence no bordereau
                self.sent[id(b)] = JUDGED
                return False
        elif sent == JUDGED or sent not in pages:
            return False
        elif pages[sent] == self.assumed[id(b)]:
            self.sent[id(b)] = JUDGED
            return False
        else:
            self.assumed[id(b)] = pages[sent]
        self.rounds[id(b)] += 1
        if self.rounds[id(b)] > MAX_BORDEREAU_ROUNDS:
            raise OutputError("la longueur du bordereau ne se stabilise pas", hint="signalez-le à l'équipe technique")
        starts = piece_pages(b, dossier_layout(b, pages, bordereau_pages=self.assumed[id(b)]))
        render_one(b, BORDEREAU, self.opts, pages=starts)
        self.converter.submit(b, [BORDEREAU], first=True)
        self.sent[id(b)] = b.digests[BORDEREAU]
        return True

    def placed(self, digest: str) -> None:
        """A PDF is in place: open it and read its signature marks now, while LibreOffice works."""
        for b in self.builds:
            for key in first_round(b):
                if b.digests.get(key) == digest:
                    b.readers[b.pdf[key]] = assemble.open_pdf(b.pdf[key], b.pdf[key].name)
                    marks_of(b, key)
        self._assemble_ready()

    def _assemble_ready(self) -> None:
        placed = self.converter.placed
        for b in self.builds:
            if not b.assembled and self.sent.get(id(b)) == JUDGED and all(d in placed for d in b.digests.values()):
                b.assembled = True
                assemble_dossier(b, self.converter.pages, final=self.opts.final)

    def finish(self) -> None:
        left = [str(b.inputs.year.annee) for b in self.builds if not b.assembled]
        if left:
            raise OutputError(f"le dossier {', '.join(left)} n'a pas pu être assemblé", hint="relancez la construction")


def prepare_pieces(b: YearBuild) -> None:
    """PDF/A-ready copies of the attached pieces and their page counts (see ``entries``)."""
    for e in entries(b):
        if e.kind == "piece" and e.key not in b.office_pieces and e.pdf not in b.piece_pages:
            b.readers[e.pdf] = assemble.open_pdf(e.pdf, e.title)
            b.piece_pages[e.pdf] = len(b.readers[e.pdf].pages)


def entries(b: YearBuild) -> list[assemble.Entry]:
    """The dossier's parts in order: the documents, then the pieces in article 3 order."""
    year = b.inputs.year
    parts = [assemble.Entry(d.title, b.work / f"{d.stem}.pdf", "document", d.key) for d in b.plan]
    given = {p.code: p for p in year.pieces}
    for spec in b.inputs.convention.pieces_requises:
        piece = given.get(spec.code)
        if piece and piece.fichier and spec.document is None:
            title = catalogue.piece_title(spec, piece, year.annee)
            if piece.specimen:
                title += " (spécimen)"
            key = f"piece:{spec.code}"
            if key in b.office_pieces:  # converted by LibreOffice with the documents
                parts.append(assemble.Entry(title, b.office_pieces[key].with_suffix(".pdf"), "piece", key))
                continue
            source = (b.inputs.year_dir / piece.fichier).resolve()
            if source not in b.fit_pieces:
                b.fit_pieces[source] = pieces.normalise(source, b.work / "pieces", title)
            parts.append(assemble.Entry(title, b.fit_pieces[source], "piece", key))
    return parts


def dossier_layout(b: YearBuild, pages: dict[str, int], *, bordereau_pages: int | None = None) -> assemble.Layout:
    """Where each part starts, from the page counts already known (``pages``: digest → count);
    ``bordereau_pages`` stands for a bordereau not converted yet."""
    parts = entries(b)
    counts = []
    for e in parts:
        if e.kind == "piece" and e.key not in b.office_pieces:
            counts.append(b.piece_pages[e.pdf])
        elif e.key == BORDEREAU and bordereau_pages is not None:
            counts.append(bordereau_pages)
        else:
            counts.append(pages[b.digests[e.key]])
    return assemble.layout(parts, counts)


def piece_pages(b: YearBuild, lay: assemble.Layout) -> dict[str, int]:
    """Dossier page where each required piece starts (a generated one: its document)."""
    pages = {}
    for spec in b.inputs.convention.pieces_requises:
        key = spec.document if spec.document else f"piece:{spec.code}"
        if key in lay.starts:
            pages[spec.code] = lay.starts[key]
    return pages


def assemble_dossier(b: YearBuild, pages: dict[str, int], *, final: bool) -> None:
    conv, year = b.inputs.convention, b.inputs.year
    terms = conv.convention
    parts = entries(b)
    counts = [b.piece_pages[e.pdf] if e.kind == "piece" and e.key not in b.office_pieces else pages[b.digests[e.key]]
              for e in parts]
    if b.inputs.closing:
        what = f"Dossier de clôture de la convention {terms.periode}"
        subject = (f"Bilan {terms.annees[-1]}, bilan final {terms.periode} et procès-verbal du comité de pilotage "
                   f"de clôture – {conv.metropole.nom} et {conv.association.nom_court}")
        last_line = f"Comité de pilotage de clôture du {french.date_fr(year.copil.date)}"
        label = f"Dossier de clôture {terms.periode}"
    else:
        what = f"Dossier de l'année {year.annee}"
        subject = (f"Appel de participation {year.annee}, bordereau, bilan et procès-verbal du comité de pilotage – "
                   f"{conv.metropole.nom} et {conv.association.nom_court}")
        last_line = f"Appel de participation {year.annee} – {year.appel.reference} du {french.date_fr(year.appel.date)}"
        label = f"Dossier {year.annee}"
    example = b.inputs.year.donnees_exemple or any(y.donnees_exemple for y in b.inputs.reported.values())
    meta = assemble.Meta(
        title=f"{what} – {terms.titre}",
        author=conv.association.nom,
        subject=subject,
        keywords=[terms.titre, str(year.annee), conv.metropole.nom, conv.association.nom_court,
                  *(["bilan final", "clôture"] if b.inputs.closing else ["appel de participation"]),
                  "bilan", "comité de pilotage"],
        date=reproducible.build_date(documents.dossier_date(b.inputs)),
        cover_lines=[terms.titre, what, "entre", conv.metropole.designation, "et",
                     conv.association.designation, "", last_line],
        draft_mark=None if final else ("PROJET – données d'exemple, version de travail" if example
                                       else "PROJET – version de travail"),
    )
    first = b.plan[0].key
    assemble.assemble(parts, b.work / f"dossier-{year.annee}.pdf", meta, counts=counts, readers=b.readers,
                      output_intent_from=b.pdf[first], number_label=label,
                      fields=lambda lay: signature_places(b, lay))


def signing_spots(b: YearBuild) -> list[marks.SignatureSpot]:
    """The signature blocks signed in this year's dossier (not those of a copy)."""
    return [spot for spot in b.spots if documents.signs_here(spot.document, b.inputs)]


def marks_of(b: YearBuild, key: str) -> list:
    """The signature marks of a document's PDF, read once (reading text costs)."""
    memo = (key, b.digests[key])
    if memo not in b.marks:
        expected = {spot.field_name for spot in signing_spots(b) if spot.document == key}
        b.marks[memo] = signing.find_marks(b.pdf[key], expected=expected) if expected else []
    return b.marks[memo]


def signature_places(b: YearBuild, lay: assemble.Layout) -> list[signing.FieldPlace]:
    """An empty field over every signature block, placed from the rendered marks."""
    conv = b.inputs.convention
    who = {"metropole": conv.metropole.nom, "association": conv.association.nom_court}
    places = []
    for planned in b.plan:
        spec = planned.spec
        labels = {spot.field_name: f"Signature – {who.get(spot.who, spot.who)} – {planned.title}"
                  for spot in signing_spots(b) if spot.document == spec.key}
        marks = [mark for mark in marks_of(b, spec.key) if mark[0] in labels]
        found = signing.places_for(marks, lay.starts[spec.key], labels)
        expected = set(labels)
        missing = expected - {p.name for p in found}
        if missing:
            raise TemplateProblem(f"le document {spec.key} : la place de la signature {', '.join(sorted(missing))} est introuvable "
                              f"dans son PDF", hint=f"dans le modèle {spec.key}.docx, la balise {{{{ signature(…) }}}} doit rester "
                                                    "dans le corps du document, seule dans son paragraphe du bloc de signature")
        places.extend(found)
    return places
