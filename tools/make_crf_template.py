"""Author templates/crf.docx, the compte rendu financier of a year's participation, laid out as
the paying officer knows it from the cerfa n° 15059 (arrêté du 11 octobre 2006): who and what,
the table of charges and resources affected to the action (forecast, actual, gap in euros and
percent), the annex that explains the gaps, the association's attestation and signature.

    .venv/bin/python -m tools.make_crf_template

Staff may then edit it in Word like any other template (docs/guide-modeles.md).
"""

from __future__ import annotations

from pathlib import Path

from tools import docxkit as K

OUT = Path(__file__).resolve().parent.parent / "templates" / "crf.docx"
WIDTHS = [7.6, 2.3, 2.3, 2.2, 2.0]


def section_row(t, text: str) -> None:
    row = t.add_row()
    K.cant_split(row)
    merged = row.cells[0].merge(row.cells[-1])
    K.cell_text(merged, text, bold=True, keep_next=True)
    K.shade(merged, "EEF2F8")


def loop_rows(t, items: str) -> None:
    """A row repeated for each line of ``items``: heading, forecast, actual, gap, gap in percent."""
    for text in (f"{{%tr for l in {items} %}}", None, "{%tr endfor %}"):
        row = t.add_row()
        K.cant_split(row)
        if text is not None:
            K.cell_text(row.cells[0], text)
            continue
        K.cell_text(row.cells[0], "{{ l.libelle }}")
        K.cell_text(row.cells[1], "{{ l.prevu|montant }}", align="right")
        K.cell_text(row.cells[2], "{{ l.realise|montant }}", align="right")
        K.cell_text(row.cells[3], "{{ l.ecart|montant }}", align="right")
        K.cell_text(row.cells[4], "{{ l.ecart_part|pourcentage }}{% if l.significatif %} *{% endif %}", align="right")


def total_row(t, name: str) -> None:
    row = t.add_row()
    K.cant_split(row)
    K.cell_text(row.cells[0], f"{{{{ crf.{name}.libelle }}}}", bold=True)
    for i, field in enumerate(("prevu|montant", "realise|montant", "ecart|montant", "ecart_part|pourcentage"), 1):
        K.cell_text(row.cells[i], f"{{{{ crf.{name}.{field} }}}}", bold=True, align="right")
        K.shade(row.cells[i], "F2F2F2")
    K.shade(row.cells[0], "F2F2F2")


def main() -> None:
    doc = K.new_document("Compte rendu financier", "Compte rendu financier de la participation")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "Compte rendu financier {{ crf.annee }} – {{ association.sigle }}")
    K.para(doc, "Compte rendu financier de la participation {{ crf.annee }}", "Title")
    K.para(
        doc,
        "Subvention affectée – exercice du {{ crf.periode.debut|date_fr }} au {{ crf.periode.fin|date_fr }}"
        "{{ '\\n' }}Article 10 de la loi n° 2000-321 du 12 avril 2000 – arrêté du 11 octobre 2006 "
        "(cerfa n° 15059)",
        align="center",
        after=12,
    )

    ident = K.table(doc, 5, [5.0, 11.4], header=False)
    rows = [
        (
            "Bénéficiaire",
            "{{ association.nom }}{% if association.siret %} – SIRET {{ association.siret }}{% endif %}"
            "{% if association.rna %} – RNA {{ association.rna }}{% endif %}",
        ),
        ("Financeur", "{{ metropole.nom }}"),
        (
            "Objet de la subvention",
            "la participation de {{ metropole.designation_courte }} prévue à l'article 3 de "
            "la {{ convention.titre|minuscule }}, affectée aux frais engendrés par ce "
            "partenariat",
        ),
        ("Montant reçu pour l'exercice", "{{ crf.participation.realise|montant }}"),
        ("Comptes de l'exercice", "approuvés par l'assemblée générale le {{ crf.comptes_approuves_le|date_fr }}"),
    ]
    for row, (head, value) in zip(ident.rows, rows):
        K.cell_text(row.cells[0], head, bold=True)
        K.shade(row.cells[0], "F2F2F2")
        K.cell_text(row.cells[1], value)

    K.para(doc, "1. Tableau de synthèse : charges et ressources affectées à l'action", "Heading 1")
    K.para(
        doc,
        "Montants en euros. L'écart est le réalisé moins le prévu, rapporté au prévu en pourcentage ; "
        "« * » signale un écart significatif, expliqué en annexe.",
        size=9,
    )
    t = K.table(doc, 1, WIDTHS)
    K.header_row(t, ["Rubrique", "Prévu", "Réalisé", "Écart (€)", "Écart (%)"])
    section_row(t, "Charges directes affectées à l'action")
    loop_rows(t, "crf.charges_directes")
    section_row(t, "Charges indirectes réparties affectées à l'action")
    loop_rows(t, "crf.charges_indirectes")
    total_row(t, "total_charges")
    section_row(t, "Ressources affectées à l'action")
    loop_rows(t, "crf.produits")
    total_row(t, "total_produits")
    K.para(doc, "")
    K.para(
        doc,
        "La participation {{ crf.annee }} {{ metropole.designation|de }}, {{ crf.participation.realise|montant }}, "
        "représente {{ crf.participation_part|pourcentage(false) }} des ressources affectées à l'action, "
        "dont le total réalisé s'élève à {{ crf.total_produits.realise|montant }}.",
        align="justify",
    )

    K.para(doc, "2. Annexe : explication des écarts", "Heading 1")
    K.para(
        doc,
        "Un écart est significatif lorsqu'il dépasse à la fois {{ (crf.seuil_part * 100)|int }}\u202f% du "
        "montant prévu et {{ crf.seuil_montant|montant }}.",
        align="justify",
    )
    K.para(doc, "{%p if crf.ecarts %}")
    ann = K.table(doc, 1, [5.6, 2.3, 2.0, 6.5])
    K.header_row(ann, ["Rubrique", "Écart (€)", "Écart (%)", "Explication"])
    for text in ("{%tr for l in crf.ecarts %}", None, "{%tr endfor %}"):
        row = ann.add_row()
        K.cant_split(row)
        if text is not None:
            K.cell_text(row.cells[0], text)
            continue
        K.cell_text(row.cells[0], "{{ l.libelle }}")
        K.cell_text(row.cells[1], "{{ l.ecart|montant }}", align="right")
        K.cell_text(row.cells[2], "{{ l.ecart_part|pourcentage }}", align="right")
        K.cell_text(row.cells[3], "{% if l.explication %}{{ l.explication }}{% else %}Explication à fournir.{% endif %}")
    K.para(doc, "{%p else %}")
    K.para(doc, "Aucun écart significatif entre le budget prévisionnel et le réalisé.", align="justify")
    K.para(doc, "{%p endif %}")
    K.para(doc, "{%p for l in crf.autres_explications %}")
    K.para(doc, "{{ l.libelle }} : {{ l.explication }}", "List Bullet", align="justify")
    K.para(doc, "{%p endfor %}")
    K.para(doc, "{%p if crf.commentaire %}")
    K.para(doc, "{{ crf.commentaire }}", align="justify")
    K.para(doc, "{%p endif %}")

    K.para(doc, "3. Attestation", "Heading 1")
    K.para(
        doc,
        "Je soussigné{{ association.representant.accord }}, {{ association.representant.nom_complet }}, "
        "{{ association.representant.qualite }} {{ association.designation_courte|de }}, représentant "
        "légal de l'association, certifie exactes les informations du présent compte rendu financier, "
        "conformes aux comptes de l'exercice {{ crf.annee }} approuvés par l'assemblée générale le "
        "{{ crf.comptes_approuves_le|date_fr }}, et atteste que la participation {{ crf.annee }} "
        "{{ metropole.designation|de }} a été employée conformément à l'objet pour lequel elle a été "
        "versée.",
        align="justify",
    )
    K.para(doc, "Fait à {{ crf.lieu }}, le {{ crf.date|date_fr }}", keep_next=True, before=12, after=12)
    K.association_signature(doc, "crf")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    K.slim(OUT)
    print(f"écrit : {OUT}")


if __name__ == "__main__":
    main()
