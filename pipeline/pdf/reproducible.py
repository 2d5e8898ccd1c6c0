"""Byte-identical PDFs from identical inputs: no clock time, no random identifier.

LibreOffice stamps its PDFs (creation date, XMP dates, the sRGB profile's header, the file
/ID). These are replaced by the date of the data, or SOURCE_DATE_EPOCH when it is set. (The
filled .docx get their fixed zip times where they are written, ``render.write_docx``.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zlib
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

from pipeline import files, settings


def build_date(day: dt.date) -> dt.datetime:
    """The date written inside the files: SOURCE_DATE_EPOCH, else the very start of the data's
    date (UTC), so that a file never says it was made after its signature of the same day."""
    epoch = settings.source_date_epoch()
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(day.year, day.month, day.day, 0, 0, 0)


def normalise_pdf(path: Path, when: dt.datetime, seed: bytes) -> None:
    """Replace LibreOffice's clock dates and random /ID in ``path`` (rewritten in place).

    LibreOffice's PDFs are patched byte-wise and their cross-reference table shifted
    (milliseconds); a file laid out otherwise is rewritten with pypdf (a tenth of a second).
    """
    data = path.read_bytes()
    try:
        out = patch(data, when, seed)
    except NotLibreOfficeLayout:
        out = rewrite(data, when, seed)
    files.write_atomically(path, out)


class NotLibreOfficeLayout(Exception):
    """The file is not laid out as LibreOffice writes it: rewrite it instead."""


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def patch(data: bytes, when: dt.datetime, seed: bytes) -> bytes:
    """LibreOffice's PDF with fixed dates, /ID and sRGB profile date, offsets kept right.

    Expected: one classic cross-reference table (no /Prev, no xref stream), dates as literal
    strings, an uncompressed XMP packet, the profile Flate-compressed.
    """
    found = _STARTXREF.search(data)
    if not found or data.count(b"startxref") != 1:
        raise NotLibreOfficeLayout
    xref_at = int(found.group(1))
    table = re.compile(rb"xref\r?\n0 (\d+)\r?\n").match(data, xref_at)
    if not table:
        raise NotLibreOfficeLayout
    count, first_entry = int(table.group(1)), table.end()
    trailer_at = first_entry + 20 * count
    if not data.startswith(b"trailer", trailer_at) or b"/Prev" in data[trailer_at:]:
        raise NotLibreOfficeLayout
    edits: list[tuple[int, int, bytes]] = []  # (start, end, replacement) in the original bytes
    stamp = when.strftime("D:%Y%m%d%H%M%SZ").encode()
    for m in re.finditer(rb"/(?:CreationDate|ModDate)\s*\((D:[^)]*)\)", data[:xref_at]):
        edits.append((m.start(1), m.end(1), stamp))
    # the issuer (the document's author) as creator and producer: the file names no software
    author = re.search(rb"/Author\s*(<[0-9A-Fa-f]*>|\((?:[^()\\]|\\.)*\))", data[:xref_at])
    for m in re.finditer(rb"/(?:Creator|Producer)\s*(<[0-9A-Fa-f]*>|\((?:[^()\\]|\\.)*\))", data[:xref_at]):
        edits.append((m.start(1), m.end(1), author.group(1) if author else b"()"))
    edits.extend(_metadata_edits(data[:xref_at], when.strftime("%Y-%m-%dT%H:%M:%SZ")))
    edits.extend(_profile_edits(data[:xref_at]))
    ident = hashlib.md5(seed).hexdigest().upper().encode()  # a file identifier, not security
    trailer = data[trailer_at : found.start()]
    trailer = re.sub(rb"/ID\s*\[[^\]]*\]", b"/ID [ <" + ident + b"> <" + ident + b"> ]", trailer)
    trailer = re.sub(rb"\s*/DocChecksum\s*/[0-9A-Fa-f]+", b"", trailer)  # a digest of the clock-stamped file
    edits.sort()
    body, shifts, cursor = bytearray(), [], 0
    for start, end, new in edits:
        if start < cursor:
            raise NotLibreOfficeLayout
        body += data[cursor:start] + new
        cursor = end
        shifts.append((start, len(new) - (end - start)))
    body += data[cursor:xref_at]

    def moved(offset: int) -> int:
        return offset + sum(delta for at, delta in shifts if at < offset)

    entries = bytearray()
    for i in range(count):
        entry = data[first_entry + 20 * i : first_entry + 20 * i + 20]
        offset, generation, kind = entry[:10], entry[11:16], entry[17:18]
        if kind == b"n":
            offset = b"%010d" % moved(int(offset))
        entries += offset + b" " + generation + b" " + kind + entry[18:]
    return (
        bytes(body)
        + data[xref_at:first_entry]
        + bytes(entries)
        + trailer
        + b"startxref\n"
        + str(len(body)).encode()
        + b"\n%%EOF\n"
    )


def xmp_fixed(xml: str, iso: str) -> str:
    """LibreOffice's XMP packet as the document's: its dates, its author as creator tool and
    producer, and the apostrophes it escapes twice (« L&amp;apos;appel ») escaped once."""
    xml = re.sub(r"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)[^<]*", lambda m: m.group(1) + iso, xml)
    xml = xml.replace("&amp;apos;", "&apos;").replace("&amp;quot;", "&quot;")
    creator = re.search(r"<dc:creator>\s*<rdf:Seq>\s*<rdf:li>([^<]*)</rdf:li>", xml)
    issuer = creator.group(1) if creator else ""
    xml = re.sub(r"(<xmp:CreatorTool>)[^<]*", lambda m: m.group(1) + issuer, xml)
    return re.sub(r"(<pdf:Producer>)[^<]*", lambda m: m.group(1) + issuer, xml)


def _metadata_edits(data: bytes, iso: str) -> list[tuple[int, int, bytes]]:
    """Edits rewriting the uncompressed XMP packet (see ``xmp_fixed``) and its /Length."""
    obj = re.search(rb"<<\s*/Type\s*/Metadata\s*/Subtype\s*/XML\s*/Length\s+(\d+)\s*>>\s*stream\r?\n", data)
    if obj is None:
        if b"/Metadata" in data:
            raise NotLibreOfficeLayout
        return []
    start, size = obj.end(), int(obj.group(1))
    try:
        xml = data[start : start + size].decode("utf-8")
    except UnicodeDecodeError:
        raise NotLibreOfficeLayout from None
    packed = xmp_fixed(xml, iso).encode("utf-8")
    return [(obj.start(1), obj.end(1), str(len(packed)).encode()), (start, start + size, packed)]


def _profile_edits(data: bytes) -> list[tuple[int, int, bytes]]:
    """Edits zeroing the creation date in the header of the sRGB profile (ICC bytes 24-36)."""
    ref = re.search(rb"/DestOutputProfile\s+(\d+)\s+0\s+R", data)
    if not ref:
        return []
    obj = re.search(rb"(?:^|[\r\n])" + ref.group(1) + rb" 0 obj\s*<<(.*?)>>\s*stream\r?\n", data, re.S)
    if not obj or b"/FlateDecode" not in obj.group(1) or b"/DecodeParms" in obj.group(1):
        raise NotLibreOfficeLayout
    length = re.search(rb"/Length\s+(\d+)(\s+0\s+R)?", obj.group(1))
    if not length:
        raise NotLibreOfficeLayout
    edits = []
    if length.group(2):  # an indirect length: "N 0 obj 1234 endobj"
        held = re.search(rb"(?:^|[\r\n])" + length.group(1) + rb" 0 obj\s*(\d+)\s*endobj", data)
        if not held:
            raise NotLibreOfficeLayout
        size = int(held.group(1))
        length_at = (held.start(1), held.end(1))
    else:
        size = int(length.group(1))
        length_at = (obj.start(1) + length.start(1), obj.start(1) + length.end(1))
    start = obj.end()
    try:
        profile = bytearray(zlib.decompress(data[start : start + size]))
    except zlib.error:
        raise NotLibreOfficeLayout from None
    profile[24:36] = bytes(12)
    packed = zlib.compress(bytes(profile), 9)
    edits.append((start, start + size, packed))
    edits.append((length_at[0], length_at[1], str(len(packed)).encode()))
    return edits


def rewrite(data: bytes, when: dt.datetime, seed: bytes) -> bytes:
    """The same normalisation through pypdf, for a PDF laid out otherwise."""

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    stamp = when.strftime("D:%Y%m%d%H%M%SZ")
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    info: Any = writer._info.get_object() if writer._info is not None else None
    if info is not None:
        for key in ("/CreationDate", "/ModDate"):
            if key in info:
                info[NameObject(key)] = TextStringObject(stamp)
        for key in ("/Creator", "/Producer"):  # the issuer, never the software
            if key in info:
                info[NameObject(key)] = TextStringObject(str(info.get("/Author", "")))
    root = writer._root_object
    metadata = root.get("/Metadata")
    if metadata is not None:
        metadata = metadata.get_object()
        metadata.set_data(xmp_fixed(metadata.get_data().decode("utf-8"), iso).encode("utf-8"))
    for intent in root.get("/OutputIntents", []):
        profile = intent.get_object().get("/DestOutputProfile")
        if profile is not None:
            profile = profile.get_object()
            profile_data = bytearray(profile.get_data())
            profile_data[24:36] = bytes(12)  # the ICC header's creation date
            profile.set_data(bytes(profile_data))
    ident = hashlib.md5(seed).digest()  # a file identifier, not security
    writer._ID = ArrayObject([ByteStringObject(ident), ByteStringObject(ident)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
