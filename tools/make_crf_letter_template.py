"""Author templates/lettre-crf.docx, the letter that sends the compte rendu financier of a year's
participation to the Métropole by 30 June of the next year (loi n° 2000-321 du 12 avril 2000,
art. 10): the letterhead and address block of the call letter, dated the day it leaves
(``crf.transmis_le``), signed apart by the association's representative with the CRF it sends.

    .venv/bin/python -m tools.make_crf_letter_template

Staff may then edit it in Word like any other template (docs/guide-modeles.md).
"""

from __future__ import annotations

from pathlib import Path

from docx.shared import Pt

from tools import docxkit as K

OUT = Path(__file__).resolve().parent.parent / "templates" / "lettre-crf.docx"


def letter_head(doc) -> None:
    """Sender at the top left, addressee on the right, as the call letter lays them out."""
    t = K.table(doc, 1, [8.6, 7.8], header=False, borders=False)
    left, right = t.rows[0].cells
    K.add_rich(left.paragraphs[0], "{{ association.sigle }}", bold=True, size=14, color=K.ACCENT)
    p = left.add_paragraph()
    K.line_breaks(p, ["{{ association.nom }}", "{{ association.adresse|join('\\n') }}"])
    for run in p.runs:
        run.font.size = Pt(8.5)
    left.add_paragraph().add_run(
        "{% if association.telephone %}Tél. {{ association.telephone }}{% endif %}"
        "{% if association.courriel %} – {{ association.courriel }}{% endif %}"
    ).font.size = Pt(8.5)
    left.add_paragraph().add_run(
        "{% if association.siret %}SIRET {{ association.siret }}{% endif %}"
        "{% if association.siret and association.rna %} – {% endif %}"
        "{% if association.rna %}RNA {{ association.rna }}{% endif %}"
    ).font.size = Pt(8.5)
    r = right.paragraphs[0]
    r.paragraph_format.space_before = Pt(70)
    K.line_breaks(
        r,
        [
            "{{ destinataire.lignes|join('\\n') }}",
            "{% if metropole.service %}{{ metropole.service }}\n{% endif %}{{ metropole.adresse|join('\\n') }}",
        ],
    )


def main() -> None:
    doc = K.new_document("Lettre d'envoi du compte rendu financier", "Lettre d'envoi du compte rendu financier")
    K.page_header(doc, "")  # a letter: the letterhead is its head
    K.page_footer(doc, "Envoi du compte rendu financier {{ crf.annee }}{% if crf.reference %} – {{ crf.reference }}{% endif %}")
    letter_head(doc)
    K.para(doc, "{{ crf.lieu }}, le {{ crf.transmis_le|date_fr }}", align="right", before=18, after=14)
    K.para(doc, "{% if crf.reference %}**N/Réf.** : {{ crf.reference }}{% endif %}", after=0)
    K.para(
        doc,
        "**Objet** : compte rendu financier de la participation {{ crf.annee }} – {{ convention.titre|minuscule }}",
        after=0,
        align="justify",
    )
    K.para(
        doc,
        "**Référence** : {{ convention.titre }} signée le {{ convention.date_signature|date_fr }}, approuvée "
        "par délibération n° {{ convention.deliberation.numero or '…' }} du "
        "{{ convention.deliberation.organe }} du {{ convention.deliberation.date|date_fr }}, article 3 ; "
        "article 10 de la loi n° 2000-321 du 12 avril 2000",
        after=0,
        align="justify",
    )
    # what the letter encloses: the CRF, then the pieces the cerfa n° 15059 wants with it (crf.pieces)
    K.para(
        doc,
        "**Pièces jointes** : le compte rendu financier de la participation {{ crf.annee }}, établi le "
        "{{ crf.date|date_fr }}{% for p in crf.pieces %} ; {{ p.nom }}{% if p.specimen %} (spécimen)"
        "{% endif %}{% endfor %}",
        after=0,
        align="justify",
    )
    K.para(doc, "{{ destinataire.appellation }},", before=14, after=10)
    K.para(
        doc,
        "Conformément à l'article 10 de la loi n° 2000-321 du 12 avril 2000 relative aux droits des citoyens "
        "dans leurs relations avec les administrations et à l'arrêté du 11 octobre 2006, j'ai l'honneur de "
        "vous adresser le compte rendu financier de la participation {{ metropole.designation|de }} au titre "
        "de l'année {{ crf.annee }}, versée en application de l'article 3 de la convention de partenariat "
        "{{ convention.periode }} qui lie {{ metropole.designation }} et {{ association.designation }}."
        "{% if crf.pieces %} Comme le demande la notice du compte rendu financier (cerfa n° 15059), je vous "
        "adresse avec lui {{ crf.pieces|map(attribute='mention')|liste_fr }}.{% endif %}",
        align="justify",
    )
    K.para(
        doc,
        "Établi le {{ crf.date|date_fr }} d'après les comptes de l'exercice {{ crf.annee }}, approuvés par "
        "l'assemblée générale le {{ crf.comptes_approuves_le|date_fr }}, il retrace l'emploi de la "
        "participation reçue, {{ crf.participation.realise|montant_complet }}, parmi les ressources affectées "
        "à l'action, dont le total réalisé s'élève à {{ crf.total_produits.realise|montant }}. "
        "{% if crf.ecarts %}Les écarts significatifs entre le budget prévisionnel et le réalisé y sont "
        "expliqués en annexe.{% else %}Il ne présente aucun écart significatif entre le budget prévisionnel "
        "et le réalisé.{% endif %}",
        align="justify",
    )
    K.para(
        doc,
        "{% if crf.derniere_annee %}Ce compte rendu porte sur la dernière année de la convention, arrivée à "
        "son terme le 31 décembre {{ convention.annees[-1] }}.{% else %}L'original signé de ce compte rendu sera en "
        "outre joint, pour mémoire, au prochain dossier que l'association vous adressera au titre de la convention."
        "{% endif %}",
        align="justify",
    )
    K.para(
        doc,
        "Je vous prie d'agréer, {{ destinataire.appellation }}, l'expression de ma haute considération.",
        align="justify",
        before=6,
        after=18,
        keep_next=True,
    )
    K.association_signature(doc, "lettre-crf")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    K.slim(OUT)
    print(f"écrit : {OUT}")


if __name__ == "__main__":
    main()
