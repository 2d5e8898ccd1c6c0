"""Nothing fetched while building: a Word or LibreOffice file given to LibreOffice loses first
whatever would make it reach out (an image linked to an address instead of embedded, an OLE
link, an INCLUDEPICTURE or INCLUDETEXT field, a linked section).

LibreOffice loads a linked image when it opens the file, whatever it is told about updating
links: a piece written in Word with an image linked to ``http://…`` made the build send a
request to any host the machine reaches (and a dossier's timing with it). Hyperlinks stay: they
are followed only by a reader who clicks them. A file with nothing external is left untouched,
byte for byte.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

# a relationship to something outside the file, but a hyperlink's
_EXTERNAL_REL = re.compile(rb'<Relationship\b(?=[^>]*\bTargetMode="External")(?![^>]*/hyperlink")[^>]*/>')
# the field codes that read another file or address when the document is opened or updated
_FIELD = rb"(?:INCLUDEPICTURE|INCLUDETEXT|LINK|DDEAUTO|DDE|IMPORT)\b"
_INSTR_TEXT = re.compile(rb"(<w:instrText\b[^>]*>)\s*" + _FIELD + rb"[^<]*(</w:instrText>)")
_FLD_SIMPLE = re.compile(rb'(<w:fldSimple\b[^>]*\bw:instr=")\s*' + _FIELD + rb'[^"]*(")')
# OpenDocument: a linked image, object or section names its address in xlink:href
_ODF_LINK = re.compile(
    rb"(<(?:draw:image|draw:object|draw:object-ole|text:section-source|table:table-source)\b[^>]*?)"
    rb'\s+xlink:href="(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/)[^"]*"'
)


def _clean(name: str, data: bytes) -> tuple[bytes, int]:
    """One part of the file without what it links outside; the number of links taken out."""
    count = 0
    if name.endswith(".rels"):
        data, count = _EXTERNAL_REL.subn(b"", data)
    elif name.startswith("word/") and name.endswith(".xml"):
        data, fields = _INSTR_TEXT.subn(rb"\1 \2", data)
        data, simple = _FLD_SIMPLE.subn(rb"\1 \2", data)
        count = fields + simple
    elif name in ("content.xml", "styles.xml"):
        data, count = _ODF_LINK.subn(rb"\1", data)
    return data, count


def strip(path: Path) -> int:
    """Take out, in place, what in the Word (.docx) or OpenDocument (.odt) file ``path`` would
    make LibreOffice fetch something; return how many links went (0: the file is untouched)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = [(info, archive.read(info)) for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, KeyError):
        return 0  # not a readable archive: LibreOffice's own conversion says what is wrong with it
    cleaned, removed = [], 0
    for info, data in entries:
        data, count = _clean(info.filename, data)
        cleaned.append((info, data))
        removed += count
    if removed:
        temporary = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(temporary, "w") as archive:
            for info, data in cleaned:
                archive.writestr(info, data)
        temporary.replace(path)
    return removed
