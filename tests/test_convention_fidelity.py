"""convention-fidelity: the convention printed every year is its approved text, character for
character — its words, punctuation, own mix of ' and ’, footnotes — with only its blanks filled.
The approved text is kept as the juriste received it (Markdown), in tests/fixtures/seed/."""

import html
import re
import zipfile
from pathlib import Path

import pytest

SEED = Path(__file__).parent / "fixtures" / "seed" / "convention-amp-arhlm-2022-2024.md"


def approved() -> tuple[str, str]:
    """The approved text's characters (spaces and Markdown/HTML layout left out): body, footnotes."""
    text = SEED.read_text(encoding="utf-8")
    body, notes = text.split("\n---\n", 1)
    notes, rest = re.split(r"\n(?=#)", notes.strip(), maxsplit=1) if re.search(r"\n#", notes) else (notes, "")
    body += "\n" + rest

    def chars(t: str) -> str:
        t = re.sub(r"<sup>\d+</sup>", "", t)
        t = re.sub(r"<li>\s*(?:\*|-|&gt;)?", " ", t)  # a list item's own bullet
        t = html.unescape(re.sub(r"<[^>]+>", " ", t))
        t = re.sub(r"^#+\s*|\*\*|^\s*(?:[-*]\s+)?(?:o\s+)?", " ", t, flags=re.M)  # headings, bold, bullets
        return re.sub(r"\s+", "", t.replace("|", " "))

    return chars(body), chars(notes)


def printed(docx: Path, part: str) -> str:
    with zipfile.ZipFile(docx) as z:
        if part not in z.namelist():
            return ""
        xml = z.read(part).decode("utf-8")
    return re.sub(r"\s+", "", html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))))


def test_the_convention_is_its_approved_text_character_for_character(built):
    body, notes = approved()
    docx = built / "2022" / "convention.docx"
    assert printed(docx, "word/footnotes.xml") == notes
    text = printed(docx, "word/document.xml")
    # the running header and the PROJET line are layout, outside the approved text
    text = text.replace("PROJET–versiondetravail,nonsignée", "")
    if text != body:
        at = next(i for i, (a, b) in enumerate(zip(body, text)) if a != b) if len(text) > 0 else 0
        pytest.fail(
            f"the convention departs from its approved text at « {body[max(0, at - 40) : at + 40]} » "
            f"(printed: « {text[max(0, at - 40) : at + 40]} »)"
        )
