"""Signature fields where someone signs, PAdES signing into them, and verifying.

Templates mark each signature block with ``{{ signature('document', 'who') }}``, which
becomes an empty bookmark; its position in the rendered PDF places the field (``marks``),
so a template edit that moves a block moves its field. Every signature is an incremental
update: the signed bytes are never rewritten.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.pdfgen import canvas

from pipeline import files
from pipeline.errors import SignatureError
from pipeline.pdf import fonts, originals
from pipeline.pdf.marks import FIELD_HEIGHT, FIELD_WIDTH, FieldPlace


def add_empty_fields(writer, places: list[FieldPlace]) -> None:
    """Add empty signature fields to a dossier being written by pypdf; pyHanko signs into them
    later as incremental updates. Done here rather than as a pyHanko update, the build stays
    fast and its output reproducible."""
    _unique(places)
    fields = ArrayObject()
    for place in places:
        page = writer.pages[place.page]
        ref = _empty_field(place, page.indirect_reference, writer._add_object)
        annots = page.get("/Annots")
        if annots is None:
            page[NameObject("/Annots")] = ArrayObject([ref])
        else:
            annots.get_object().append(ref)
        fields.append(ref)
    if fields:
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({NameObject("/Fields"): fields}))


def _unique(places: list[FieldPlace]) -> None:
    names = [p.name for p in places]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SignatureError(
            f"le même champ de signature apparaît deux fois : {', '.join(duplicates)}",
            hint="chaque appel à signature('document', 'qui') doit être unique dans les modèles",
        )


def _empty_field(place: FieldPlace, page_ref, add):
    """The widget of an empty signature field over ``place``, with the print flag and an (empty)
    appearance stream as PDF/A wants; ``add`` makes an object indirect and gives its reference."""
    llx, lly, urx, ury = place.box
    appearance = StreamObject()
    appearance.set_data(b"")
    appearance.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(urx - llx), FloatObject(ury - lly)]),
            NameObject("/Resources"): DictionaryObject(),
        }
    )
    return add(
        DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): TextStringObject(place.name),
                NameObject("/TU"): TextStringObject(place.label),
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/F"): NumberObject(4 | 128),  # print, locked
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in place.box]),
                NameObject("/P"): page_ref,
                NameObject("/AP"): DictionaryObject({NameObject("/N"): add(appearance)}),
            }
        )
    )


def write_with_fields(pdf: Path, places: list[FieldPlace]) -> None:
    """A document published on its own, ready to sign: its empty fields appended as an
    incremental update (the converted bytes, metadata, output intent and identifier kept; a few
    milliseconds, where rewriting the file costs fifty), in place, whole or not at all."""
    if not places:
        return

    data = pdf.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    root: Any = reader.trailer["/Root"]
    if found and data[int(found.group(1)) : int(found.group(1)) + 4] == b"xref" and "/AcroForm" not in root:
        files.write_atomically(pdf, data + _fields_update(reader, places, len(data), int(found.group(1))))
        return
    writer = PdfWriter(clone_from=reader)  # not laid out as LibreOffice writes: rewritten whole
    add_empty_fields(writer, places)
    out = io.BytesIO()
    writer.write(out)
    files.write_atomically(pdf, out.getvalue())


def _fields_update(reader, places: list[FieldPlace], length: int, previous_xref: int) -> bytes:
    """The incremental update adding ``places``: new appearance, widget and AcroForm objects,
    the pages and catalog rewritten with them, a classic cross-reference section after them."""
    trailer = reader.trailer
    objects: dict[int, Any] = {}  # pypdf objects, each written again under its own number
    next_number = int(trailer["/Size"])

    def new(obj) -> IndirectObject:
        nonlocal next_number
        objects[next_number] = obj
        next_number += 1
        return IndirectObject(next_number - 1, 0, reader)

    def rewritten(ref: IndirectObject):
        """An object of the file, copied to be written again under its own number."""
        if ref.idnum not in objects:
            value: Any = ref.get_object()
            objects[ref.idnum] = DictionaryObject(dict.items(value)) if isinstance(value, dict) else ArrayObject(value)
        return objects[ref.idnum]

    _unique(places)
    widgets = ArrayObject()
    for place in places:
        page_ref = reader.pages[place.page].indirect_reference
        page = rewritten(page_ref)
        widget = _empty_field(place, page_ref, new)
        annots = dict.get(page, "/Annots")
        if isinstance(annots, IndirectObject):
            rewritten(annots).append(widget)
        else:
            page[NameObject("/Annots")] = ArrayObject([*(annots or []), widget])
        widgets.append(widget)
    root_ref = trailer.raw_get("/Root")
    rewritten(root_ref)[NameObject("/AcroForm")] = new(DictionaryObject({NameObject("/Fields"): widgets}))
    out = io.BytesIO()
    out.write(b"\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = length + out.tell()
        out.write(f"{number} 0 obj\n".encode())
        objects[number].write_to_stream(out)
        out.write(b"\nendobj\n")
    xref = length + out.tell()
    out.write(b"xref\n")
    numbers = sorted(offsets)
    runs = [[numbers[0]]]
    for number in numbers[1:]:
        runs[-1].append(number) if number == runs[-1][-1] + 1 else runs.append([number])
    for run in runs:
        out.write(f"{run[0]} {len(run)}\n".encode())
        out.write(b"".join(f"{offsets[n]:010d} 00000 n \n".encode() for n in run))
    new_trailer = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(next_number),
            NameObject("/Root"): root_ref,
            NameObject("/Prev"): NumberObject(previous_xref),
        }
    )
    if "/Info" in trailer:
        new_trailer[NameObject("/Info")] = trailer.raw_get("/Info")
    if "/ID" in trailer:  # the same identifier: the build stays reproducible
        new_trailer[NameObject("/ID")] = ArrayObject([ByteStringObject(p.original_bytes) for p in trailer["/ID"]])
    out.write(b"trailer\n")
    new_trailer.write_to_stream(out)
    out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


@dataclass(frozen=True)
class FieldStatus:
    """A signature field of a PDF, as ``fields`` lists it."""

    name: str
    """The field's name, the one ``sign --field`` takes."""
    label: str
    """Its tooltip: who signs, for what."""
    page: int | None
    """The page it sits on (1-based); None when the file does not say."""
    signed: bool
    """Whether a signature fills it."""


@dataclass(frozen=True)
class SignatureStatus:
    """One line of ``verify``: a field of the dossier, empty or signed, or a signature of a
    signed original the dossier carries."""

    name: str
    """The field's name."""
    page: int | None = None
    """The dossier's page of the field (1-based); None for an original's signature."""
    document: str | None = None
    """The signed original's file name; None for the dossier's own fields."""
    signature: originals.Signature | None = None
    """The signature read and checked (signer, time, level, integrity, trust…); None: the field is empty."""
    matches: str | None = None
    """An original's first difference from today's document (« » when none); None when not compared."""

    @property
    def signed(self) -> bool:
        """Whether a signature fills the field."""
        return self.signature is not None


def list_fields(pdf: Path) -> list[FieldStatus]:
    """Every signature field, in the file's order."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
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
            result.append(FieldStatus(name, str(field.get("/TU", "")), page, signed=value is not None))
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
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.sign import signers

    if not pkcs12.is_file():
        raise SignatureError(f"certificat introuvable : {pkcs12}")
    signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), passphrase=passphrase.encode() if passphrase else None)
    if signer is None:
        raise SignatureError(
            f"impossible d'ouvrir le certificat {pkcs12.name}",
            hint="vérifiez le mot de passe (variable PIPELINE_PKCS12_PASSWORD ou invite)",
        )
    return signer


def sign(
    pdf: Path,
    field: str,
    pkcs12: Path,
    passphrase: str | None,
    *,
    reason: str | None = None,
    location: str | None = None,
    timestamp: str | None = None,
    ltv: bool = False,
    trust: list[Path] | None = None,
) -> None:
    """Sign ``field`` with a PAdES signature, as an incremental update of ``pdf`` (in place).

    ``timestamp``: a time-stamping authority's URL, for PAdES B-T (the time is the authority's,
    not the signer's computer's); ``ltv``: also embed the certificates and revocation data
    (B-LT), fetched now, so that the signature still verifies offline in years; ``trust``: the
    authorities the chain leads to (else the self-signed ones the .p12 carries).
    """
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    known = {f.name: f for f in list_fields(pdf)}
    if field not in known:
        raise SignatureError(
            f"pas de champ de signature « {field} » dans {pdf.name}", hint=f"champs disponibles : {', '.join(known) or 'aucun'}"
        )
    if known[field].signed:
        raise SignatureError(f"le champ « {field} » est déjà signé")
    if ltv and not timestamp:
        raise SignatureError("--ltv demande aussi --timestamp URL", hint="une signature B-LT est d'abord horodatée (B-T)")
    signer = load_signer(pkcs12, passphrase)
    common_name = originals.common_name(signer.signing_cert.subject.human_friendly)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        embed_validation_info=ltv,
        validation_context=_fetching_context(signer, trust) if ltv else None,
    )
    fd, tmp_name = tempfile.mkstemp(suffix=".pdf", dir=pdf.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with open(pdf, "rb") as source, open(tmp, "wb") as out, originals.quiet_validation(), stamp_style(common_name) as style:
            writer = IncrementalPdfFileWriter(source, strict=False)
            _pdf_a2_signer()(
                meta, signer=signer, stamp_style=style, timestamper=HTTPTimeStamper(timestamp) if timestamp else None
            ).sign_pdf(writer, output=out)
        files.ordinary_mode(tmp, like=pdf)
        os.replace(tmp, pdf)
    except TimestampRequestError as exc:
        raise SignatureError(
            f"l'horodatage n'a pas pu être obtenu de {timestamp} ({_first_line(exc)}) : rien n'a été signé",
            hint="vérifiez l'adresse de l'autorité d'horodatage et la connexion",
        ) from None
    except SigningError as exc:
        raise SignatureError(
            f"signature impossible : {_first_line(exc)} ; rien n'a été signé",
            hint="avec --ltv, les données de révocation doivent être joignables ; indiquez l'autorité avec --trust",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _pdf_a2_signer() -> type:
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.sign import signers
    from pyhanko.sign.signers import constants

    class PdfA2Signer(signers.PdfSigner):
        """pyHanko's signer, the file kept PDF 1.7. Signing with an EC key (ECDSA on P-256, as
        French signature cards do), pyHanko declares ISO 32002 and sets the catalog's /Version
        to 2.0: the dossier then says it is PDF 2.0 while its metadata claim PDF/A-2b, which
        ISO 19005-2 founds on PDF 1.7 (PDF 2.0 is PDF/A-4's), and older readers warn about a
        newer version. PAdES needs no PDF 2.0: ETSI EN 319 142-1 allows ECDSA in PDF 1.7 under
        the ESIC extension, declared here as for any PAdES signature."""

        def register_extensions(self, pdf_out, *, md_algorithm: str) -> None:
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return PdfA2Signer


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


def _fetching_context(signer, trust: list[Path] | None):
    """What B-LT signing validates the chain with: the given authorities, else the self-signed
    certificates of the .p12; the revocation data (OCSP, CRL) fetched now and embedded."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator import ValidationContext

    chain = list(signer.cert_registry)
    roots = [load_cert_from_pemder(str(p)) for p in trust or []] or [c for c in chain if c.self_signed != "no"]
    return ValidationContext(trust_roots=roots, other_certs=chain, allow_fetching=True)


@contextlib.contextmanager
def stamp_style(signer_name: str, when=None):
    """How a signature looks on its page (« Signé électroniquement par … le … »), drawn with an
    embedded font so that the document stays PDF/A; pyHanko reads it while signing."""

    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.stamp import StaticStampStyle

    fonts.register()
    when = (when or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(originals.PARIS))  # as France reads it
    with tempfile.TemporaryDirectory(prefix="signature-") as folder:
        path = Path(folder) / "apparence.pdf"
        c = canvas.Canvas(str(path), pagesize=(FIELD_WIDTH, FIELD_HEIGHT), initialFontName=fonts.REGULAR)
        c.setFont(fonts.REGULAR, 8)
        c.setFillColorRGB(0.1, 0.2, 0.4)
        c.drawString(6, FIELD_HEIGHT - 20, "Signé électroniquement par")
        c.setFont(fonts.BOLD, 9)
        c.drawString(6, FIELD_HEIGHT - 32, signer_name[:45])
        c.setFont(fonts.REGULAR, 8)
        c.drawString(6, FIELD_HEIGHT - 44, f"le {when:%d/%m/%Y} à {when:%H} h {when:%M}")
        c.save()
        yield StaticStampStyle.from_pdf_file(str(path), border_width=0)


def verify(pdf: Path, trust: list[Path] | None = None, built: Path | None = None) -> list[SignatureStatus]:
    """Every signature a dossier holds: its own fields, empty or signed, then each signature of
    each signed original it carries; for an original, whether it still reads as the document
    built from today's data in ``built``."""
    # lazy: pyHanko (~0.9 s), only once a signed original or a signing is there
    from pyhanko.keys import load_cert_from_pemder

    try:
        roots = [load_cert_from_pemder(str(p)) for p in (trust or [])]
    except (OSError, ValueError) as exc:
        raise SignatureError(
            f"certificat d'autorité illisible ({exc.__class__.__name__})", hint="donnez à --trust un certificat PEM ou DER"
        ) from None
    rows = {f.name: SignatureStatus(f.name, f.page) for f in list_fields(pdf)}  # in the file's order
    for signature in originals.read_signatures(pdf.read_bytes(), pdf.name, roots):
        row = rows.get(signature.field, SignatureStatus(signature.field))  # a signature without its field: last
        rows[signature.field] = dataclasses.replace(row, signature=signature)
    found = list(rows.values())
    for name, data in originals.embedded_pdfs(pdf):
        matches = _matches_today(data, built / name) if built is not None else None
        found += [
            SignatureStatus(signature.field, document=name, signature=signature, matches=matches)
            for signature in originals.read_signatures(data, name, roots)
        ]
    return found


def _matches_today(data: bytes, built: Path) -> str | None:
    """Whether a signed original reads as the document built from today's data (``built``, the
    file of the same name in the year's outputs): None when it is not there (or is the original
    itself), else the first difference (« » when none)."""
    if not built.is_file() or built.read_bytes() == data:  # not built, or the original itself: nothing to compare
        return None
    difference = originals.compare(data, built)
    return "" if difference is None else f"« {difference[0]} » au lieu de « {difference[1]} »"
