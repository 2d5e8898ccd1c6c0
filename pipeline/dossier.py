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
class YearBuild:
    """What one year's dossier is made of, gathered as it goes through the stages."""

    inputs: model.Inputs
    work: Path                    # the build's temporary folder for this year
    templates: Path               # the shared templates (the convention's own come first)
    final: bool
    plan: list[documents.Planned] = field(default_factory=list)    # the dossier's documents, in order
    office_pieces: dict[str, Path] = field(default_factory=dict)   # « piece:code » → a Word/ODT piece to convert
    docx: dict[str, Path] = field(default_factory=dict)            # document or Office piece → its .docx/.odt
    pdf: dict[str, Path] = field(default_factory=dict)             # … → its PDF in the work folder
    digests: dict[str, str] = field(default_factory=dict)          # … → cache key of its PDF
    spots: list[marks.SignatureSpot] = field(default_factory=list)  # signature blocks the templates marked
    fit_pieces: dict[Path, Path] = field(default_factory=dict)     # attached piece → its PDF/A-fit copy
    piece_pages: dict[Path, int] = field(default_factory=dict)     # PDF/A-fit piece → its page count
    readers: dict[Path, PdfReader] = field(default_factory=dict)   # PDFs opened ahead of the assembly
    marks: dict[tuple[str, str], list] = field(default_factory=dict)  # (document, digest) → its signature marks

    def __post_init__(self):
        self.plan = documents.plan(self.inputs)

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.plan]

    @property
    def year(self) -> int:
        return self.inputs.year.annee

    def planned(self, key: str) -> documents.Planned:
        return next(d for d in self.plan if d.key == key)

    def date_of(self, key: str) -> dt.date:
        """The date inside a PDF: a document's own; a converted piece's, the dossier's."""
        return self.planned(key).date if key in self.keys else documents.dossier_date(self.inputs)


def first_round(b: YearBuild) -> list[str]:
    """What is converted first: every document but the bordereau, which needs their page counts,
    and the pieces written in Word or LibreOffice."""
    return [k for k in b.keys if k != BORDEREAU] + list(b.office_pieces)


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
    ctx = context.build_context(b.inputs, projet=not b.final, pages=pages)
    ctx.signature = marks.make_signature(spots)
    images = context.images(ctx) if key == "bilan" else None
    planned = b.planned(key)
    template = places.template_for(b.inputs.root, b.templates, f"{key}.docx")

    def finish(document) -> None:
        marks.signature_bookmarks(document)
        documents.set_properties(document, key, planned, b.inputs)

    try:
        b.docx[key] = render.render(template, ctx.variables(), b.work / f"{planned.stem}.docx", images, finish=finish)
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
            b.office_pieces[f"piece:{piece.code}"] = copy
            b.docx[f"piece:{piece.code}"] = copy


def prepare_pieces(b: YearBuild) -> None:
    """PDF/A-ready copies of the attached pieces and their page counts (see ``entries``)."""
    for e in entries(b):
        if e.kind == "piece" and e.key not in b.office_pieces and e.pdf not in b.piece_pages:
            b.readers[e.pdf] = assemble.open_pdf(e.pdf, e.title)
            b.piece_pages[e.pdf] = len(b.readers[e.pdf].pages)


def placed(b: YearBuild, key: str) -> None:
    """A document's PDF is in place: open it and read its signature marks now, while LibreOffice works."""
    b.readers[b.pdf[key]] = assemble.open_pdf(b.pdf[key], b.pdf[key].name)
    marks_of(b, key)


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


def _counts(b: YearBuild, parts: list[assemble.Entry], pages: dict[str, int],
            bordereau_pages: int | None = None) -> list[int]:
    """Each part's page count: an attached piece's read from it, a converted one's from LibreOffice's
    PDF (``pages``: digest → count); ``bordereau_pages`` stands for a bordereau not converted yet."""
    counts = []
    for e in parts:
        if e.kind == "piece" and e.key not in b.office_pieces:
            counts.append(b.piece_pages[e.pdf])
        elif e.key == BORDEREAU and bordereau_pages is not None:
            counts.append(bordereau_pages)
        else:
            counts.append(pages[b.digests[e.key]])
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
    assemble.assemble(parts, b.work / f"dossier-{b.year}.pdf", meta, counts=_counts(b, parts, pages),
                      readers=b.readers, output_intent_from=b.pdf[b.plan[0].key], number_label=words.number_label,
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
