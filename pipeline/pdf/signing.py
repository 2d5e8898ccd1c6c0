"""Signature fields where someone signs, PAdES signing into them, and verifying.

Templates mark each signature block with ``{{ signature('document', 'who') }}``, which
becomes an empty bookmark; its position in the rendered PDF places the field, so a
template edit that moves a block moves its field. Every signature is an incremental
update: the signed bytes are never rewritten.
"""
from __future__ import annotations

import contextlib
import logging

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from pipeline.pdf import fonts
from pipeline.errors import SignatureError
from pipeline.pdf.marks import bookmark_name

FIELD_WIDTH = 215.0
FIELD_HEIGHT = 58.0


@dataclass(frozen=True)
class FieldPlace:
    """An empty signature field: its name, tooltip, page (0-based) and box in points."""

    name: str
    label: str
    page: int
    box: tuple[float, float, float, float]


def find_marks(pdf: Path, expected: set[str]) -> list[tuple[str, int, float, float]]:
    """(field name, page index, x, y) of the ``expected`` signature blocks of a rendered document.

    Each block carries an empty bookmark (``marks.signature_bookmarks``), which LibreOffice
    exports as a named destination: its page and position, read without extracting text.
    """
    reader = PdfReader(pdf)
    wanted = {"/" + bookmark_name(name): name for name in expected}
    found = []
    for dest_name, dest in reader.named_destinations.items():
        if dest_name in wanted and dest.get("/Left") is not None and dest.get("/Top") is not None:
            found.append((wanted[dest_name], reader.get_destination_page_number(dest),
                          float(dest["/Left"]), float(dest["/Top"]) - 1))  # the top of a one-point line
    return sorted(found, key=lambda item: (item[1], -item[3], item[2]))


def places_for(marks: list[tuple[str, int, float, float]], first_page: int, labels: dict[str, str]) -> list[FieldPlace]:
    """Fields for one document's marks, the document starting at dossier page ``first_page`` (1-based)."""
    places = []
    for name, index, x, y in marks:
        box = (round(x, 1), round(y - FIELD_HEIGHT, 1), round(x + FIELD_WIDTH, 1), round(y + 2, 1))
        places.append(FieldPlace(name, labels.get(name, name), first_page - 1 + index, box))
    return places


def add_empty_fields(writer, places: list[FieldPlace]) -> None:
    """Add empty signature fields to a dossier being written by pypdf.

    Each is a widget with the print flag and an (empty) appearance stream, as PDF/A
    wants; pyHanko signs into them later as incremental updates. Done here rather than
    as a pyHanko update, the build stays fast and its output reproducible.
    """
    from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject,
                               StreamObject, TextStringObject)

    names = [p.name for p in places]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SignatureError(f"le même champ de signature apparaît deux fois : {', '.join(duplicates)}",
                             hint="chaque appel à signature('document', 'qui') doit être unique dans les modèles")
    fields = ArrayObject()
    for place in places:
        page = writer.pages[place.page]
        llx, lly, urx, ury = place.box
        appearance = StreamObject()
        appearance.set_data(b"")
        appearance.update({
            NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(urx - llx), FloatObject(ury - lly)]),
            NameObject("/Resources"): DictionaryObject(),
        })
        widget = DictionaryObject({
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject(place.name),
            NameObject("/TU"): TextStringObject(place.label),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/F"): NumberObject(4 | 128),  # print, locked
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in place.box]),
            NameObject("/P"): page.indirect_reference,
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        })
        ref = writer._add_object(widget)
        annots = page.get("/Annots")
        if annots is None:
            page[NameObject("/Annots")] = ArrayObject([ref])
        else:
            annots.get_object().append(ref)
        fields.append(ref)
    if fields:
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
            NameObject("/Fields"): fields}))


def write_with_fields(pdf: Path, places: list[FieldPlace]) -> None:
    """A document published on its own, ready to sign: its empty fields added (in place, whole
    or not at all), its PDF/A output intent, metadata and identifier kept."""
    if not places:
        return
    import io

    from pypdf import PdfWriter

    from pipeline import files

    reader = PdfReader(pdf)
    writer = PdfWriter(clone_from=reader)
    for key in ("/AcroForm",):
        if key in writer._root_object:
            del writer._root_object[key]
    add_empty_fields(writer, places)
    if reader.trailer.get("/ID") is not None:  # the same file identifier: the build stays reproducible
        writer._ID = reader.trailer["/ID"].clone(writer)
    out = io.BytesIO()
    writer.write(out)
    files.write_atomically(pdf, out.getvalue())


def list_fields(pdf: Path) -> list[dict]:
    """Every signature field: name, tooltip, page (1-based), signed or not."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    result = []
    with open(pdf, "rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        pages = [ref.idnum for ref in _page_refs(reader)]
        for name, value, ref in enumerate_sig_fields(reader, filled_status=None):
            field = ref.get_object()
            page_ref = field.get("/P")
            page = pages.index(page_ref.idnum) + 1 if page_ref is not None and page_ref.idnum in pages else None
            result.append({"name": name, "label": str(field.get("/TU", "")), "page": page, "signed": value is not None})
    return result


def _page_refs(reader):
    root = reader.root["/Pages"]
    refs = []

    def walk(node_ref):
        node = node_ref.get_object()
        if node.get("/Type") == "/Pages":
            for kid in node["/Kids"]:
                walk(kid)
        else:
            refs.append(node_ref)

    for kid in root["/Kids"]:
        walk(kid)
    return refs


def load_signer(pkcs12: Path, passphrase: str | None):
    from pyhanko.sign import signers

    if not pkcs12.is_file():
        raise SignatureError(f"certificat introuvable : {pkcs12}")
    signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase.encode() if passphrase else None)
    if signer is None:
        raise SignatureError(f"impossible d'ouvrir le certificat {pkcs12.name}",
                             hint="vérifiez le mot de passe (variable PIPELINE_PKCS12_PASSWORD ou invite)")
    return signer


def sign(pdf: Path, field: str, pkcs12: Path, passphrase: str | None, *, reason: str | None = None,
         location: str | None = None) -> None:
    """Sign ``field`` with a PAdES signature, as an incremental update of ``pdf`` (in place)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import StaticStampStyle

    known = {f["name"]: f for f in list_fields(pdf)}
    if field not in known:
        raise SignatureError(f"pas de champ de signature « {field} » dans {pdf.name}",
                             hint=f"champs disponibles : {', '.join(known) or 'aucun'}")
    if known[field]["signed"]:
        raise SignatureError(f"le champ « {field} » est déjà signé")
    signer = load_signer(pkcs12, passphrase)
    who = signer.signing_cert.subject.human_friendly
    common_name = next((part.split(":", 1)[1].strip() for part in who.split(",") if part.strip().startswith("Common Name")), who)
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
                                        reason=reason, location=location, md_algorithm="sha256")
    fd, tmp_name = tempfile.mkstemp(suffix=".pdf", dir=pdf.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with open(pdf, "rb") as source, open(tmp, "wb") as out:
            writer = IncrementalPdfFileWriter(source, strict=False)
            appearance = tmp.with_suffix(".stamp.pdf")
            _stamp(appearance, common_name)
            style = StaticStampStyle.from_pdf_file(str(appearance), border_width=0)
            signers.PdfSigner(meta, signer=signer, stamp_style=style).sign_pdf(writer, output=out)
        os.replace(tmp, pdf)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_suffix(".stamp.pdf").unlink(missing_ok=True)


def _stamp(path: Path, signer_name: str) -> None:
    """The visible appearance of a signature, drawn with an embedded font (PDF/A)."""
    import datetime as dt

    from reportlab.pdfgen import canvas

    fonts.register()
    c = canvas.Canvas(str(path), pagesize=(FIELD_WIDTH, FIELD_HEIGHT), initialFontName="Dossier-Sans")
    c.setFont("Dossier-Sans", 8)
    c.setFillColorRGB(0.1, 0.2, 0.4)
    c.drawString(6, FIELD_HEIGHT - 20, "Signé électroniquement par")
    c.setFont("Dossier-Sans-Bold", 9)
    c.drawString(6, FIELD_HEIGHT - 32, signer_name[:45])
    c.setFont("Dossier-Sans", 8)
    c.drawString(6, FIELD_HEIGHT - 44, "le " + dt.datetime.now().strftime("%d/%m/%Y à %H:%M"))
    c.save()


@contextlib.contextmanager
def _quiet_validation():
    """pyHanko logs a failed chain with its whole traceback: the reason staff need is given
    by ``verify`` itself, in one plain line, so its loggers say nothing meanwhile."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    saved = [(lg.propagate, lg.level, lg.handlers[:]) for lg in loggers]
    for lg in loggers:
        lg.propagate, lg.handlers = False, [logging.NullHandler()]
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, (propagate, level, handlers) in zip(loggers, saved):
            lg.propagate, lg.handlers = propagate, handlers
            lg.setLevel(level)


def _reason(status, trusted_roots: bool) -> str | None:
    """Why a signature is not valid, as the paying officer reads it (None when it is)."""
    if not (status.intact and status.valid):
        return "le document a été modifié après cette signature, ou la signature est abîmée"
    if not status.trusted:
        if not trusted_roots:
            return "autorité de certification non vérifiée : indiquez-la avec --trust"
        return "le certificat du signataire ne vient pas d'une autorité de confiance indiquée par --trust"
    if not status.bottom_line:
        return "signature non valide (certificat expiré, révoqué ou usage non permis)"
    return None


def verify(pdf: Path, trust: list[Path] | None = None) -> list[dict]:
    """Each field, signed or empty; for a signature: signer, time, intact, valid, coverage and,
    when not valid, the reason in plain words."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        roots = [load_cert_from_pemder(str(p)) for p in (trust or [])]
    except (OSError, ValueError) as exc:
        raise SignatureError(f"certificat d'autorité illisible ({exc.__class__.__name__})",
                             hint="donnez à --trust un certificat PEM ou DER") from None
    fields = list_fields(pdf)
    by_name = {f["name"]: dict(f) for f in fields}
    try:
        with open(pdf, "rb") as handle, _quiet_validation():
            reader = PdfFileReader(handle, strict=False)
            for embedded in reader.embedded_signatures:
                context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
                status = validate_pdf_signature(embedded, context, skip_diff=False)
                entry = by_name.setdefault(embedded.field_name, {"name": embedded.field_name, "page": None})
                entry.update({
                    "signed": True,
                    "signer": status.signing_cert.subject.human_friendly,
                    "time": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                    "intact": bool(status.intact and status.valid),
                    "trusted": bool(status.trusted),
                    "valid": bool(status.bottom_line),
                    "coverage": status.coverage.name if status.coverage else None,
                    "modifications": status.modification_level.name if status.modification_level else None,
                    "reason": _reason(status, bool(roots)),
                })
    except (PdfError, SigningError, ValueError, KeyError, TypeError) as exc:
        raise SignatureError(f"{pdf.name} : signatures illisibles ({exc.__class__.__name__}) — le fichier a "
                             "peut-être été modifié ou abîmé", hint="demandez le fichier signé d'origine") from None
    return [by_name[f["name"]] for f in fields] + [v for k, v in by_name.items() if k not in {f["name"] for f in fields}]
