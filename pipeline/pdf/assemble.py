"""Join the year's documents and attached pieces into one dossier PDF.

Cover, sommaire and page numbers are drawn with reportlab once the page counts are known
(milliseconds, where a second LibreOffice run would cost a whole start), in Liberation
Sans embedded in the file. pypdf's merge drops the output intent, XMP metadata and
language of its sources (pypdf #1012): they are restored here for PDF/A-2b.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass
from html import escape as _escape
from pathlib import Path
from typing import Any, BinaryIO, Callable, Literal, Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from pipeline.errors import InputError
from pipeline.pdf import fonts
from pipeline.pdf.marks import FieldPlace, is_signature_bookmark
from pipeline.pdf.signing import add_empty_fields


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities, as xml.sax.saxutils.escape writes them: without its
    import, which loads urllib, http and ssl (a twentieth of a second of every build)."""
    return _escape(text, quote=False)


SOMMAIRE_LINES_PER_PAGE = 26


@dataclass(frozen=True)
class Entry:
    """One part of the dossier: a generated document or an attached piece."""

    title: str
    pdf: Path
    kind: Literal["document", "piece"]  # a document keeps its own bookmarks; a piece does not
    key: str
    section: str = ""  # its heading in the sommaire


@dataclass(frozen=True)
class Attachment:
    """A file the dossier carries, byte for byte: a signed original, whose signatures cover
    exactly these bytes (its pages, shown in the dossier, are no longer signed there)."""

    name: str
    data: bytes
    description: str  # what the file is, as a PDF reader's attachment panel shows it
    summary: str  # its line in the sommaire: who signed and when
    date: dt.datetime


@dataclass(frozen=True)
class Mention:
    """What the dossier writes on each page of a document signed apart: a line up the left
    margin (who signed, when, where the original is) and, on a copy, a banner across the top."""

    margin: str
    banner: str | None = None


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    keywords: list[str]
    date: dt.datetime
    cover_lines: list[str]
    draft_mark: str | None


@dataclass(frozen=True)
class Layout:
    """Where each entry starts in the dossier, known before anything is drawn."""

    starts: dict[str, int]
    total: int
    sommaire_pages: int


def open_pdf(path: Path | BinaryIO, label: str) -> PdfReader:
    """A PDF opened for reading (a file, or bytes already read); an unreadable or encrypted one
    is an error that names it."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise InputError(f"{label} : PDF protégé par un mot de passe", hint="fournissez une version non chiffrée")
        len(reader.pages)  # reads the page tree: a broken one fails here, not halfway through assembling
        return reader
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"{label} : PDF illisible ({exc.__class__.__name__})", hint="demandez un nouvel export de la pièce"
        ) from None


def page_count(path: Path, label: str) -> int:
    """Pages of a PDF; an unreadable or encrypted one is an error that names it."""
    return len(open_pdf(path, label).pages)


TITLE_WIDTH = A4[0] - 200  # a sommaire line's title, before its leaders and page number


def _title_lines(title: str) -> list[str]:
    """A sommaire entry's title on as many lines as it needs (never cut); its closing remark in
    brackets, « (à signer séparément) », goes to the next line whole rather than split."""
    head, bracket, remark = title.rpartition(" (")
    if bracket and remark.endswith(")") and "(" not in remark:
        title = f"{head} ({remark.replace(' ', chr(0xA0))}"
    return _wrap(title, fonts.REGULAR, 11, TITLE_WIDTH)


ATTACHED_WIDTH = A4[0] - 135  # a carried file's line in the sommaire


def _attached_lines(attachment: Attachment) -> list[str]:
    """A carried file's line in the sommaire, on as many lines as its signatories take (never cut)."""
    return _wrap(f"{attachment.name} – {attachment.summary}", fonts.REGULAR, 9.5, ATTACHED_WIDTH)


def layout(entries: list[Entry], counts: list[int], attached: Sequence[Attachment] = ()) -> Layout:
    """Where each entry starts, the sommaire listing the entries (a long title on two lines) and
    the ``attached`` files (a long list of signatories on two lines)."""
    fonts.register()
    lines = sum(len(_title_lines(e.title)) for e in entries) + sum(len(_attached_lines(a)) for a in attached)
    sommaire_pages = max(1, math.ceil(lines / SOMMAIRE_LINES_PER_PAGE))
    page = 1 + sommaire_pages + 1
    starts = {}
    for entry, count in zip(entries, counts):
        starts[entry.key] = page
        page += count
    return Layout(starts=starts, total=page - 1, sommaire_pages=sommaire_pages)


def _front_matter(entries: list[Entry], placement: Layout, meta: Meta, attachments: list[Attachment]) -> bytes:
    """Cover page and sommaire (with, last, the signed files the PDF carries), as a small PDF."""
    fonts.register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.REGULAR)
    width, height = A4
    accent = Color(0x1F / 255, 0x3A / 255, 0x5F / 255)
    c.setFillColor(accent)
    c.rect(0, height - 9, width, 9, stroke=0, fill=1)
    y = height - 200
    for i, line in enumerate(meta.cover_lines):
        size = 24 if i == 0 else (16 if i == 1 else 12)
        c.setFont(fonts.BOLD if i < 2 else fonts.REGULAR, size)
        c.setFillColor(accent if i < 2 else Color(0, 0, 0))
        for part in _wrap(line, fonts.BOLD if i < 2 else fonts.REGULAR, size, width - 140):
            c.drawCentredString(width / 2, y, part)
            y -= size * 1.45
        y -= 10 if i < 2 else 2
    if meta.draft_mark:
        c.setFont(fonts.BOLD, 14)
        c.setFillColor(Color(0.75, 0, 0))
        c.drawCentredString(width / 2, 120, meta.draft_mark)
    c.showPage()
    rows: list[tuple[str, int | None, str, bool | str]] = []  # text, page, section, continued (or a file's line)
    for e in entries:  # a long title continues on a line of its own, the page number on its last line
        parts = _title_lines(e.title)
        rows += [
            (part, None if i < len(parts) - 1 else placement.starts[e.key], e.section, i > 0) for i, part in enumerate(parts)
        ]
    carried = "Originaux signés électroniquement, joints à ce fichier (trombone du lecteur PDF)"
    for a in sorted(attachments, key=lambda a: a.name):  # a file carried, not a page: no leaders, never cut
        parts = _attached_lines(a)
        rows += [(part, None, carried, "file-more" if i < len(parts) - 1 else "file") for i, part in enumerate(parts)]
    for page_index in range(placement.sommaire_pages):
        c.setFillColor(accent)
        c.setFont(fonts.BOLD, 18)
        c.drawString(60, height - 80, "Sommaire")
        y = height - 125
        chunk = rows[page_index * SOMMAIRE_LINES_PER_PAGE : (page_index + 1) * SOMMAIRE_LINES_PER_PAGE]
        previous_section = None
        for title, start, section, continued in chunk:
            if section and section != previous_section:
                c.setFillColor(accent)
                c.setFont(fonts.BOLD, 11)
                c.drawString(60, y, section)
                y -= 20
                previous_section = section
            c.setFillColor(Color(0, 0, 0))
            if continued in ("file", "file-more"):  # a file carried, not a page: no leaders
                c.setFont(fonts.REGULAR, 9.5)
                c.drawString(75, y, title)
                y -= 13 if continued == "file-more" else 22
                continue
            if start is None:  # a title's first line, continued below
                c.setFont(fonts.REGULAR, 11)
                c.drawString(75, y, title)
                y -= 15
                continue
            c.setFont(fonts.REGULAR, 11)
            text = _fit(title, fonts.REGULAR, 11, TITLE_WIDTH)
            c.drawString(75, y, text)
            number = str(start)
            c.drawRightString(width - 60, y, number)
            dots_from = 75 + pdfmetrics.stringWidth(text, fonts.REGULAR, 11) + 6
            dots_to = width - 66 - pdfmetrics.stringWidth(number, fonts.REGULAR, 11)
            c.setFillColor(Color(0.5, 0.5, 0.5))
            step = pdfmetrics.stringWidth(" .", fonts.REGULAR, 11)
            leaders = " ." * max(0, int((dots_to - dots_from) / step))
            c.drawRightString(dots_to, y, leaders)  # aligned on the right, up to the page number
            y -= 22
        c.showPage()
    c.save()
    return buf.getvalue()


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines at most ``width`` wide, cut only at ordinary spaces: a no-break space holds (« Côte d'Azur »)."""
    words, lines, current = [w for w in text.split(" ") if w], [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(trial, font, size) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    return lines + ([current] if current else [])


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _numbers_overlay(sizes: list[tuple[float, float]], label: str, mentions: list[Mention | None]) -> PdfReader:
    """One page per dossier page with 'label · page N / total' at the bottom right, and a
    page's mention (« Signé électroniquement par … ») up its left margin."""
    fonts.register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1, initialFontName=fonts.REGULAR)
    total = len(sizes)
    for n, ((w, h), mention) in enumerate(zip(sizes, mentions), 1):
        c.setPageSize((w, h))
        if mention:
            _margin_mention(c, mention, w, h)
        text = f"{label} · page {n} / {total}"
        width = pdfmetrics.stringWidth(text, fonts.REGULAR, 8.5)
        c.setFillColor(Color(1, 1, 1))  # legible over a full-page scan too
        c.rect(w - 28 - width - 3, 14, width + 6, 12, stroke=0, fill=1)
        c.setFont(fonts.REGULAR, 8.5)
        c.setFillColor(Color(0, 0, 0))
        # 6 mm from the edge, below the documents' own footers: what the sommaire and the
        # bordereau refer to, kept clear of a printer's unprintable margin
        c.drawRightString(w - 28, 17, text)
        c.showPage()
    c.save()
    return PdfReader(io.BytesIO(buf.getvalue()))


def _margin_mention(c, mention: Mention, width: float, height: float) -> None:
    """The mention read bottom to top in the left margin, 8 to 12 mm from the edge (clear of
    the documents' text and of a printer's unprintable border); a copy's banner across the top."""
    size = 7.5
    lines = _wrap(mention.margin, fonts.REGULAR, size, height - 80)[:2]
    c.saveState()
    c.translate(34, 40)
    c.rotate(90)
    for i, line in enumerate(lines):
        line = _fit(line, fonts.REGULAR, size, height - 80)
        c.setFillColor(Color(1, 1, 1))
        c.rect(-3, -2.5 - i * 10, pdfmetrics.stringWidth(line, fonts.REGULAR, size) + 6, size + 3, stroke=0, fill=1)
        c.setFillColor(Color(0x1F / 255, 0x3A / 255, 0x5F / 255))
        c.setFont(fonts.REGULAR, size)
        c.drawString(0, -i * 10, line)  # the second line under the first, toward the text
    c.restoreState()
    if mention.banner:
        c.setFont(fonts.BOLD, 9)
        c.setFillColor(Color(0.75, 0, 0))
        c.drawCentredString(width / 2, height - 16, mention.banner)


def _attach(writer: PdfWriter, attachments: list[Attachment]) -> None:
    """Carry each file as an embedded file (PDF/A-2 admits PDF/A files, as signed originals
    made by this build are), each named, described and dated."""
    if not attachments:
        return

    names, refs = ArrayObject(), ArrayObject()
    for a in sorted(attachments, key=lambda a: a.name):
        stream = StreamObject()
        stream.set_data(a.data)
        stream = stream.flate_encode()
        stream.update(
            {
                NameObject("/Type"): NameObject("/EmbeddedFile"),
                NameObject("/Subtype"): NameObject("/application#2Fpdf"),
                NameObject("/Params"): DictionaryObject(
                    {
                        NameObject("/Size"): NumberObject(len(a.data)),
                        NameObject("/ModDate"): TextStringObject(a.date.strftime("D:%Y%m%d%H%M%S+00'00'")),
                        NameObject("/CheckSum"): ByteStringObject(hashlib.md5(a.data).digest()),  # PDF's own checksum
                    }
                ),
            }
        )
        spec = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Filespec"),
                NameObject("/F"): TextStringObject(a.name),
                NameObject("/UF"): TextStringObject(a.name),
                NameObject("/Desc"): TextStringObject(a.description),
                NameObject("/AFRelationship"): NameObject("/Source"),
                NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(stream)}),
            }
        )
        ref = writer._add_object(spec)
        names.extend([TextStringObject(a.name), ref])
        refs.append(ref)
    root = writer._root_object
    tree: Any = root.get("/Names")
    if tree is None:
        tree = DictionaryObject()
        root[NameObject("/Names")] = writer._add_object(tree)
    tree.get_object()[NameObject("/EmbeddedFiles")] = DictionaryObject({NameObject("/Names"): names})
    root[NameObject("/AF")] = refs


def _xmp(meta: Meta) -> bytes:
    date = meta.date.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    keywords = escape(", ".join(meta.keywords))
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>fr-FR</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{keywords}</pdf:Keywords>
   <pdf:Producer>{escape(meta.author)}</pdf:Producer>
   <xmp:CreatorTool>{escape(meta.author)}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def _sanitise(writer: PdfWriter) -> None:
    """No JavaScript, open or launch actions, or embedded files from attached pieces."""
    root = writer._root_object
    for key in ("/OpenAction", "/AA", "/AcroForm", "/StructTreeRoot", "/MarkInfo", "/PageLabels"):
        if key in root:
            del root[NameObject(key)]
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[NameObject(key)]
        if "/Dests" in names:
            _drop_signature_destinations(names["/Dests"].get_object())
    for page in writer.pages:
        for key in ("/AA", "/StructParents"):
            if key in page:
                del page[NameObject(key)]
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            action = annot.get("/A")
            kind = action.get_object().get("/S") if action is not None else None
            if annot.get("/Subtype") in ("/FileAttachment", "/Widget", "/Screen", "/Movie", "/Sound", "/RichMedia"):
                continue
            if kind is not None and kind not in ("/URI", "/GoTo"):
                continue
            if kind == "/URI" and str(action.get_object().get("/URI", "")).strip().lower().startswith("javascript:"):
                continue
            if "/AA" in annot:
                del annot[NameObject("/AA")]
            annot[NameObject("/F")] = _print_flag(annot)
            kept.append(ref)
        page[NameObject("/Annots")] = kept


def _keep_signature_appearances(writer: PdfWriter) -> None:
    """A signed original's pages keep the look of their signatures: each signed field's
    appearance drawn into its page, since the fields themselves stay in the original (the
    dossier's only field is its own letter's)."""
    for page in writer.pages:
        annots = page.get("/Annots")
        drawn: list[str] = []
        for ref in annots.get_object() if annots is not None else []:
            annot = ref.get_object()
            field = annot.get("/Parent", annot).get_object() if "/FT" not in annot else annot
            appearance = (annot.get("/AP") or {}).get("/N")
            if (
                annot.get("/Subtype") != "/Widget"
                or field.get("/FT") != "/Sig"
                or "/V" not in field
                or appearance is None
                or "/Matrix" in appearance.get_object()
                or not _fonts_embedded(appearance.get_object())
            ):  # PDF/A: else the margin mention says it
                continue
            box = _normalised([float(v) for v in appearance.get_object().get("/BBox", [0, 0, 0, 0])])
            llx, lly, urx, ury = _normalised([float(v) for v in annot["/Rect"]])
            if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
                continue
            sx, sy = (urx - llx) / (box[2] - box[0]), (ury - lly) / (box[3] - box[1])
            name = f"/SignatureVue{len(drawn)}"
            drawn.append(f"q {sx:.4f} 0 0 {sy:.4f} {llx - box[0] * sx:.2f} {lly - box[1] * sy:.2f} cm {name} Do Q")
            resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
            xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
            xobjects[NameObject(name)] = (
                appearance.indirect_reference
                if hasattr(appearance, "indirect_reference") and appearance.indirect_reference is not None
                else writer._add_object(appearance.get_object())
            )
        if drawn:
            content = page.get_contents()
            stream = DecodedStreamObject()
            stream.set_data(
                b"q\n" + (content.get_data() if content is not None else b"") + b"\nQ\n" + "\n".join(drawn).encode() + b"\n"
            )
            page.replace_contents(stream)  # type: ignore[arg-type]  # pypdf writes any stream object here


def _fonts_embedded(xobject, depth: int = 0) -> bool:
    """Whether every font a form (and the forms it draws) uses is embedded, as PDF/A requires."""
    resources = xobject.get("/Resources") or {}
    resources = resources.get_object() if hasattr(resources, "get_object") else resources
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or not {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()):
            return False
    inner = resources.get("/XObject") or {}
    return depth > 8 or all(
        _fonts_embedded(x.get_object(), depth + 1) for x in inner.values() if x.get_object().get("/Subtype") == "/Form"
    )


def _normalised(box: list[float]) -> list[float]:
    """A rectangle as lower-left and upper-right corners, whichever corners it was given by."""
    return [min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])]


def _drop_signature_destinations(tree) -> None:
    """The documents' signature bookmarks served to place the fields: not kept in the dossier."""
    for kid in tree.get("/Kids", []):
        _drop_signature_destinations(kid.get_object())
    pairs = tree.get("/Names")
    if pairs is not None:
        kept = ArrayObject()
        for name, dest in zip(pairs[::2], pairs[1::2]):
            if not is_signature_bookmark(str(name)):
                kept.extend([name, dest])
        tree[NameObject("/Names")] = kept


def _print_flag(annot):
    flags = int(annot.get("/F", 0))
    return NumberObject((flags | 4) & ~(1 | 2 | 32))  # print on; invisible, hidden, noview off


def prepare() -> None:
    """What assembling needs whatever the dossier: done early, off the build's critical path."""
    fonts.register()


def assemble(
    entries: list[Entry],
    out: Path,
    meta: Meta,
    *,
    output_intent_from: Path,
    number_label: str,
    fields: Callable[[Layout], list[FieldPlace]] | None = None,
    counts: list[int] | None = None,
    readers: dict[Path, PdfReader] | None = None,
    mentions: dict[str, Mention] | None = None,
    attachments: list[Attachment] | None = None,
) -> Layout:
    """Write the dossier to ``out``; return where each entry starts.

    ``fields(layout)`` gives the empty signature fields, placed once the layout is known;
    ``counts``: the entries' page counts, and ``readers``: some entries already opened, when
    the caller has them; ``mentions``: entry key → the line in the margin of each of its pages;
    ``attachments``: files carried unchanged.
    """
    readers = readers or {}
    if counts is None:
        counts = [page_count(e.pdf, e.title) for e in entries]
    attachments = attachments or []
    placement = layout(entries, counts, attachments)
    writer = PdfWriter()
    writer.append(
        PdfReader(io.BytesIO(_front_matter(entries, placement, meta, attachments))),
        outline_item="Page de garde et sommaire",
        import_outline=False,
    )
    for entry in entries:
        writer.append(
            readers.get(entry.pdf) or PdfReader(entry.pdf), outline_item=entry.title, import_outline=entry.kind == "document"
        )
    per_page: list[Mention | None] = [None] * (placement.total)
    for entry, count in zip(entries, counts):
        for i in range(count):
            per_page[placement.starts[entry.key] - 1 + i] = (mentions or {}).get(entry.key)
    overlay = _numbers_overlay(
        [(float(p.mediabox.width), float(p.mediabox.height)) for p in writer.pages], number_label, per_page
    )
    for page, stamp in zip(writer.pages, overlay.pages):
        page.merge_page(stamp)
    _keep_signature_appearances(writer)
    _sanitise(writer)
    add_empty_fields(writer, fields(placement) if fields else [])
    _attach(writer, attachments)
    root = writer._root_object
    source_root: Any = (readers.get(output_intent_from) or PdfReader(output_intent_from)).trailer["/Root"]
    if "/OutputIntents" in source_root:
        root[NameObject("/OutputIntents")] = source_root["/OutputIntents"].clone(writer)
    root[NameObject("/Lang")] = TextStringObject("fr-FR")
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    prefs = writer.create_viewer_preferences()
    prefs[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    when = meta.date.strftime("D:%Y%m%d%H%M%S+00'00'")
    writer.add_metadata(
        {
            "/Title": meta.title,
            "/Author": meta.author,
            "/Subject": meta.subject,
            "/Keywords": ", ".join(meta.keywords),
            "/Creator": meta.author,
            "/Producer": meta.author,  # the issuer, never the tool (what staff send is theirs)
            "/CreationDate": when,
            "/ModDate": when,
        }
    )
    xmp = StreamObject()
    xmp.set_data(_xmp(meta))
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    root[NameObject("/Metadata")] = writer._add_object(xmp)
    digest = hashlib.md5(b"".join(e.pdf.read_bytes() for e in entries) + _xmp(meta)).digest()  # an ID, not security
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        writer.write(handle)
    return placement
