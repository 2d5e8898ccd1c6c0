"""One year's dossier as it is made: its documents filled, its pieces made ready, its parts laid
out, and the dossier assembled with an empty signature field over every signature block.

The order in which this happens, while LibreOffice converts, is ``schedule``'s; what is
written, ``convention.documents``'.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from pipeline import checks, places, render
from pipeline.convention import catalogue, context, documents, model
from pipeline.errors import TemplateProblem
from pipeline.pdf import assemble, marks, pieces, reproducible, signing

BORDEREAU = "bordereau"  # filled last: it gives the dossier page of every piece


@dataclass
class Converted:
    """A document (or a piece written in Word) on its way through LibreOffice; filled again, it
    is a new one."""

    source: Path                      # what LibreOffice converts: the filled .docx, or the piece's .docx/.odt
    pdf: Path | None = None           # its PDF in the work folder, once sent
    digest: str | None = None         # the cache key of that PDF
    reader: PdfReader | None = None   # the PDF opened as soon as it is in place, ahead of the assembly
    marks: list | None = None         # its signature marks, read once


@dataclass
class Attached:
    """A piece attached as a file (a PDF or a scan), made ready for PDF/A."""

    pdf: Path                         # the piece itself if fit, else its PDF/A-ready copy
    reader: PdfReader | None = None
    pages: int = 0


@dataclass
class YearBuild:
    """One year's dossier as it is made: given its data and work folder, it gathers its files."""

    inputs: model.Inputs
    work: Path                        # the build's temporary folder for this year
    templates: Path                   # the shared templates (the convention's own come first)
    final: bool
    plan: list[documents.Planned] = field(default_factory=list)     # the dossier's documents, in order
    files: dict[str, Converted] = field(default_factory=dict)        # document, or « piece:code » → its conversion
    attached: dict[Path, Attached] = field(default_factory=dict)     # a piece's source file → its ready PDF
    spots: list[marks.SignatureSpot] = field(default_factory=list)  # signature blocks the templates marked

    def __post_init__(self):
        self.plan = documents.plan(self.inputs)

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.plan]

    @property
    def year(self) -> int:
        return self.inputs.year.annee

    @property
    def office_pieces(self) -> list[str]:
        """The pieces written in Word or LibreOffice, converted with the documents."""
        return [k for k in self.files if k not in self.keys]

    def planned(self, key: str) -> documents.Planned:
        return next(d for d in self.plan if d.key == key)

    def date_of(self, key: str) -> dt.date:
        """The date inside a PDF: a document's own; a converted piece's, the dossier's."""
        return self.planned(key).date if key in self.keys else documents.dossier_date(self.inputs)


def first_round(b: YearBuild) -> list[str]:
    """What is converted first: every document but the bordereau, which needs their page counts,
    and the pieces written in Word or LibreOffice."""
    return [k for k in b.keys if k != BORDEREAU] + b.office_pieces


def fill_first_round(b: YearBuild) -> None:
    """Fill every document but the bordereau, and stage the pieces LibreOffice converts."""
    stage_office_pieces(b)
    for key in first_round(b):
        if key in b.keys:
            render_one(b, key, pages=None)


def fill_bordereau(b: YearBuild, pages: dict[str, int], length: int) -> None:
    """Fill the bordereau with the dossier page of each piece, as laid out with the page counts
    known (``pages``: digest → count) and the bordereau ``length`` pages long."""
    render_one(b, BORDEREAU, pages=piece_pages(b, dossier_layout(b, pages, bordereau_pages=length)))


def render_one(b: YearBuild, key: str, *, pages: dict[str, int] | None) -> None:
    """Fill one document's template; a template error names the template and the paragraph."""
    spots: list[marks.SignatureSpot] = []
    ctx = checks.template_context(b.inputs, spots, projet=not b.final, pages=pages)
    images = context.images(ctx) if key == "bilan" else None
    planned = b.planned(key)
    template = places.template_for(b.inputs.root, b.templates, f"{key}.docx")

    def finish(document) -> None:
        marks.signature_bookmarks(document)
        documents.set_properties(document, key, planned, b.inputs)

    try:
        b.files[key] = Converted(render.render(template, ctx.variables(), b.work / f"{planned.stem}.docx", images,
                                               finish=finish))
    except TemplateProblem as exc:
        # docxtpl locates errors only roughly (its #378): the checker names the paragraph
        problems = checks.check_template(template, [b.inputs], trial=False) or [checks.with_location(template, str(exc))]
        raise TemplateProblem(problems[0] if len(problems) == 1 else
                              f"{len(problems)} problèmes dans les modèles :\n  " + "\n  ".join(problems)) from None
    wrong = catalogue.signature_problems(key, spots)
    if wrong:
        raise TemplateProblem(f"modèle {template.name} : {wrong[0]}")
    b.spots = [s for s in b.spots if s.document != key] + spots


def stage_office_pieces(b: YearBuild) -> None:
    """A piece given as .docx or .odt (a rapport d'activité written in Word) is converted by the
    build's LibreOffice like the documents: a copy goes to the work folder, the original is untouched."""
    for piece in b.inputs.year.pieces:
        if piece.fichier and Path(piece.fichier).suffix.lower() in pieces.OFFICE:
            source = (b.inputs.year_dir / piece.fichier).resolve()
            copy = b.work / "pieces-office" / f"{piece.code}{source.suffix.lower()}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            b.files[f"piece:{piece.code}"] = Converted(copy)


def attached_pieces(b: YearBuild) -> list[tuple[str, str, Path]]:
    """The pieces the year attaches, in article 3 order: (key, title in the sommaire, source file)."""
    year = b.inputs.year
    found = []
    for spec, piece in catalogue.pieces_given(b.inputs.convention, year.pieces):
        if piece and piece.fichier and spec.document is None:
            title = catalogue.piece_title(spec, piece, year.annee) + (" (spécimen)" if piece.specimen else "")
            found.append((f"piece:{spec.code}", title, (b.inputs.year_dir / piece.fichier).resolve()))
    return found


def prepare_pieces(b: YearBuild) -> None:
    """The attached pieces made ready for PDF/A (a scan put on A4, fonts embedded), opened, and
    their pages counted; those written in Word are LibreOffice's."""
    for key, title, source in attached_pieces(b):
        if key not in b.files and source not in b.attached:
            ready = Attached(pieces.normalise(source, b.work / "pieces", title))
            ready.reader = assemble.open_pdf(ready.pdf, title)
            ready.pages = len(ready.reader.pages)
            b.attached[source] = ready


def open_converted(b: YearBuild, key: str) -> None:
    """A document's PDF is in place: open it and read its signature marks now, while LibreOffice works."""
    converted = b.files[key]
    converted.reader = assemble.open_pdf(converted.pdf, converted.pdf.name)
    marks_of(b, key)


def entries(b: YearBuild) -> list[assemble.Entry]:
    """The dossier's parts in order: the documents, then the pieces in article 3 order (made
    ready by ``prepare_pieces``)."""
    parts = [assemble.Entry(d.title, b.work / f"{d.stem}.pdf", "document", d.key) for d in b.plan]
    for key, title, source in attached_pieces(b):
        pdf = b.files[key].source.with_suffix(".pdf") if key in b.files else b.attached[source].pdf
        parts.append(assemble.Entry(title, pdf, "piece", key))
    return parts


def _counts(b: YearBuild, parts: list[assemble.Entry], pages: dict[str, int],
            bordereau_pages: int | None = None) -> list[int]:
    """Each part's page count: an attached piece's read from it, a converted one's from LibreOffice's
    PDF (``pages``: digest → count); ``bordereau_pages`` stands for a bordereau not converted yet."""
    attached = {piece.pdf: piece.pages for piece in b.attached.values()}
    counts = []
    for e in parts:
        if e.key == BORDEREAU and bordereau_pages is not None:
            counts.append(bordereau_pages)
        elif e.key in b.files:
            counts.append(pages[b.files[e.key].digest])
        else:
            counts.append(attached[e.pdf])
    return counts


def dossier_layout(b: YearBuild, pages: dict[str, int], *, bordereau_pages: int | None = None) -> assemble.Layout:
    """Where each part starts, from the page counts already known."""
    parts = entries(b)
    return assemble.layout(parts, _counts(b, parts, pages, bordereau_pages))


def piece_pages(b: YearBuild, lay: assemble.Layout) -> dict[str, int]:
    """Dossier page where each required piece starts (a generated one: its document)."""
    pages = {}
    for spec in b.inputs.convention.pieces_requises:
        key = spec.document if spec.document else f"piece:{spec.code}"
        if key in lay.starts:
            pages[spec.code] = lay.starts[key]
    return pages


def assemble_dossier(b: YearBuild, pages: dict[str, int]) -> None:
    """Write the year's dossier into its work folder, every page count known."""
    parts = entries(b)
    words = documents.dossier_wording(b.inputs, final=b.final)
    meta = assemble.Meta(title=words.title, author=b.inputs.convention.association.nom, subject=words.subject,
                         keywords=words.keywords,
                         date=reproducible.build_date(documents.dossier_date(b.inputs)),
                         cover_lines=words.cover_lines, draft_mark=words.draft_mark)
    readers = {piece.pdf: piece.reader for piece in b.attached.values()}
    readers.update({c.pdf: c.reader for c in b.files.values() if c.reader is not None})
    assemble.assemble(parts, b.work / f"dossier-{b.year}.pdf", meta, counts=_counts(b, parts, pages),
                      readers=readers, output_intent_from=b.files[b.plan[0].key].pdf,
                      number_label=words.number_label, fields=lambda lay: signature_places(b, lay))


def signing_spots(b: YearBuild) -> list[marks.SignatureSpot]:
    """The signature blocks signed in this year's dossier (not those of a copy)."""
    return [spot for spot in b.spots if documents.signs_here(spot.document, b.inputs)]


def marks_of(b: YearBuild, key: str) -> list:
    """The signature marks of a document's PDF, read once (reading text costs)."""
    converted = b.files[key]
    if converted.marks is None:
        expected = {spot.field_name for spot in signing_spots(b) if spot.document == key}
        converted.marks = signing.find_marks(converted.pdf, expected=expected) if expected else []
    return converted.marks


def signature_places(b: YearBuild, lay: assemble.Layout) -> list[signing.FieldPlace]:
    """An empty field over every signature block, placed from the rendered marks."""
    found_all = []
    for planned in b.plan:
        key = planned.key
        labels = {spot.field_name: documents.signature_label(spot.who, planned, b.inputs)
                  for spot in signing_spots(b) if spot.document == key}
        found = signing.places_for([m for m in marks_of(b, key) if m[0] in labels], lay.starts[key], labels)
        missing = set(labels) - {p.name for p in found}
        if missing:
            raise TemplateProblem(f"le document {key} : la place de la signature {', '.join(sorted(missing))} est "
                                  f"introuvable dans son PDF",
                                  hint=f"dans le modèle {key}.docx, la balise {{{{ signature(…) }}}} doit rester "
                                       "dans le corps du document, seule dans son paragraphe du bloc de signature")
        found_all.extend(found)
    return found_all
