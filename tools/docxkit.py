"""Small python-docx helpers used only to author the starting templates (tools/)."""

from __future__ import annotations

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Arial"  # Liberation Sans on the build machine: same metrics, same layout as in Word
BLACK = RGBColor(0, 0, 0)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)


def new_document(title: str, subject: str) -> Document:
    doc = Document()
    props = doc.core_properties
    props.title, props.subject, props.author = title, subject, ""  # each build sets its issuer and date
    props.language = "fr-FR"
    props.keywords = ""
    props.comments = ""
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)
    _styles(doc)
    _language(doc)
    return doc


def _language(doc: Document) -> None:
    """French proofing language in the document defaults, so Word checks French."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "fr-FR")
    lang.set(qn("w:eastAsia"), "fr-FR")
    for fonts in rpr_default.findall(qn("w:rFonts")):
        rpr_default.remove(fonts)


def _set_font(style, size: float, bold: bool | None = None, color=BLACK, italic: bool | None = None) -> None:
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    style.font.color.rgb = color


def _styles(doc: Document) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, 10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.widow_control = True
    for name, size, before, after in (
        ("Title", 16, 0, 12),
        ("Heading 1", 12.5, 14, 6),
        ("Heading 2", 11, 10, 4),
        ("Heading 3", 10.5, 8, 4),
    ):
        style = styles[name]
        _set_font(style, size, bold=True, color=ACCENT if name != "Heading 3" else BLACK, italic=False)
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.keep_with_next = True
        fmt.keep_together = True
    title = styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    for name in (
        "List Bullet",
        "List Bullet 2",
        "List Number",
        "Header",
        "Footer",
        "Subtitle",
        "Caption",
        "No Spacing",
        "Body Text",
        "Quote",
        "Intense Quote",
    ):
        _set_font(styles[name], 9 if name in ("Header", "Footer", "Caption") else 10.5)
    for name in ("Header", "Footer"):  # their built-in tab stops would pull "Page x / y" to the middle
        styles[name].paragraph_format.tab_stops.clear_all()
        ppr = styles[name].element.get_or_add_pPr()
        for tabs in ppr.findall(qn("w:tabs")):
            ppr.remove(tabs)
    styles["List Bullet"].paragraph_format.space_after = Pt(3)
    styles["List Bullet 2"].paragraph_format.space_after = Pt(2)
    fn_text = styles.add_style("Footnote Text", 1)
    fn_text.base_style = normal
    _set_font(fn_text, 8.5)
    fn_text.paragraph_format.space_after = Pt(0)
    fn_ref = styles.add_style("Footnote Reference", 2)
    fn_ref.font.superscript = True
    numbered = styles.add_style("Liste numérotée", 1)
    numbered.base_style = normal
    numbered.paragraph_format.left_indent = Cm(0.8)
    numbered.paragraph_format.first_line_indent = Cm(-0.6)
    numbered.paragraph_format.space_after = Pt(4)
    table_text = styles.add_style("Texte de tableau", 1)
    table_text.base_style = normal
    _set_font(table_text, 9)
    table_text.paragraph_format.space_after = Pt(2)
    table_text.paragraph_format.line_spacing = 1.0
    for bullet_name, base in (("Puce de tableau", "List Bullet"), ("Puce de tableau 2", "List Bullet 2")):
        style = styles.add_style(bullet_name, 1)
        style.base_style = styles[base]
        _set_font(style, 9)
        style.paragraph_format.space_after = Pt(1)
        style.paragraph_format.line_spacing = 1.0
    mark = styles.add_style("Marque de signature", 1)
    mark.base_style = normal
    _set_font(mark, 1, color=RGBColor(0xFF, 0xFF, 0xFF))
    mark.paragraph_format.space_after = Pt(0)
    mark.paragraph_format.space_before = Pt(0)
    mark.paragraph_format.line_spacing = 1.0


def para(
    container,
    text: str = "",
    style: str | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
    align=None,
    keep_next: bool = False,
    size: float | None = None,
    before: float | None = None,
    after: float | None = None,
    color=None,
    raw: bool = False,
):
    p = container.add_paragraph(style=style)
    if text:
        add_rich(p, text, bold=bold, italic=italic, size=size, color=color, raw=raw)
    fmt = p.paragraph_format
    if align == "center":
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "justify":
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if keep_next:
        fmt.keep_with_next = True
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    return p


def french_spacing(text: str) -> str:
    """No-break spaces before : ; ! ? and inside « », outside Jinja tags only."""
    import re

    from pipeline.french import typo

    pieces = re.split(r"(\{\{.*?\}\}|\{%.*?%\})", text)
    return "".join(piece if piece.startswith(("{{", "{%")) else typo(piece) for piece in pieces)


def add_rich(p, text: str, *, bold=False, italic=False, size=None, color=None, raw=False) -> None:
    """Add text where **…** is bold; a tag is never split over two runs. ``raw``: the text is
    copied as it is (the convention's approved wording keeps its own spacing)."""
    parts = (text if raw else french_spacing(text)).split("**")
    for i, part in enumerate(parts):
        if not part:
            continue
        run = p.add_run(part)
        run.bold = bold or (i % 2 == 1)
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color


def line_breaks(p, lines: list[str], *, bold=False) -> None:
    for i, line in enumerate(lines):
        run = p.add_run(line)
        run.bold = bold or None
        if i < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)


def field(run_parent, instr: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES…) that Word and LibreOffice both compute."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = placeholder
    r.append(t)
    fld.append(r)
    run_parent._p.append(fld)


def page_footer(doc: Document, left_text: str) -> None:
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.style = doc.styles["Footer"]
    tabs = p.paragraph_format.tab_stops
    tabs.clear_all()
    from docx.enum.text import WD_TAB_ALIGNMENT

    tabs.add_tab_stop(Cm(16.4), WD_TAB_ALIGNMENT.RIGHT)
    p.add_run(left_text + "\t")
    p.add_run("Page ")
    field(p, "PAGE")
    p.add_run(" / ")
    field(p, "NUMPAGES")


def page_header(doc: Document, text: str) -> None:
    header = doc.sections[0].header
    p = header.paragraphs[0]
    p.style = doc.styles["Header"]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(text)
    run.italic = True
    draft = header.add_paragraph(style=doc.styles["Header"])
    draft.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = draft.add_run("{% if projet %}PROJET – version de travail, non signée{% endif %}")
    run.bold = True
    run.font.size = Pt(11)
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def table(doc, rows: int, widths_cm: list[float], *, header: bool = True, borders: bool = True):
    t = doc.add_table(rows=rows, cols=len(widths_cm))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    if borders:
        t.style = doc.styles["Table Grid"]
    for row in t.rows:
        for i, width in enumerate(widths_cm):
            row.cells[i].width = Cm(width)
    grid = t._tbl.tblGrid
    for i, col in enumerate(grid.findall(qn("w:gridCol"))):
        col.set(qn("w:w"), str(int(widths_cm[i] * 567)))
    if header:
        repeat_header(t.rows[0])
    for row in t.rows:
        cant_split(row)
    return t


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def shade(cell, hex_fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    el = OxmlElement("w:shd")
    el.set(qn("w:val"), "clear")
    el.set(qn("w:color"), "auto")
    el.set(qn("w:fill"), hex_fill)
    tcpr.append(el)


def cell_text(cell, text: str, *, bold=False, style="Texte de tableau", align=None, keep_next=False, raw=False):
    p = cell.paragraphs[0]
    p.style = cell.part.document.styles[style] if hasattr(cell.part, "document") else style
    if text:
        add_rich(p, text, bold=bold, raw=raw)
    if align == "center":
        p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if keep_next:
        p.paragraph_format.keep_with_next = True
    return p


def header_row(t, labels: list[str], fill: str = "D9E2F3") -> None:
    for cell, label in zip(t.rows[0].cells, labels):
        cell_text(cell, label, bold=True)
        shade(cell, fill)
        cell.paragraphs[0].paragraph_format.keep_with_next = True


def signature_block(
    doc,
    left: list[str],
    right: list[str] | None,
    *,
    left_mark: str,
    right_mark: str | None,
    left_name: str = "",
    right_name: str = "",
) -> None:
    """Two signatories side by side (or one on the right): titles, room to sign, name.

    Titles sit in a first row and the signing room in a second, so both signatures and
    names line up whatever the length of the titles. The white 1-point mark paragraph
    tells the pipeline where the signature field goes.
    """
    t = table(doc, 2, [8.2, 8.2], header=False, borders=False)
    blocks = [(0, left, left_mark, left_name)]
    if right is not None:
        blocks.append((1, right, right_mark, right_name))
    else:
        blocks = [(1, left, left_mark, left_name)]
    for row in t.rows:
        cant_split(row)
    for col, titles, mark, name in blocks:
        p = t.rows[0].cells[col].paragraphs[0]
        p.paragraph_format.keep_with_next = True
        line_breaks(p, titles, bold=True)
        cell = t.rows[1].cells[col]
        m = cell.paragraphs[0]
        m.style = doc.styles["Marque de signature"]
        m.add_run(mark)
        m.paragraph_format.keep_with_next = True
        spacer = cell.add_paragraph()
        spacer.paragraph_format.space_before = Pt(62)
        if name:
            spacer.add_run(name)
    for cell in t.rows[0].cells:
        for par in cell.paragraphs:
            par.paragraph_format.keep_with_next = True


def convention_signatures(doc) -> None:
    """The two parties' blocks under a convention: each party's title and room to sign, no name
    (as the approved texts write them), both sides alike."""
    signature_block(
        doc,
        ["{{ metropole.titre_signature|join('\\n') }}"],
        ["{{ association.titre_signature|join('\\n') }}"],
        left_mark="{{ signature('convention', 'metropole') }}",
        right_mark="{{ signature('convention', 'association') }}",
    )


def association_signature(doc, document: str) -> None:
    """The association's representative signing ``document`` alone, on the right: title, room, name."""
    signature_block(
        doc,
        ["{{ association.titre_signature|join('\\n') }}"],
        None,
        left_mark=f"{{{{ signature('{document}', 'association') }}}}",
        right_mark=None,
        left_name="{{ association.representant.signature_nom }}",
    )


# styles the kit gives a look to (see _styles): kept even when a template does not use them yet,
# so that staff who apply them in Word get the house look
STYLED = {
    "normal",
    "title",
    "subtitle",
    "heading 1",
    "heading 2",
    "heading 3",
    "list bullet",
    "list bullet 2",
    "list number",
    "header",
    "footer",
    "caption",
    "no spacing",
    "body text",
    "quote",
    "intense quote",
}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def slim(path) -> None:
    """Drop what python-docx's default template carries and no document needs.

    Its styles.xml defines 160-odd styles (350 kB) and it adds a 440 kB stylesWithEffects.xml
    and a thumbnail of an empty page: LibreOffice reads all of it for every document it
    converts, a third of a small letter's conversion time. Kept: the styles used, those
    the kit styles (STYLED), the house styles, the defaults, and what they are based on;
    Word recreates any other built-in style when someone applies it.
    """
    import re
    import zipfile
    from pathlib import Path

    from lxml import etree

    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    parts = dict((info.filename, data) for info, data in items)
    used = set()
    for name, data in parts.items():
        if name.startswith("word/") and name.endswith(".xml") and "styles" not in name.rsplit("/", 1)[-1].lower():
            used |= set(re.findall(rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"', data))
    used = {u.decode() for u in used}
    root = etree.fromstring(parts["word/styles.xml"])
    w = f"{{{_W}}}"
    styles = {s.get(w + "styleId"): s for s in root.iter(w + "style")}
    for sid, s in styles.items():
        name = s.find(w + "name")
        house = s.get(w + "customStyle") == "1" and s.find(w + "link") is None  # not a "… Char" twin
        if s.get(w + "default") == "1" or house or (name is not None and name.get(w + "val", "").lower() in STYLED):
            used.add(sid)
    todo = list(used)
    while todo:
        s = styles.get(todo.pop())
        for tag in ("basedOn", "next", "link"):
            ref = s.find(w + tag) if s is not None else None
            if ref is not None and ref.get(w + "val") not in used:
                used.add(ref.get(w + "val"))
                todo.append(ref.get(w + "val"))
    for sid, s in styles.items():
        if sid not in used:
            root.remove(s)
    parts["word/styles.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    dropped = {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"}
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        parts[rels] = re.sub(
            rb'<Relationship [^>]*Target="[^"]*(?:stylesWithEffects\.xml|thumbnail\.jpeg)"[^>]*/>', b"", parts[rels]
        )
    parts["[Content_Types].xml"] = re.sub(
        rb'<Override PartName="/(?:word/stylesWithEffects\.xml|docProps/thumbnail\.jpeg)"'
        rb"[^>]*/>",
        b"",
        parts["[Content_Types].xml"],
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, _ in items:
            if info.filename not in dropped:
                zout.writestr(info, parts[info.filename])
