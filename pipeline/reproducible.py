"""Byte-identical outputs from identical inputs: no clock time, no random identifier.

python-docx stamps zip entries with the current time, and LibreOffice stamps its PDFs
(creation date, XMP dates, the sRGB profile's header, the file /ID). These are replaced
by the date of the data, or SOURCE_DATE_EPOCH when it is set.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def build_date(day: dt.date) -> dt.datetime:
    """The date written inside the files: SOURCE_DATE_EPOCH, else noon of the data's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(day.year, day.month, day.day, 12, 0, 0)


def write_docx(data: bytes, out: Path) -> None:
    """Rewrite a .docx with fixed zip entry times (same content, same bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    out.write_bytes(buf.getvalue())


def normalise_pdf(path: Path, when: dt.datetime, seed: bytes) -> None:
    """Replace LibreOffice's clock dates and random /ID in ``path`` (rewritten in place)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(path))
    stamp = when.strftime("D:%Y%m%d%H%M%SZ")
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    info = writer._info.get_object() if writer._info is not None else None
    if info is not None:
        for key in ("/CreationDate", "/ModDate"):
            if key in info:
                info[NameObject(key)] = TextStringObject(stamp)
    root = writer._root_object
    metadata = root.get("/Metadata")
    if metadata is not None:
        metadata = metadata.get_object()
        xml = metadata.get_data().decode("utf-8")
        xml = re.sub(r"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)[^<]*", lambda m: m.group(1) + iso, xml)
        metadata.set_data(xml.encode("utf-8"))
    for intent in root.get("/OutputIntents", []):
        profile = intent.get_object().get("/DestOutputProfile")
        if profile is not None:
            profile = profile.get_object()
            data = bytearray(profile.get_data())
            data[24:36] = bytes(12)  # the ICC header's creation date
            profile.set_data(bytes(data))
    ident = hashlib.md5(seed).digest()  # noqa: S324 — a file identifier, not security
    writer._ID = ArrayObject([ByteStringObject(ident), ByteStringObject(ident)])
    tmp = path.with_suffix(".norm.tmp")
    with open(tmp, "wb") as handle:
        writer.write(handle)
    os.replace(tmp, path)
