"""Author the starting Word templates in templates/ (run once by a developer, not by builds).

Kept for the record of how the first templates were made: the templates are now the source,
edited by staff in Word, and this tool needs the convention's seed text, which is not in this
repository (it lives in the project's shared folder). Running it again overwrites their edits.

The convention template is made from the convention's text (the seed, in Markdown): its
wording is copied word for word, and only what the data fills is replaced by a variable.
After this first authoring, templates belong to the staff who edit them in Word; builds
only read them. The convention's text goes to its own folder (inputs/<convention>/templates/),
the other templates to the shared templates/.
Usage: python -m tools.author_templates SEED.md CONVENTION_FOLDER [--force]
"""
from __future__ import annotations

import html.parser
import re
import sys
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Pt

from tools import docxkit as K

OUT = Path(__file__).resolve().parent.parent / "templates"

# The seed's blanks, filled by data; every other word of the approved text is copied as it is.
CONVENTION_FILLS = [
    ("délibération n° du Conseil de la Métropole du ....",
     "délibération n°{% if convention.deliberation.numero %} {{ convention.deliberation.numero }}{% endif %} du "
     "Conseil de la Métropole du {% if convention.deliberation.date %}{{ convention.deliberation.date|date_fr }}."
     "{% else %}....{% endif %}"),
]


def fill(text: str) -> str:
    for seed, template in CONVENTION_FILLS:
        text = text.replace(seed, template)
    return text


class _Lists(html.parser.HTMLParser):
    """The seed's table cells hold <ul><li> lists: turn them into (level, text) items."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.level = 0
        self.items: list[list] = []
        self.open_li = False

    def handle_starttag(self, tag, attrs):
        if tag == "ul":
            self.level += 1
        elif tag == "li":
            self.items.append([self.level, ""])

    def handle_endtag(self, tag):
        if tag == "ul":
            self.level -= 1

    def handle_data(self, data):
        if self.items and data.strip():
            self.items[-1][1] += data


def list_items(cell_html: str) -> list[tuple[int, str]]:
    parser = _Lists()
    parser.feed(cell_html)
    out = []
    for level, text in parser.items:
        text = re.sub(r"^\s*[*>\-]\s*", "", text.strip())
        if text:
            out.append((level, re.sub(r"\s+", " ", text)))
    return out


def add_footnote_part(doc) -> Part:
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
        'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
        'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    return part


def footnote_xml(number: int, text: str) -> str:
    from xml.sax.saxutils import escape
    return (
        f'<w:footnote w:id="{number}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
    )


def add_footnote_reference(paragraph, number: int) -> None:
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "FootnoteReference")
    rpr.append(style)
    run.append(rpr)
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(number))
    run.append(ref)
    paragraph._p.append(run)


def add_text_with_notes(paragraph, text: str, notes_used: list[int]) -> None:
    """Text with **bold** and <sup>N</sup> footnote references."""
    for piece in re.split(r"(<sup>\d+</sup>)", text):
        m = re.fullmatch(r"<sup>(\d+)</sup>", piece)
        if m:
            add_footnote_reference(paragraph, int(m.group(1)))
            notes_used.append(int(m.group(1)))
        elif piece:
            K.add_rich(paragraph, piece, raw=True)


def convention(seed: Path) -> None:
    doc = K.new_document("Convention de partenariat", "Convention de partenariat")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "{{ convention.titre }}")
    lines = seed.read_text(encoding="utf-8").splitlines()
    footnotes: dict[int, str] = {}
    body: list[str] = []
    for line in lines:
        m = re.match(r"^<sup>(\d+)</sup>\s*(.*)$", line.strip())
        if m:
            footnotes[int(m.group(1))] = m.group(2).strip()
        else:
            body.append(line)
    notes_used: list[int] = []
    table_rows: list[list[str]] = []

    def flush_table():
        if not table_rows:
            return
        header, rows = table_rows[0], table_rows[1:]
        t = K.table(doc, 1 + len(rows), [3.6, 3.6, 9.2])
        K.header_row(t, header)
        axis_cell = None
        for r, row in enumerate(rows, 1):
            axis, site, cell_html = (row + ["", "", ""])[:3]
            cells = t.rows[r].cells
            if axis.strip():
                K.cell_text(cells[0], axis.strip(), bold=True, raw=True)
                axis_cell = (r, cells[0])
            elif axis_cell is not None:
                merged = axis_cell[1].merge(cells[0])
                axis_cell = (axis_cell[0], merged)
            K.cell_text(cells[1], site.strip(), raw=True)
            first = True
            for level, text in list_items(cell_html):
                style = "Puce de tableau" if level <= 1 else "Puce de tableau 2"
                p = cells[2].paragraphs[0] if first else cells[2].add_paragraph()
                p.style = doc.styles[style]
                K.add_rich(p, text, raw=True)
                first = False
        table_rows.clear()
        doc.add_paragraph().paragraph_format.space_after = Pt(2)

    first_heading = True
    signing_part = False
    for raw in body:
        line = raw.rstrip()
        if "\t" in line:
            table_rows.append(line.split("\t"))
            continue
        flush_table()
        text = line.strip()
        if not text or text == "---":
            continue
        text = fill(text)
        heading = re.match(r"^(#{2,3})\s+(.*)$", text)
        if heading:
            title = heading.group(2).strip().strip("*").strip()
            if first_heading:
                K.para(doc, title, "Title", raw=True)
                first_heading = False
            elif title.upper() == title or title.startswith("ARTICLE"):
                doc.add_paragraph(title, style="Heading 1")
            else:
                doc.add_paragraph(title, style="Heading 2")
            continue
        bullet = re.match(r"^(\s*)-\s+(o\s+)?(.*)$", line)
        if bullet:
            level2 = bool(bullet.group(2)) or len(bullet.group(1)) >= 2
            p = doc.add_paragraph(style="List Bullet 2" if level2 else "List Bullet")
            p.paragraph_format.alignment = 3  # justify
            add_text_with_notes(p, fill(bullet.group(3).strip()), notes_used)
            continue
        numbered = re.match(r"^(\d+)\.\s+(.*)$", text)
        if numbered:
            p = doc.add_paragraph(style="Liste numérotée")
            p.paragraph_format.alignment = 3
            K.add_rich(p, f"{numbered.group(1)}.\t", raw=True)
            add_text_with_notes(p, numbered.group(2), notes_used)
            continue
        if text.startswith("Fait à"):
            K.para(doc, "Fait à {{ convention.lieu_signature }}, le{% if convention.date_signature %} "
                        "{{ convention.date_signature|date_fr }}{% endif %}", keep_next=True, before=12, after=12, raw=True)
            signing_part = True
            continue
        if signing_part:
            continue  # the seed's signature lines: drawn below as one unbreakable table
        p = doc.add_paragraph()
        p.paragraph_format.alignment = 3
        if text in ("d'une part,", "d'autre part,", "Entre :", "Il a été convenu ce qui suit :"):
            p.paragraph_format.alignment = 0
        add_text_with_notes(p, text, notes_used)
    flush_table()
    K.convention_signatures(doc)
    part = add_footnote_part(doc)
    xml = part.blob.decode("utf-8").replace(
        "</w:footnotes>", "".join(footnote_xml(n, footnotes[n]) for n in sorted(set(notes_used))) + "</w:footnotes>")
    part._blob = xml.encode("utf-8")
    save(doc, "convention.docx", Path(sys.argv[2]) / "templates")


def letter_head(doc) -> None:
    """Sender at the top left, addressee on the right, each address line on its own line:
    the layout of a French letter."""
    t = K.table(doc, 1, [8.6, 7.8], header=False, borders=False)
    left, right = t.rows[0].cells
    p = left.paragraphs[0]
    K.add_rich(p, "{{ association.sigle }}", bold=True, size=14, color=K.ACCENT)
    p2 = left.add_paragraph()
    K.line_breaks(p2, ["{{ association.nom }}", "{{ association.adresse|join('\\n') }}"])
    for run in p2.runs:
        run.font.size = Pt(8.5)
    p4 = left.add_paragraph()
    p4.add_run("{% if association.telephone %}Tél. {{ association.telephone }}{% endif %}"
               "{% if association.courriel %} – {{ association.courriel }}{% endif %}").font.size = Pt(8.5)
    p5 = left.add_paragraph()
    p5.add_run("{% if association.siret %}SIRET {{ association.siret }}{% endif %}"
               "{% if association.siret and association.rna %} – {% endif %}"
               "{% if association.rna %}RNA {{ association.rna }}{% endif %}").font.size = Pt(8.5)
    right.paragraphs[0].paragraph_format.space_before = Pt(70)
    r = right.paragraphs[0]
    K.line_breaks(r, ["{{ destinataire.appellation }}", "{{ metropole.nom }}",
                      "{% if metropole.service %}{{ metropole.service }}\n{% endif %}{{ metropole.adresse|join('\\n') }}"])


def appel() -> None:
    doc = K.new_document("Appel de participation", "Appel de participation")
    K.page_header(doc, "")  # a letter: the letterhead is its head, no running title above it
    K.page_footer(doc, "Appel de participation {{ annee }} – {{ appel.reference }}")
    letter_head(doc)
    K.para(doc, "{{ appel.lieu }}, le {{ appel.date|date_fr }}", align="right", before=18, after=14)
    K.para(doc, "**N/Réf.** : {{ appel.reference }}", after=0)
    K.para(doc, "{% if appel.dossier_suivi_par %}**Dossier suivi par** : {{ appel.dossier_suivi_par }}{% endif %}", after=0)
    K.para(doc, "**Objet** : appel de participation {{ annee }}", after=0)
    K.para(doc, "**Référence** : {{ convention.titre }} signée le {{ convention.date_signature|date_fr }}, approuvée "
                "par délibération n° {{ convention.deliberation.numero or '…' }} du {{ convention.deliberation.organe }} "
                "du {{ convention.deliberation.date|date_fr }}, article 3", after=0, align="justify")
    K.para(doc, "**P. J.** : bordereau des pièces jointes et pièces énumérées ci-dessous", after=16)
    K.para(doc, "{{ destinataire.appellation }},", after=10)
    K.para(doc, "Conformément à l'article 3 de la convention de partenariat {{ convention.periode }} qui lie "
                "{{ metropole.designation }} et {{ association.designation }}, j'ai l'honneur de vous adresser "
                "l'appel de la participation de la Métropole au titre de l'année {{ annee }}, soit "
                "{{ appel.montant|montant_complet }}.", align="justify")
    K.para(doc, "Je vous remercie de bien vouloir procéder au versement de cette somme sur le compte de "
                "l'association :", align="justify", keep_next=True)
    t = K.table(doc, 4, [4.0, 12.4], header=False)
    for row, (label, value) in zip(t.rows, [("Titulaire", "{{ banque.titulaire }}"),
                                            ("Domiciliation", "{{ banque.domiciliation }}"),
                                            ("IBAN", "{{ banque.iban_groupes }}"), ("BIC", "{{ banque.bic }}")]):
        K.cell_text(row.cells[0], label, bold=True, keep_next=True)
        K.cell_text(row.cells[1], value, keep_next=True)
        K.shade(row.cells[0], "F2F2F2")
    K.para(doc, "", after=4)
    K.para(doc, "À l'appui de cette demande, et comme le prévoit l'article 3 de la convention, vous "
                "trouverez ci-joint :", align="justify", keep_next=True)
    K.para(doc, "{%p for piece in pieces_jointes %}", keep_next=True)
    p = doc.add_paragraph(style="List Bullet")
    p.add_run("{{ piece|minuscule }}{% if loop.last %}.{% else %}\u202f;{% endif %}")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "{%p if pieces_specimens %}")
    K.para(doc, "{% if pieces_specimens|length > 1 %}Sont également joints, à titre de spécimens, les documents "
                "suivants, dont les versions définitives vous seront transmises dès que possible{% else %}Est également "
                "joint, à titre de spécimen, le document suivant, dont la version définitive vous sera transmise dès "
                "que possible{% endif %} : {{ pieces_specimens|map('minuscule')|join(' ; ') }}.", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p if premiere_annee %}")
    K.para(doc, "La convention entrant dans sa première année d'exécution, aucun bilan de sa mise en œuvre ne peut "
                "encore être joint à la présente demande.", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p if pieces_absentes %}")
    K.para(doc, "{% if pieces_absentes|length > 1 %}Les pièces suivantes vous seront transmises dès que possible{% else %}"
                "La pièce suivante vous sera transmise dès que possible{% endif %} : "
                "{{ pieces_absentes|map(attribute='libelle')|map('minuscule')|join(' ; ') }}.", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "Je vous prie d'agréer, {{ destinataire.appellation }}, l'expression de ma haute considération.",
           align="justify", before=6, after=18, keep_next=True)
    K.association_signature(doc, "appel")
    save(doc, "appel.docx")


def bordereau() -> None:
    doc = K.new_document("Bordereau des pièces jointes", "Bordereau des pièces jointes")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "Bordereau des pièces jointes – appel de participation {{ annee }}")
    K.para(doc, "Bordereau des pièces jointes", "Title")
    K.para(doc, "Appel de participation {{ annee }} – {{ appel.reference }} du {{ appel.date|date_fr }}",
           align="center", after=14)
    K.para(doc, "**Expéditeur** : {{ association.nom }}, {{ association.adresse|join(', ') }}", after=2)
    K.para(doc, "**Destinataire** : {{ metropole.nom }}, {{ metropole.adresse|join(', ') }}", after=2)
    K.para(doc, "**Pièces demandées par** : l'article 3 de la {{ convention.titre|minuscule }}", after=12)
    t = K.table(doc, 3, [1.0, 7.0, 2.2, 1.6, 4.6])
    K.header_row(t, ["N°", "Pièce demandée (article 3)", "Fournie", "Page", "Observations"])
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr for piece in pieces %}")
    row = t.rows[2].cells
    K.cell_text(row[0], "{{ loop.index }}", align="center")
    K.cell_text(row[1], "{{ piece.libelle }}{% if piece.titre %} – {{ piece.titre }}{% endif %}")
    K.cell_text(row[2], "{% if piece.sans_objet %}–{% elif piece.fournie %}Oui{% else %}Non{% endif %}", align="center")
    K.cell_text(row[3], "{% if piece.page and not piece.sans_objet %}{{ piece.page }}{% else %}–{% endif %}", align="center")
    K.cell_text(row[4], "{% if piece.sans_objet %}{{ piece.sans_objet|majuscule }}{% elif piece.specimen %}"
                        "Spécimen joint : pièce à fournir{% elif not piece.fournie %}Pièce à fournir{% endif %}"
                        "{% if piece.note %}{% if piece.specimen or not piece.fournie %}. {% endif %}{{ piece.note }}{% endif %}")
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    K.para(doc, "", after=6)
    K.para(doc, "Les pages sont celles du dossier {{ annee }} (numérotation en bas de page).", italic=True, size=9)
    K.para(doc, "{%p if pieces_manquantes %}")
    K.para(doc, "**Attention** : {{ pieces_manquantes|length|compte('pièce demandée', 'pièces demandées') }} par "
                "l'article 3 {% if pieces_manquantes|length > 1 %}restent{% else %}reste{% endif %} à fournir.",
           color=K.RGBColor(0xC0, 0, 0))
    K.para(doc, "{%p endif %}")
    save(doc, "bordereau.docx")


def count_table(doc, widths: list[float], *, columns: tuple[str, str, str], rows: tuple[str, str, str, str],
                totals: tuple[str, str]) -> None:
    """A table of counts per chantier: a column per item of a list (modalité, year) made by
    {%tc %} loops, whose tag cells vanish; a row per chantier; a total row and column.
    ``columns``: (loop name, list, header); ``rows``: (loop name, list, its counts, its total);
    ``totals``: (counts of the total row, grand total)."""
    name, items, header = columns
    row, lines, counts, total = rows
    t = K.table(doc, 5, widths)
    for cell, text in zip(t.rows[0].cells, ["Chantier", f"{{%tc for {name} in {items} %}}", header, "{%tc endfor %}",
                                            "Total"]):
        K.cell_text(cell, text, bold=True, align=None if text == "Chantier" else "center")
        K.shade(cell, "D9E2F3")
    t.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for {row} in {lines} %}}")
    for cell, text in zip(t.rows[2].cells, [f"{{{{ {row}.numero }}}}. {{{{ {row}.titre }}}}", f"{{%tc for n in {counts} %}}",
                                            "{% if n %}{{ n }}{% else %}·{% endif %}", "{%tc endfor %}",
                                            f"{{{{ {total} }}}}"]):
        K.cell_text(cell, text, bold=text == f"{{{{ {total} }}}}", align=None if "titre" in text else "center")
    t.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for cell, text in zip(t.rows[4].cells, ["Total", f"{{%tc for n in {totals[0]} %}}", "{{ n }}", "{%tc endfor %}",
                                            f"{{{{ {totals[1]} }}}}"]):
        K.cell_text(cell, text, bold=True, align=None if text == "Total" else "center")


def bilan() -> None:
    doc = K.new_document("Bilan de la mise en œuvre de la convention", "Bilan annuel de la mise en œuvre de la convention")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "Bilan {{ bilan.annee }} – {{ association.sigle }}")
    K.para(doc, "Bilan {{ bilan.annee }} de la mise en œuvre de la convention", "Title")
    K.para(doc, "{{ convention.titre }} – article 5", align="center", after=14)
    K.para(doc, "Le présent bilan, établi par {{ association.designation_courte }} en application de l'article 5 de la "
                "convention, rend compte des actions menées du {{ bilan.periode.debut|date_fr }} au "
                "{{ bilan.periode.fin|date_fr }} au titre des {{ bilan.chantiers|length }} chantiers opérationnels, "
                "soit {{ bilan.actions|length|compte('action') }}, des réunions des instances de suivi et de la "
                "participation de la Métropole pour l'année {{ bilan.annee }}. Il est établi en vue du comité de "
                "pilotage {% if cloture %}de clôture{% else %}annuel{% endif %}.", align="justify")
    doc.add_paragraph("1. Les actions par chantier", style="Heading 1")
    K.para(doc, "{%p for c in bilan.chantiers %}")
    doc.add_paragraph("1.{{ c.numero }}. {{ c.titre }}", style="Heading 2")
    K.para(doc, "{%p if c.actions %}")
    t = K.table(doc, 3, [2.15, 2.65, 3.45, 2.75, 2.1, 3.3])
    K.header_row(t, ["Date", "Modalité", "Action", "Partenaires", "Partici\u00adpants", "Résultat"])
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr for a in c.actions %}")
    row = t.rows[2].cells
    K.cell_text(row[0], "{{ a.date|date_courte }}")
    K.cell_text(row[1], "{{ a.modalite_titre }}")
    K.cell_text(row[2], "{{ a.titre }}")
    K.cell_text(row[3], "{{ a.partenaires|join(', ') }}")
    K.cell_text(row[4], "{% if a.participants is not none %}{{ a.participants|nombre }}{% else %}–{% endif %}", align="center")
    K.cell_text(row[5], "{% if a.resultat %}{{ a.resultat }}{% else %}–{% endif %}")
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    K.para(doc, "{%p else %}")
    K.para(doc, "Aucune action n'a été menée sur ce chantier en {{ bilan.annee }}.", italic=True)
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p endfor %}")
    doc.add_paragraph("2. Les actions par chantier et par modalité d'intervention", style="Heading 1")
    K.para(doc, "Nombre d'actions menées en {{ bilan.annee }}, par chantier (article 1) et par modalité "
                "d'intervention (article 2) :", keep_next=True)
    count_table(doc, [5.6, 1.0, 1.25, 1.0, 1.5], columns=("m", "bilan.modalites", "{{ m.numero }}"),
                rows=("ligne", "bilan.tableau.lignes", "ligne.nombres", "ligne.total"),
                totals=("bilan.tableau.totaux", "bilan.tableau.total"))
    K.para(doc, "Modalités : {% for m in bilan.modalites %}{{ m.numero }} = {{ m.titre }}{% if not loop.last %} ; "
                "{% endif %}{% endfor %}.", size=8.5, before=4)
    K.para(doc, "{{ graphique }}", align="center", before=6)
    K.para(doc, "Répartition des actions par chantier et par modalité d'intervention", "Caption", align="center")
    doc.add_paragraph("3. Les instances de suivi (article 4)", style="Heading 1")
    K.para(doc, "{% for r in [bilan.rythme.copil, bilan.rythme.cotech] %}Le {{ r.nom|minuscule }} ({{ r.sigle }}) "
                "{% if r.tenues %}s'est réuni {{ r.tenues|compte('fois', 'fois') }}{% else %}ne s'est pas réuni{% endif %} "
                "en {{ bilan.annee }} ; l'article 4 prévoit qu'il se réunit {{ r.regle }}.{% if not loop.last %} "
                "{% endif %}{% endfor %}", keep_next=True, align="justify")
    t = K.table(doc, 3, [2.4, 2.2, 5.0, 6.8])
    K.header_row(t, ["Date", "Instance", "Lieu", "Objet"])
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr for r in bilan.reunions %}")
    row = t.rows[2].cells
    K.cell_text(row[0], "{{ r.date|date_courte }}")
    K.cell_text(row[1], "{{ r.instance }}")
    K.cell_text(row[2], "{% if r.lieu %}{{ r.lieu }}{% endif %}")
    K.cell_text(row[3], "{% if r.objet %}{{ r.objet }}{% endif %}")
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    doc.add_paragraph("4. La participation de la Métropole (article 3)", style="Heading 1")
    t = K.table(doc, 4, [9.4, 7.0], header=False)
    for row, (label, value) in zip(t.rows, [
            ("Participation annuelle prévue par la convention", "{{ bilan.finances.montant_annuel|montant }}"),
            ("Participation {{ bilan.annee }} appelée{% if bilan.finances.date_appel %} le "
             "{{ bilan.finances.date_appel|date_fr }}{% endif %}", "{{ bilan.finances.montant_appele|montant }}"),
            ("Participation {{ bilan.annee }} reçue{% if bilan.finances.date_reception %} le "
             "{{ bilan.finances.date_reception|date_fr }}{% endif %}",
             "{% if bilan.finances.date_reception %}{{ bilan.finances.montant_recu|montant }}{% else %}en attente{% endif %}"),
            ("Reste à percevoir au {{ bilan.date|date_fr }}", "{{ bilan.finances.en_attente|montant }}")]):
        K.cell_text(row.cells[0], label, bold=True, keep_next=True)
        K.cell_text(row.cells[1], value, align="right", keep_next=True)
    K.para(doc, "", after=4)
    K.para(doc, "Fait à {{ bilan.lieu }}, le {{ bilan.date|date_fr }}", keep_next=True, before=10, after=8)
    K.association_signature(doc, "bilan")
    save(doc, "bilan.docx")


def bilan_final() -> None:
    doc = K.new_document("Bilan final de la convention", "Bilan final de la mise en œuvre de la convention")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "Bilan final {{ convention.periode }} – {{ association.sigle }}")
    K.para(doc, "Bilan final de la convention {{ convention.periode }}", "Title")
    K.para(doc, "{{ convention.titre }} – articles 3, 4 et 5", align="center", after=14)
    K.para(doc, "La convention a pris effet le {{ convention.date_debut|date_fr }} pour une durée de "
                "{{ convention.duree_lettres }}. Au terme de cette période, {{ association.designation_courte }} "
                "établit le présent bilan final de sa mise en œuvre : "
                "{{ bilan_final.actions_total|compte('action menée', 'actions menées') }} au titre des "
                "{{ bilan_final.chantiers|length }} chantiers opérationnels, les réunions des instances de suivi "
                "et la participation de la Métropole, année par année. Le bilan de chaque année en donne le détail.",
           align="justify")
    doc.add_paragraph("1. Les actions par chantier et par année", style="Heading 1")
    count_table(doc, [8.0, 1.0, 1.8, 1.0, 1.8], columns=("a", "bilan_final.annees", "{{ a }}"),
                rows=("c", "bilan_final.chantiers", "c.par_annee", "c.total"),
                totals=("bilan_final.actions_par_annee", "bilan_final.actions_total"))
    doc.add_paragraph("2. Les instances de suivi par année (article 4)", style="Heading 1")
    K.para(doc, "L'article 4 prévoit que le {{ instances.copil.nom|minuscule }} se réunit "
                "{{ bilan_final.bilans[0].rythme.copil.regle }} et le {{ instances.cotech.nom|minuscule }} "
                "{{ bilan_final.bilans[0].rythme.cotech.regle }}.", keep_next=True, align="justify")
    t = K.table(doc, 3, [3.0, 6.7, 6.7])
    K.header_row(t, ["Année", "{{ instances.copil.nom }} ({{ instances.copil.sigle }})",
                     "{{ instances.cotech.nom }} ({{ instances.cotech.sigle }})"])
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr for b in bilan_final.bilans %}")
    row = t.rows[2].cells
    K.cell_text(row[0], "{{ b.annee }}")
    K.cell_text(row[1], "{{ b.rythme.copil.tenues|compte('réunion') }}", align="center")
    K.cell_text(row[2], "{{ b.rythme.cotech.tenues|compte('réunion') }}", align="center")
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    doc.add_paragraph("3. La participation de la Métropole (article 3)", style="Heading 1")
    t = K.table(doc, 3, [2.0, 3.4, 3.3, 4.4, 3.3])
    K.header_row(t, ["Année", "Appelée le", "Montant appelé", "Reçue le", "Montant reçu"])
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr for b in bilan_final.bilans %}")
    row = t.rows[2].cells
    K.cell_text(row[0], "{{ b.annee }}")
    K.cell_text(row[1], "{% if b.finances.date_appel %}{{ b.finances.date_appel|date_fr }}{% else %}–{% endif %}")
    K.cell_text(row[2], "{{ b.finances.montant_appele|montant }}", align="right")
    K.cell_text(row[3], "{% if b.finances.date_reception %}{{ b.finances.date_reception|date_fr }}{% else %}en attente{% endif %}")
    K.cell_text(row[4], "{{ b.finances.montant_recu|montant }}", align="right")
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    tot = t.add_row().cells
    for cell, text, align in zip(tot, ["Total", "", "{{ bilan_final.appele_total|montant }}", "",
                                       "{{ bilan_final.recu_total|montant }}"], [None, None, "right", None, "right"]):
        K.cell_text(cell, text, bold=True, align=align)
    K.para(doc, "", after=4)
    K.para(doc, "Sur la durée de la convention, la participation prévue s'élève à {{ bilan_final.annees|length }} × "
                "{{ convention.montant_annuel|montant }} = {{ bilan_final.prevu_total|montant }}. Au "
                "{{ bilan_final.date|date_fr }}, {{ bilan_final.appele_total|montant }} ont été appelés et "
                "{{ bilan_final.recu_total|montant }} reçus ; reste à percevoir : "
                "{{ bilan_final.en_attente_total|montant }}.", align="justify", keep_next=True)
    K.para(doc, "Fait à {{ bilan_final.lieu }}, le {{ bilan_final.date|date_fr }}", keep_next=True, before=10, after=8)
    K.association_signature(doc, "bilan-final")
    save(doc, "bilan-final.docx")


def pv_copil() -> None:
    doc = K.new_document("Procès-verbal du comité de pilotage", "Procès-verbal du comité de pilotage")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "Procès-verbal du {{ instances.copil.sigle }} du {{ copil.date|date_fr }}")
    K.para(doc, "Procès-verbal du comité de pilotage{% if cloture %} de clôture{% endif %}", "Title")
    K.para(doc, "{{ convention.titre }} – article 4", align="center", after=14)
    K.para(doc, "**Date** : {{ copil.date|date_longue }}{% if copil.heure %}, {{ copil.heure|typo_heure }}{% endif %}", after=2)
    K.para(doc, "**Lieu** : {{ copil.lieu }}", after=10)
    doc.add_paragraph("Membres présents", style="Heading 2")
    K.para(doc, "{%p for p in copil.presents %}")
    K.para(doc, "{{ p.nom_complet }}, {{ p.qualite }}, {{ p.organisme }}", "List Bullet")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "{%p if copil.excuses %}")
    doc.add_paragraph("Membres excusés", style="Heading 2")
    K.para(doc, "{%p for p in copil.excuses %}")
    K.para(doc, "{{ p.nom_complet }}, {{ p.qualite }}, {{ p.organisme }}", "List Bullet")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p if composition_manquante %}")
    K.para(doc, "Composition : l'article 4 prévoit aussi {{ composition_manquante|liste_fr }}, que la liste "
                "ci-dessus ne mentionne pas.", italic=True)
    K.para(doc, "{%p endif %}")
    doc.add_paragraph("Ordre du jour", style="Heading 2")
    K.para(doc, "{%p for point in ordre_du_jour %}")
    K.para(doc, "{{ point.numero }}.\t{{ point.titre }}", "Liste numérotée")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "{%p for point in ordre_du_jour %}")
    doc.add_paragraph("{{ point.numero }}. {{ point.titre }}", style="Heading 1")
    K.para(doc, "{%p if point.sujet == 'accueil' %}")
    K.para(doc, "La séance est ouverte{% if copil.heure %} à {{ copil.heure|typo_heure }}{% endif %}. L'ordre du jour "
                "est adopté.", align="justify")
    K.para(doc, "{%p elif point.sujet == 'bilan' %}")
    K.para(doc, "{{ association.designation_courte|majuscule }} présente le bilan {{ bilan.annee }} de la mise en "
                "œuvre de la convention, établi le {{ bilan.date|date_fr }} : "
                "{{ bilan.actions|length|compte('action') }} sur "
                "{{ bilan.chantiers_actifs|compte('chantier', feminin=false) }}, "
                "{{ bilan.rythme.cotech.tenues|compte('réunion') }} du {{ instances.cotech.nom|minuscule }} et "
                "{{ bilan.rythme.copil.tenues|compte('réunion') }} du {{ instances.copil.nom|minuscule }} en "
                "{{ bilan.annee }} ; la participation {{ bilan.annee }} de la Métropole, "
                "{{ bilan.finances.montant_appele|montant }}, "
                "{% if bilan.finances.date_reception %}a été reçue le {{ bilan.finances.date_reception|date_fr }}"
                "{% else %}est en attente{% endif %}.", align="justify")
    K.para(doc, "{%p if copil.examen_bilan %}")
    K.para(doc, "{{ copil.examen_bilan }}", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p elif point.sujet == 'bilan_final' %}")
    K.para(doc, "{{ association.designation_courte|majuscule }} présente le bilan final de la convention "
                "{{ convention.periode }}, établi le {{ bilan_final.date|date_fr }} : "
                "{{ bilan_final.actions_total|compte('action menée', 'actions menées') }} sur la période ; "
                "la participation de la Métropole, {{ bilan_final.prevu_total|montant }} sur "
                "{{ bilan_final.annees|length|compte('an', feminin=false) }}, a été appelée pour "
                "{{ bilan_final.appele_total|montant }} et reçue pour {{ bilan_final.recu_total|montant }}.",
           align="justify")
    K.para(doc, "{%p if copil.examen_bilan_final %}")
    K.para(doc, "{{ copil.examen_bilan_final }}", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p elif point.sujet == 'programme' %}")
    K.para(doc, "Le comité arrête le programme de travail {{ annee }}, sur la base des propositions énumérées à "
                "l'article\u00a02 :", align="justify", keep_next=True)
    t = K.table(doc, 3, [6.0, 10.4])
    K.header_row(t, ["Chantier", "Actions prévues"])
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr for item in programme %}")
    row = t.rows[2].cells
    K.cell_text(row[0], "{{ item.numero }}. {{ item.titre }}")
    K.cell_text(row[1], "{{ item.actions|join('\\n') }}")
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    K.para(doc, "{%p elif point.sujet == 'divers' %}")
    K.para(doc, "{% if copil.questions_diverses %}{{ copil.questions_diverses }}{% else %}Aucune question diverse "
                "n'est soulevée.{% endif %}", align="justify")
    K.para(doc, "{%p if copil.prochaines_reunions %}")
    K.para(doc, "Les prochaines réunions sont fixées comme suit :", keep_next=True)
    K.para(doc, "{%p for r in copil.prochaines_reunions %}")
    K.para(doc, "{{ r.instance }} : {{ r.date|date_longue }}{% if r.lieu %}, {{ r.lieu }}{% endif %}", "List Bullet")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "{%p else %}")
    K.para(doc, "Aucune autre réunion n'est fixée{% if cloture %} au titre de la convention{% endif %}.", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p endfor %}")
    doc.add_paragraph("Relevé de décisions", style="Heading 1")
    K.para(doc, "{%p for d in copil.decisions %}")
    K.para(doc, "{{ loop.index }}.\t{{ d }}", "Liste numérotée")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "Fait à {{ convention.lieu_signature }}, le {{ copil.date|date_fr }}", keep_next=True, before=14, after=8)
    K.signature_block(doc, ["Pour {{ signataires.metropole.pour }},", "{{ signataires.metropole.qualite }}"],
                      ["Pour {{ signataires.association.pour }},", "{{ signataires.association.qualite }}"],
                      left_mark="{{ signature('pv-copil', 'metropole') }}",
                      right_mark="{{ signature('pv-copil', 'association') }}",
                      left_name="{{ signataires.metropole.nom }}", right_name="{{ signataires.association.nom }}")
    save(doc, "pv-copil.docx")


def save(doc, name: str, folder: Path = OUT) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists() and "--force" not in sys.argv:
        print(f"{target} existe déjà : gardé (--force pour le réécrire)")
        return
    doc.save(target)
    K.slim(target)
    print(f"écrit : {target}")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    convention(Path(sys.argv[1]))
    appel()
    bordereau()
    bilan()
    bilan_final()
    pv_copil()
