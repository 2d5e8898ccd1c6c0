"""French typography on a filled Word document, its template's own words included.

The values a template prints are spaced by ``french.typo`` as they are printed; the words the
juriste typed around them are not, and they carry the keyboard's straight apostrophe. This pass
gives the whole document — body, headers and footers — the typographic apostrophe ’, no-break
spaces before « : ; ! ? » and inside « » where the template's words have ordinary ones, a no-break
space between a number and the word it counts (even where the number is a value and the word the
template's), « 1er » with a superscript « er », and each committee's sigle spelled out where the
body first uses it (« en COTECH » in a decision typed by the chargée de mission). The convention is
never passed here: its approved text is reproduced as it was signed.
"""

from __future__ import annotations

import copy
import re
from typing import Sequence

from docx.oxml.ns import qn
from docx.text.run import Run

from pipeline.french import NBSP, NNBSP, NUMBER_WORD

APOSTROPHE = "\u2019"
# « 1er » before a month or a word: its « er » goes up
_FIRST = re.compile(r"(?<=(?<![\w-])1)(er)(?=[\s\u00a0\u202f])")
# « article 4 », « page 12 », « n° 3 »: the word and its number on one line
_WORD_NUMBER = re.compile(r"(?<![\w-])(articles?|pages?|n°) (?=\d)")


def french(document, sigles: dict[str, str] | None = None, whole: list[str] | None = None) -> None:
    """Apostrophes, no-break spaces and superscript ordinals in every paragraph of ``document``;
    ``sigles`` (« COTECH » → « comité technique ») spelled out at their first use in the body;
    ``whole``: short names never cut at a line's end (« AR Hlm », « Pascal FRIQUET »)."""
    for sigle, name in (sigles or {}).items():
        _spell_out(document.element.body, sigle, name)
    names = [re.compile(re.escape(n).replace(r"\ ", "[ \u00a0]")) for n in whole or [] if " " in n]
    for root in _parts(document):
        for paragraph in root.iter(qn("w:p")):
            _paragraph(paragraph, names)


def _spell_out(body, sigle: str, name: str) -> None:
    """The body's first « SIGLE » gets « (name) » after it, unless it is already the « (SIGLE) »
    of a spelled-out name. Page headers and footers are furniture and keep the short form."""
    word = re.compile(rf"(?<![\w-]){re.escape(sigle)}(?![\w-])")
    for paragraph in body.iter(qn("w:p")):
        texts = _texts(paragraph)
        joined = "".join(t.text or "" for t in texts)
        found = word.search(joined)
        if not found:
            continue
        if joined[: found.start()].rstrip().endswith("("):
            return
        at = 0
        for t in texts:
            n = len(t.text or "")
            if at < found.end() <= at + n:
                cut = found.end() - at
                t.text = f"{t.text[:cut]} ({name}){t.text[cut:]}"
                _preserve(t)
                return
            at += n
        return


def _parts(document):
    yield document.element.body
    seen = set()
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if not part.is_linked_to_previous and id(part._element) not in seen:
                seen.add(id(part._element))
                yield part._element


def _paragraph(paragraph, names: Sequence[re.Pattern] = ()) -> None:
    """Rewrite the paragraph's text runs as one text, so a number printed by a tag and the word the
    template writes after it are seen together; each replacement keeps the text's length."""
    texts = _texts(paragraph)
    if not texts:
        return
    joined = "".join(t.text or "" for t in texts)
    fixed = joined
    for name in names:
        fixed = name.sub(lambda m: m.group().replace(" ", NBSP), fixed)
    fixed = fixed.replace("'", APOSTROPHE)
    fixed = _spaced(fixed)
    fixed = NUMBER_WORD.sub(lambda m: m.group(1) + NBSP, fixed)
    fixed = _WORD_NUMBER.sub(lambda m: m.group(1) + NBSP, fixed)
    if fixed != joined:
        at = 0
        for t in texts:
            n = len(t.text or "")
            t.text = fixed[at : at + n]
            at += n
            _preserve(t)
    for t in texts:
        if _FIRST.search(t.text or ""):
            _superscript_first(t)


# the template's own punctuation, as ``french.typo`` spaces the values: the space the juriste typed
# before « : ; ! ? » and inside « » becomes a no-break one (one character for one: lengths kept)
_SPACE_BEFORE_COLON = re.compile(r" (?=:(?:\s|$))")
_SPACE_BEFORE_HIGH = re.compile(r" (?=[;!?](?:\s|$|[»)]))")
_SPACE_AFTER_OPEN = re.compile(r"(?<=«) ")
_SPACE_BEFORE_CLOSE = re.compile(r" (?=»)")


def _spaced(text: str) -> str:
    text = _SPACE_BEFORE_COLON.sub(NBSP, text)
    text = _SPACE_BEFORE_HIGH.sub(NNBSP, text)
    text = _SPACE_AFTER_OPEN.sub(NBSP, text)
    return _SPACE_BEFORE_CLOSE.sub(NBSP, text)


def _texts(paragraph) -> list:
    """The paragraph's own text elements, in order (not those of a paragraph nested in it)."""
    return [t for t in paragraph.iter(qn("w:t")) if _own_run(t, paragraph)]


def _own_run(t, paragraph) -> bool:
    """A text inside this paragraph (in a run, a hyperlink or a field), not in a nested one."""
    parent = t.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag == qn("w:p"):
            return False
        parent = parent.getparent()
    return parent is paragraph


def _superscript_first(t) -> None:
    """Split the run around each « er » of « 1er » and raise it, in the run's own font."""
    run = t.getparent()
    if run.tag != qn("w:r") or len([c for c in run if c.tag == qn("w:t")]) != 1:
        return
    pieces = _FIRST.split(t.text)  # text, "er", text, "er", …, text
    anchor = run
    for i, piece in enumerate(pieces):
        if i == 0:
            t.text = piece
            _preserve(t)
            continue
        new = copy.deepcopy(run)
        for child in list(new):
            if child.tag not in (qn("w:rPr"), qn("w:t")):
                new.remove(child)
        new_t = new.find(qn("w:t"))
        new_t.text = piece
        _preserve(new_t)
        if i % 2 == 1:
            # python-docx puts vertAlign where Word expects it; a font needs no parent paragraph
            Run(new, None).font.superscript = True  # type: ignore[arg-type]
        anchor.addnext(new)
        anchor = new


def _preserve(t) -> None:
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
