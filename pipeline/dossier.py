"""One year's dossier as it is made: its documents filled, its pieces and signed originals made
ready, its parts laid out, and the dossier assembled.

A document signed apart (the convention, a bilan, the minutes) is published on its own with an
empty field over each signature block; once signed, it comes back in ``signes/`` and the
dossier shows its pages and carries the signed file itself, unchanged. The dossier's own empty
field is the letter's, signed last.

The order in which this happens, while LibreOffice converts, is ``schedule``'s; what is
written, ``convention.documents``'.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pypdf import PdfReader

from pipeline import originals_status, places, templates
from pipeline.convention import catalogue, context, documents, model, signed
from pipeline.errors import TemplateProblem
from pipeline.french import typographie
from pipeline.office import external
from pipeline.originals_status import Original
from pipeline.pdf import assemble, marks, pieces, reproducible, signing


@dataclass
class Converted:
    """A document (or a piece written in Word) on its way through LibreOffice; filled again, it
    is a new one. Written by this module's functions only: ``schedule`` says when (``converting``,
    ``open_converted``)."""

    source: Path  # what LibreOffice converts: the filled .docx, or the piece's .docx/.odt
    digest: str | None = None  # the cache key of its PDF (schedule.Conversion's), once sent
    reader: PdfReader | None = None  # the PDF opened as soon as it is in place, ahead of the assembly
    marks: list[marks.Mark] | None = None  # its signature marks, read once

    @property
    def pdf(self) -> Path:
        """Its PDF in the work folder, beside its source (there once converted)."""
        return self.source.with_suffix(".pdf")


@dataclass
class Attached:
    """A piece attached as a file (a PDF or a scan), made ready for PDF/A."""

    pdf: Path  # the piece itself if fit, else its PDF/A-ready copy
    reader: PdfReader
    pages: int


@dataclass
class YearBuild:
    """One year's dossier as it is made: given its data and work folder, it gathers its files."""

    data: model.DossierData
    work: Path  # the build's temporary folder for this year
    templates: Path  # the shared templates (the convention's own come first)
    final: bool
    plan: list[documents.Planned] = field(default_factory=list)  # the dossier's documents, in order
    files: dict[str, Converted] = field(default_factory=dict)  # document, or « piece:code » → its conversion
    attached: dict[Path, Attached] = field(default_factory=dict)  # a piece's source file → its ready PDF
    spots: list[marks.SignatureSpot] = field(default_factory=list)  # signature blocks the templates marked
    originals: dict[str, Original] = field(default_factory=dict)  # document → its signed original, if returned
    states: dict[str, signed.OriginalStatus] = field(default_factory=dict)  # document signed apart → its state
    findings: list[signed.Finding] = field(default_factory=list)  # what is wrong with the signed originals
    warnings: list[str] = field(default_factory=list)  # what the documents' fills warned of

    def __post_init__(self):
        self.plan = documents.plan(self.data)
        self.originals = originals_status.returned(self.data, self.plan)

    @property
    def keys(self) -> list[str]:
        return [d.key for d in self.plan]

    @property
    def year(self) -> int:
        return self.data.year.annee

    @property
    def office_pieces(self) -> list[str]:
        """The pieces written in Word or LibreOffice, converted with the documents."""
        return [k for k in self.files if k not in self.keys]

    def planned(self, key: str) -> documents.Planned:
        return next(d for d in self.plan if d.key == key)

    def date_of(self, key: str) -> dt.date:
        """The date inside a PDF: a document's own; a converted piece's, the dossier's."""
        return self.planned(key).date if key in self.keys else documents.dossier_date(self.data)


def piece_list(job: YearBuild) -> str | None:
    """The document that lists the pieces with their dossier pages (the bordereau), filled last;
    None in a dossier without one (the closing dossier has no call, hence no bordereau)."""
    return next((k for k in job.keys if catalogue.lists_pieces(k)), None)


def first_round(job: YearBuild) -> list[str]:
    """What is converted first: every document but the bordereau, which needs their page counts,
    and the pieces written in Word or LibreOffice."""
    return [k for k in job.keys if not catalogue.lists_pieces(k)] + job.office_pieces


def fill_first_round(job: YearBuild, ready: Callable[[str], None] = lambda key: None) -> None:
    """Fill every document but the bordereau, and stage the pieces LibreOffice converts; the
    signed originals are read first, since the documents may say who signed. ``ready(key)``
    is told of each as soon as it is there, for LibreOffice to start on it."""
    trust = originals_status.trusted(job.data.convention_dir) if job.originals else []
    for original in job.originals.values():
        originals_status.read_original(original, trust)
    job.states = originals_status.statuses(job.data, job.plan, job.originals)
    if not job.data.sending:  # the CRF's own sending has no pieces
        stage_office_pieces(job)
    for key in job.office_pieces:
        ready(key)
    # the biggest template first: its conversion is the longest, and must not end last (a missing
    # one is said by its fill)
    for key in sorted((k for k in first_round(job) if k in job.keys), key=lambda k: -_size(_template(job, k))):
        render_one(job, key, pages=None)
        ready(key)


def fill_bordereau(job: YearBuild, pages: dict[str, int], length: int) -> None:
    """Fill the bordereau with the dossier page of each piece, as laid out with the page counts
    known (``pages``: digest → count) and the bordereau ``length`` pages long."""
    key = piece_list(job)
    assert key is not None  # the scheduler fills a bordereau only in a dossier that has one
    render_one(job, key, pages=piece_pages(job, dossier_layout(job, pages, bordereau_pages=length)))


def _template(job: YearBuild, key: str) -> Path:
    return places.template_for(job.data.convention_dir, job.templates, f"{key}.docx")


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def render_one(job: YearBuild, key: str, *, pages: dict[str, int] | None) -> None:
    """Fill one document by the one road (``templates.fill``): its errors stop the build as
    ``check`` would refuse it; its warnings are kept for the build to say."""
    filled = templates.fill(
        job.data,
        _template(job, key),
        job.work / f"{job.planned(key).stem}.docx",
        final=job.final,
        pages=pages,
        signatures=job.states,
    )
    templates.stop_on_errors(filled)
    job.files[key] = Converted(filled.docx)
    job.spots = [s for s in job.spots if s.document != key] + filled.spots
    job.warnings = list(dict.fromkeys(job.warnings + [f.message for f in filled.findings if not f.error]))


def stage_office_pieces(job: YearBuild) -> None:
    """A piece given as .docx or .odt (a rapport d'activité written in Word) is converted by the
    build's LibreOffice like the documents: a copy goes to the work folder, the original is untouched."""
    for piece in job.data.year.pieces:
        if piece.fichier and Path(piece.fichier).suffix.lower() in pieces.OFFICE:
            source = (job.data.year_dir / piece.fichier).resolve()
            copy = job.work / "pieces-office" / f"{piece.code}{source.suffix.lower()}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            external.strip(copy)  # what it links outside (an image at an address) is never fetched
            job.files[f"piece:{piece.code}"] = Converted(copy)


def attached_pieces(job: YearBuild) -> list[tuple[str, str, Path]]:
    """The pieces the year attaches, in article 3 order: (key, title in the sommaire, source file)."""
    year = job.data.year
    found = []
    for spec, piece in catalogue.pieces_given(job.data.convention, year.pieces) if not job.data.sending else []:
        if piece and piece.fichier and spec.document is None:
            title = catalogue.piece_title(spec, piece, year.annee) + (" (spécimen)" if piece.specimen else "")
            found.append((f"piece:{spec.code}", title, (job.data.year_dir / piece.fichier).resolve()))
    return found


def prepare_pieces(job: YearBuild) -> None:
    """The attached pieces made ready for PDF/A (a scan put on A4, fonts embedded), opened, and
    their pages counted; those written in Word are LibreOffice's."""
    for key, title, source in attached_pieces(job):
        if key not in job.files and source not in job.attached:
            pdf = pieces.normalise(source, job.work / "pieces", title)
            reader = assemble.open_pdf(pdf, title)
            job.attached[source] = Attached(pdf, reader, len(reader.pages))


def converting(job: YearBuild, key: str, digest: str) -> Path:
    """A document goes to its conversion, its PDF known by the cache key ``digest`` (from the
    cache, LibreOffice, or another year's identical document): where that PDF is to be put."""
    converted = job.files[key]
    converted.digest = digest
    return converted.pdf


def open_converted(job: YearBuild, key: str) -> None:
    """A document's PDF is in place: open it and read its signature marks now, while LibreOffice works."""
    converted = job.files[key]
    converted.reader = assemble.open_pdf(converted.pdf, converted.pdf.name)
    marks_of(job, key)


def entries(job: YearBuild) -> list[assemble.Entry]:
    """The dossier's parts in the order the paying officer reads them: the letter and its
    bordereau; article 3's pieces in the bordereau's order, the bilan at its place; then the
    other documents joined (the convention, the minutes)."""
    by_key = {d.key: d for d in job.plan}
    listed = piece_list(job) is not None  # a year's call and its bordereau; the closing letter alone
    letter = "Lettre d'appel et bordereau" if listed else "Lettre de transmission"

    def document(d: documents.Planned, section: str) -> assemble.Entry:
        original = _enclosed(job, d.key)
        return assemble.Entry(
            typographie(d.title + _state(job, d)),
            original.path if original else job.work / f"{d.stem}.pdf",
            "document",
            d.key,
            typographie(section),
        )

    parts = [document(d, letter) for d in job.plan if d.spec.signed_in_dossier or d.spec.lists_pieces]
    attached = {key: (title, source) for key, title, source in attached_pieces(job)}
    for spec, _ in catalogue.pieces_given(job.data.convention, job.data.year.pieces) if not job.data.closing else []:
        pieces = "Pièces prévues à l'article 3 de la convention"
        if spec.document in by_key:
            parts.append(document(by_key[spec.document], pieces))
        elif f"piece:{spec.code}" in attached:
            key = f"piece:{spec.code}"
            title, source = attached[key]
            pdf = job.files[key].pdf if key in job.files else job.attached[source].pdf
            parts.append(assemble.Entry(typographie(title), pdf, "piece", key, typographie(pieces)))
    parts += [document(d, "Autres documents joints" if listed else "Documents joints") for d in context.others(job.data)]
    return parts


def _counts(job: YearBuild, parts: list[assemble.Entry], pages: dict[str, int], bordereau_pages: int | None = None) -> list[int]:
    """Each part's page count: an attached piece's read from it, a converted one's from LibreOffice's
    PDF (``pages``: digest → count); ``bordereau_pages`` stands for a bordereau not converted yet."""
    attached = {piece.pdf: piece.pages for piece in job.attached.values()}
    counts = []
    for e in parts:
        original = _enclosed(job, e.key)
        if original is not None:
            assert original.reader is not None  # only a signed original, hence read, is enclosed (Original.signed)
            counts.append(len(original.reader.pages))
        elif catalogue.lists_pieces(e.key) and bordereau_pages is not None:
            counts.append(bordereau_pages)
        elif e.key in job.files:
            digest = job.files[e.key].digest
            assert digest is not None  # the scheduler lays out a dossier once its documents are sent
            counts.append(pages[digest])
        else:
            counts.append(attached[e.pdf])
    return counts


def dossier_layout(job: YearBuild, pages: dict[str, int], *, bordereau_pages: int | None = None) -> assemble.Layout:
    """Where each part starts, from the page counts already known (the sommaire also lists the
    signed files the dossier carries)."""
    parts = entries(job)
    return assemble.layout(parts, _counts(job, parts, pages, bordereau_pages), _attachments(job))


def piece_pages(job: YearBuild, placement: assemble.Layout) -> dict[str, int]:
    """Dossier page where each required piece starts (a generated one: its document), and each
    document (« document:<key> »), for the bordereau."""
    pages = {f"document:{key}": start for key, start in placement.starts.items() if not key.startswith("piece:")}
    for spec in job.data.convention.pieces_requises:
        key = spec.document if spec.document else f"piece:{spec.code}"
        if key in placement.starts:
            pages[spec.code] = placement.starts[key]
    return pages


def assemble_dossier(job: YearBuild, pages: dict[str, int]) -> None:
    """Write the year's dossier into its work folder, every page count known; then each
    document signed apart, on its own, with its empty signature fields. The sending of a
    compte rendu financier is no dossier: its two documents only, each to sign apart."""
    check_originals(job)
    if job.data.sending:
        for d in job.plan:
            signing.write_with_fields(job.work / f"{d.stem}.pdf", _places(job, d, first_page=1))
        return
    parts = entries(job)
    words = documents.dossier_wording(job.data, final=job.final)
    meta = assemble.Meta(
        title=typographie(words.title),
        author=typographie(job.data.convention.association.nom),
        subject=typographie(words.subject),
        keywords=[typographie(k) for k in words.keywords],
        date=reproducible.build_date(documents.dossier_date(job.data)),
        cover_lines=[typographie(line) for line in words.cover_lines],
        draft_mark=words.draft_mark and typographie(words.draft_mark),
    )
    readers = {piece.pdf: piece.reader for piece in job.attached.values()}
    readers.update({c.pdf: c.reader for c in job.files.values() if c.reader is not None})
    readers.update({o.path: o.reader for o in job.originals.values() if o.reader is not None})
    assemble.assemble(
        parts,
        job.work / f"dossier-{job.year}.pdf",
        meta,
        counts=_counts(job, parts, pages),
        readers=readers,
        output_intent_from=job.files[job.plan[0].key].pdf,
        number_label=words.number_label,
        fields=lambda placement: signature_places(job, placement),
        mentions={d.key: mention for d in job.plan if (mention := _mention(job, d))},
        attachments=_attachments(job),
    )
    for d in job.plan:
        if catalogue.signed_apart(d.key):
            signing.write_with_fields(job.work / f"{d.stem}.pdf", _places(job, d, first_page=1))


def signed_read(job: YearBuild) -> dict[str, bytes | None]:
    """The file names the dossier looks for in ``signes/``, each with the bytes the build read
    (None: none was there), for the manifest to record what the dossier was made of."""
    return {
        f"{d.stem}.pdf": job.originals[d.key].data if d.key in job.originals else None
        for d in job.plan
        if catalogue.signed_apart(d.key)
    }


def _enclosed(job: YearBuild, key: str) -> Original | None:
    """The signed original the dossier shows for a document, if its state says it is enclosed
    (a damaged one is reported, never enclosed: the document is shown still to sign)."""
    state = job.states.get(key)
    return job.originals[key] if state is not None and state.enclosure.enclosed else None


def _state(job: YearBuild, d: documents.Planned) -> str:
    """What the sommaire and the bookmarks add to a document signed apart."""
    return signed.suffix(job.states[d.key]) if d.key in job.states else ""


def _mention(job: YearBuild, d: documents.Planned) -> assemble.Mention | None:
    """The line in the margin of each page of a document signed apart (and a copy's banner)."""
    if d.key not in job.states:
        return None
    text, banner = signed.mention(job.states[d.key], job.data)
    return assemble.Mention(typographie(text), banner=typographie(banner) if banner else None)


def _attachments(job: YearBuild) -> list[assemble.Attachment]:
    """The signed originals, carried as files in the dossier, byte for byte."""
    found = []
    for d in job.plan:
        state = job.states.get(d.key)
        said = signed.attachment(state, job.data) if state is not None else None
        if said is not None:
            original = job.originals[d.key]
            found.append(
                assemble.Attachment(
                    original.path.name, original.data, typographie(said[0]), typographie(said[1]), reproducible.build_date(d.date)
                )
            )
    return found


def check_originals(job: YearBuild) -> None:
    """Each signed original examined against today's rendering of the data; with --final, each
    document signed apart must have come back signed."""

    def rendered(d: documents.Planned):
        if d.key not in job.originals or job.originals[d.key].reader is None:
            return None
        return job.files[d.key].reader or assemble.open_pdf(job.files[d.key].pdf, d.stem)

    job.states = originals_status.statuses(job.data, job.plan, job.originals, rendered)
    job.findings = [f for state in job.states.values() for f in state.owed(job.data, final=job.final)]


def dossier_spots(job: YearBuild) -> list[marks.SignatureSpot]:
    """The signature blocks signed in the dossier itself: the letter's."""
    return [spot for spot in job.spots if not catalogue.signed_apart(spot.document)]


def marks_of(job: YearBuild, key: str) -> list[marks.Mark]:
    """The signature marks of a document's PDF, read once (reading text costs)."""
    converted = job.files[key]
    if converted.marks is None:
        expected = {spot.field_name for spot in job.spots if spot.document == key}
        converted.marks = marks.find_marks(converted.pdf, expected=expected) if expected else []
    return converted.marks


def _places(
    job: YearBuild, planned: documents.Planned, *, first_page: int, spots: list[marks.SignatureSpot] | None = None
) -> list[marks.FieldPlace]:
    """An empty field over each signature block of one document, the document starting at
    ``first_page``; a block whose place cannot be found is a template error."""
    key = planned.key
    labels = {
        spot.field_name: documents.signature_label(spot.who, planned, job.data)
        for spot in (job.spots if spots is None else spots)
        if spot.document == key
    }
    found = marks.places_for([m for m in marks_of(job, key) if m.field in labels], first_page, labels)
    missing = set(labels) - {p.name for p in found}
    if missing:
        raise TemplateProblem(
            f"le document {key} : la place de la signature {', '.join(sorted(missing))} est introuvable dans son PDF",
            hint=f"dans le modèle {key}.docx, la balise {{{{ signature(…) }}}} doit rester "
            "dans le corps du document, seule dans son paragraphe du bloc de signature",
        )
    return found


def signature_places(job: YearBuild, placement: assemble.Layout) -> list[marks.FieldPlace]:
    """The dossier's empty fields: the letter's, the one signature made inside it."""
    spots = dossier_spots(job)
    signed_here = {spot.document for spot in spots}
    return [
        place
        for d in job.plan
        if d.key in signed_here
        for place in _places(job, d, first_page=placement.starts[d.key], spots=spots)
    ]
