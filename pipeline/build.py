"""The recipe: load → contexts → render .docx → PDF → dossier → publish, for one or more years.

Every build works in a temporary folder beside outputs/ and publishes at the end in one
step: a failed or interrupted build leaves outputs/<YEAR>/ exactly as it was.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline import (assemble, cache, checks, convert, documents, french, model, pieces, publish, render,
                      reproducible, signing)
from pipeline.errors import OutputError, TemplateProblem

Log = Callable[[str], None]


@dataclass
class Options:
    inputs: Path
    templates: Path
    outputs: Path
    final: bool = False
    progress: bool = False
    office: convert.Session | None = None  # a LibreOffice already started by the caller
    log: Log = print
    warn: Log = print


@dataclass
class YearBuild:
    """What one year's build is made of, as it goes through the stages."""

    inputs: model.Inputs
    work: Path
    docx: dict[str, Path] = field(default_factory=dict)
    pdf: dict[str, Path] = field(default_factory=dict)
    spots: list[documents.SignatureSpot] = field(default_factory=list)
    fit_pieces: dict[Path, Path] = field(default_factory=dict)  # piece → its PDF/A-fit version
    digests: dict[str, str] = field(default_factory=dict)       # document → cache key of its PDF
    marks: dict[tuple[str, str], list] = field(default_factory=dict)  # (document, key) → signature marks
    assembled: bool = False


@contextlib.contextmanager
def stage(name: str, log: Log):
    """Log one line per stage with its duration."""
    start = time.perf_counter()
    yield
    log(f"  {name} ({time.perf_counter() - start:.2f} s)")


def build(years: list[int], opts: Options) -> list[Path]:
    """Build the dossiers of ``years`` that are not up to date; return every year's path."""
    started = time.perf_counter()
    todo = [y for y in years if not publish.up_to_date(opts.outputs, opts.inputs, y, opts.templates, final=opts.final)]
    for year in sorted(set(years) - set(todo)):
        opts.log(f"  {year} : déjà à jour (rien n'a changé depuis la dernière construction)")
    if not todo:
        return [publish.dossier_path(opts.outputs, y) for y in years]
    office = opts.office or convert.Session(progress=opts.progress, profile=convert.profile_for(opts.outputs))
    office.prestart()  # LibreOffice boots while the data is read and the documents are filled
    with office:
        with stage("données vérifiées", opts.log):
            loaded = [model.load(opts.inputs, year, final=opts.final) for year in todo]
            for inputs in loaded:
                for warning in inputs.warnings:
                    opts.warn(f"avertissement : {warning}")
        opts.outputs.mkdir(parents=True, exist_ok=True)
        with publish.locks(opts.outputs, todo), contextlib.ExitStack() as stack:
            builds = [YearBuild(inputs=i, work=Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix=f".build-{i.year.annee}-", dir=opts.outputs)))) for i in loaded]
            converter = Converter(office, cache.PdfCache(opts.outputs / ".cache" / "pdf"),
                                  Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".pdf-", dir=opts.outputs))))
            with stage("documents remplis et convertis en PDF", opts.log):
                for b in builds:  # LibreOffice converts a year while the next one is filled
                    render_all(b, opts, keys=FIRST_ROUND)
                    converter.submit(b, FIRST_ROUND)

                def read_marks(digest: str) -> None:  # while LibreOffice converts the next document
                    for b in builds:
                        for key in FIRST_ROUND:
                            if b.digests.get(key) == digest:
                                marks_of(b, key)

                converter.collect(after=read_marks)
            with stage("bordereaux paginés et dossiers assemblés", opts.log):
                converter.release_when_done = True
                bordereaux_and_dossiers(builds, converter, opts)
            with stage("publication", opts.log):
                for b in builds:
                    publish.publish(b.work, opts.inputs, b.inputs.year.annee, opts.outputs, opts.templates,
                                    final=opts.final)
            if converter.converted == 0:
                opts.log("  aucun document à convertir : tous repris du cache")
    opts.log(f"terminé en {time.perf_counter() - started:.1f} s")
    return [publish.dossier_path(opts.outputs, y) for y in years]


def render_all(b: YearBuild, opts: Options, *, keys: list[str]) -> None:
    for key in keys:
        render_one(b, key, opts, pages=None)


def render_one(b: YearBuild, key: str, opts: Options, *, pages: dict[str, int] | None) -> None:
    spots: list[documents.SignatureSpot] = []
    ctx = documents.build_context(b.inputs, projet=not opts.final, pages=pages)
    ctx["signature"] = documents.make_signature(b.inputs, spots)
    images = documents.images(ctx) if key == "bilan" else None
    stem = next(s for s in documents.DOCUMENTS if s.key == key).output_stem(b.inputs.year.annee)
    template = opts.templates / f"{key}.docx"
    try:
        b.docx[key] = render.render(template, ctx, b.work / f"{stem}.docx", images)
    except TemplateProblem as exc:
        # docxtpl locates errors only roughly (its #378): the checker names the paragraph
        problems = checks.check_template(template, [b.inputs], trial=False) or [checks.with_location(template, str(exc))]
        raise TemplateProblem(problems[0] if len(problems) == 1 else
                              f"{len(problems)} problèmes dans les modèles :\n  " + "\n  ".join(problems)) from None
    b.spots = [s for s in b.spots if s.document != key] + spots


class Converter:
    """PDFs from the cache, or from the build's one LibreOffice, each converted once.

    A PDF is keyed by its .docx and its date: the convention of later years, identical,
    is converted once; a document already converted by an earlier build is not again.
    """

    def __init__(self, office: convert.Session, store: cache.PdfCache, tmp: Path):
        self.office, self.store, self.tmp = office, store, tmp
        self.release_when_done = False  # let LibreOffice quit as soon as the last PDF arrives
        self.planned: dict[str, tuple[Path, dt.datetime]] = {}   # digest → (docx sent, date)
        self.by_docx: dict[Path, str] = {}
        self.wanted: list[tuple[str, Path]] = []
        self.converted = 0

    def submit(self, b: YearBuild, keys: list[str]) -> None:
        docs = []
        # biggest first: the PDF normalised after LibreOffice's last conversion is then a small one
        for k in sorted(keys, key=lambda k: -b.docx[k].stat().st_size):
            when = reproducible.build_date(documents.document_date(k, b.inputs))
            digest = cache.key(b.docx[k], when.isoformat())
            b.pdf[k] = b.docx[k].with_suffix(".pdf")
            b.digests[k] = digest
            self.wanted.append((digest, b.pdf[k]))
            if digest in self.planned or self.store.get(digest, b.pdf[k]):
                continue
            self.planned[digest] = (b.docx[k], when)
            self.by_docx[b.docx[k]] = digest
            docs.append(b.docx[k])
        self.office.submit(docs, self.tmp)

    def collect(self, after: Callable[[str], None] | None = None) -> None:
        """Wait for LibreOffice; each PDF is normalised, cached and put in place as it arrives,
        then ``after(digest)`` runs while LibreOffice goes on with the next document."""
        def done(docx: Path, pdf: Path) -> None:
            digest = self.by_docx[docx]
            reproducible.normalise_pdf(pdf, self.planned[digest][1], seed=digest.encode())
            self.store.put(digest, pdf)
            for wanted, target in self.wanted:
                if wanted == digest:  # replaces an earlier round's PDF, if any
                    self.store.get(digest, target)
            self.converted += 1
            if self.release_when_done and not self.office.pending:
                self.office.release()  # it shuts down while the last dossier is assembled
            if after:
                after(digest)

        self.office.collect(on_done=done)
        missing = [target.name for _, target in self.wanted if not target.exists()]
        if missing:
            raise OutputError(f"le PDF de {', '.join(missing)} manque après la conversion", hint="relancez la construction")
        self.wanted = []


BORDEREAU = "bordereau"
FIRST_ROUND = [spec.key for spec in documents.DOCUMENTS if spec.key != BORDEREAU]


def bordereaux_and_dossiers(builds: list[YearBuild], converter: "Converter", opts: Options) -> None:
    """The bordereau gives the dossier page of each piece, which depends on its own length.

    It is filled assuming one page, converted, and each year's dossier is assembled as soon
    as its bordereau arrives, while LibreOffice converts the next; a bordereau that turns
    out longer is filled again with its real length.
    """
    rounds = _BordereauRounds(builds, opts)
    for _ in range(4):
        rounds.run(converter)
        if not rounds.waiting:
            return
    raise OutputError("la longueur du bordereau ne se stabilise pas", hint="signalez-le à l'équipe technique")


class _BordereauRounds:
    """State of bordereaux_and_dossiers: the length assumed for each year, the years left."""

    def __init__(self, builds: list[YearBuild], opts: Options):
        self.opts = opts
        self.assumed = {id(b): 1 for b in builds}
        self.waiting = list(builds)
        self.checked: list[YearBuild] = []

    def run(self, converter: "Converter") -> None:
        for b in self.waiting:
            pages = piece_pages(b, dossier_layout(b, bordereau_pages=self.assumed[id(b)]))
            render_one(b, BORDEREAU, self.opts, pages=pages)
            converter.submit(b, [BORDEREAU])
        self.checked = []
        converter.collect(after=self.arrived)
        for b in self.waiting:  # bordereaux taken from the cache arrive without LibreOffice
            if b not in self.checked:
                self.check(b)
        self.waiting = [b for b in self.waiting if not b.assembled]

    def arrived(self, digest: str) -> None:
        for b in self.waiting:
            if b.digests.get(BORDEREAU) == digest and b not in self.checked:
                self.check(b)

    def check(self, b: YearBuild) -> None:
        """Assemble the year if its bordereau has the assumed length; else assume the real one."""
        self.checked.append(b)
        actual = assemble.page_count(b.pdf[BORDEREAU], b.pdf[BORDEREAU].name)
        if actual == self.assumed[id(b)]:
            assemble_dossier(b, final=self.opts.final)
            b.assembled = True
        else:
            self.assumed[id(b)] = actual


def entries(b: YearBuild) -> list[assemble.Entry]:
    """The dossier's parts in order: the documents, then the pieces in article 3 order."""
    year = b.inputs.year
    parts = [assemble.Entry(f"{spec.title} {year.annee}" if spec.key != "convention" else spec.title,
                            b.work / f"{spec.output_stem(year.annee)}.pdf", "document", spec.key)
             for spec in documents.DOCUMENTS]
    given = {p.code: p for p in year.pieces}
    for spec in b.inputs.convention.pieces_requises:
        piece = given.get(spec.code)
        if piece and piece.fichier and spec.document is None:
            title = piece.titre or documents.piece_label(spec.libelle, year.annee)
            source = (b.inputs.year_dir / piece.fichier).resolve()
            if source not in b.fit_pieces:
                b.fit_pieces[source] = pieces.normalise(source, b.work / "pieces", title)
            parts.append(assemble.Entry(title, b.fit_pieces[source], "piece", f"piece:{spec.code}"))
    return parts


def dossier_layout(b: YearBuild, *, bordereau_pages: int | None = None) -> assemble.Layout:
    """Where each part starts; ``bordereau_pages`` stands for a bordereau not converted yet."""
    parts = entries(b)
    counts = [bordereau_pages if e.key == BORDEREAU and bordereau_pages is not None else assemble.page_count(e.pdf, e.title)
              for e in parts]
    return assemble.layout(parts, counts)


def piece_pages(b: YearBuild, lay: assemble.Layout) -> dict[str, int]:
    """Dossier page where each required piece starts (a generated one: its document)."""
    pages = {}
    for spec in b.inputs.convention.pieces_requises:
        key = spec.document if spec.document else f"piece:{spec.code}"
        if key in lay.starts:
            pages[spec.code] = lay.starts[key]
    return pages


def assemble_dossier(b: YearBuild, *, final: bool) -> None:
    conv, year = b.inputs.convention, b.inputs.year
    terms = conv.convention
    parts = entries(b)
    meta = assemble.Meta(
        title=f"Dossier {year.annee} – {terms.titre}",
        author=conv.association.nom,
        subject=f"Appel de participation {year.annee}, bilan et procès-verbal du comité de pilotage – "
                f"{conv.metropole.nom} et {conv.association.nom_court}",
        keywords=[terms.titre, str(year.annee), conv.metropole.nom, conv.association.nom_court,
                  "appel de participation", "bilan", "comité de pilotage"],
        date=reproducible.build_date(year.appel.date),
        cover_lines=[terms.titre, f"Dossier de l'année {year.annee}", "entre", conv.metropole.nom, "et",
                     conv.association.nom, "",
                     f"Appel de participation {year.annee} – {year.appel.reference} du "
                     f"{french.date_fr(year.appel.date)}"],
        draft_mark=None if final else ("PROJET – données d'exemple, version de travail" if year.donnees_exemple
                                       else "PROJET – version de travail"),
    )
    assemble.assemble(parts, b.work / f"dossier-{year.annee}.pdf", meta,
                      output_intent_from=b.pdf["convention"], number_label=f"Dossier {year.annee}",
                      fields=lambda lay: signature_places(b, lay))


def marks_of(b: YearBuild, key: str) -> list:
    """The signature marks of a document's PDF, read once (reading text costs)."""
    memo = (key, b.digests[key])
    if memo not in b.marks:
        expected = {spot.field_name for spot in b.spots if spot.document == key}
        b.marks[memo] = signing.find_marks(b.pdf[key], expected=expected) if expected else []
    return b.marks[memo]


def signature_places(b: YearBuild, lay: assemble.Layout) -> list[signing.FieldPlace]:
    """An empty field over every signature block, placed from the rendered marks."""
    conv = b.inputs.convention
    who = {"metropole": conv.metropole.nom, "association": conv.association.nom_court}
    places = []
    for spec in documents.DOCUMENTS:
        labels = {spot.field_name: f"Signature – {who.get(spot.who, spot.who)} – {spec.title}"
                  for spot in b.spots if spot.document == spec.key}
        found = signing.places_for(marks_of(b, spec.key), lay.starts[spec.key], labels)
        expected = set(labels)
        missing = expected - {p.name for p in found}
        if missing:
            raise OutputError(f"le document {spec.key} n'a pas de place visible pour la signature {', '.join(sorted(missing))}",
                              hint="dans le modèle, la marque {{ signature(…) }} doit rester dans le bloc de signature, "
                                   "en style « Marque de signature »")
        places.extend(found)
    return places
