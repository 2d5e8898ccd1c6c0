"""Write the generated files of the test fixture tests/fixtures/mex-arhlm-2025-2027/.

The fixture is a second, made-up convention (Métropole Exemple-sur-Mer – ARH Exemple, 2025-2027),
deliberately different from the shipped one: other committee sigles (CS, CT) and role codes,
five chantiers and four modalités, a seventh piece, a non-round amount, a woman presiding on both
sides, and texts with characters hostile to XML (& < > « » ’). All of it is example data.

This script writes, from scratch each time (re-runnable):
- templates/convention.docx: the fixture convention's own text, authored with docxkit as the
  shipped templates first were (that script, tools/author_templates.py, is in git's history: the
  templates are now edited in Word); its wording is written literally, only the blanks the data
  fills are variables;
- <year>/pieces/*.pdf: one-page SPÉCIMEN PDFs for every year folder that sends a call (it has a
  « banque: »), their names and bank details read from the YAML files.

The YAML files (convention.yaml, <year>/year.yaml) are written by hand, not by this script.
Usage: .venv/bin/python -m tools.make_fixture_convention [FIXTURE_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from tools import docxkit as K
from tools.make_specimens import calling_years, rib, specimen  # the same SPÉCIMEN pages as the shipped pieces

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"

DELIBERATION = (
    "délibération n°{% if convention.deliberation.numero %} {{ convention.deliberation.numero }}{% endif %} du "
    "Conseil de la Métropole du {% if convention.deliberation.date %}{{ convention.deliberation.date|date_fr }}."
    "{% else %}....{% endif %}"
)

# Article 1: the axes and their chantiers, as convention.yaml lists them (HAB, REN, ATT, JEU, CLI).
AXES = [
    (
        "Produire & réhabiliter le parc social",
        [
            "La production de logements sociaux et abordables, en particulier par l'animation d'ateliers "
            "« A & B » entre bailleurs et aménageurs.",
            "La rénovation énergétique des logements « passoires » (DPE > E), par l'observation du parc et "
            "l'échange d'expériences entre bailleurs.",
        ],
    ),
    (
        "Loger & accompagner les ménages",
        [
            "Les attributions & la gestion en flux des réservations de logements sociaux.",
            "Le logement des jeunes de moins de 30 ans (< 30 ans), en lien avec les missions locales et le CROUS.",
        ],
    ),
    (
        "Adapter le territoire au climat",
        [
            "L’adaptation du parc social au changement climatique, notamment le confort d’été des résidences.",
        ],
    ),
]

# Article 2: the four modalités (RESEAU, ETUDE, FORMA, EVENT).
MODALITES = [
    "L’animation de son réseau pour structurer une parole collective des bailleurs sur chaque chantier.",
    "La conduite d’études & l’observation du parc social, partagées avec la Métropole.",
    "Des contributions à la formation des acteurs du logement social.",
    "L’organisation d’événements partenariaux ouverts aux bailleurs, à la Métropole et à ses partenaires.",
]

# Article 3: the pieces, as pieces_requises lists them.
PIECES = [
    "un RIB,",
    "les statuts de l'association et leur mise à jour,",
    "la liste des membres du Bureau et du Conseil d'Administration,",
    "le rapport d'activité et les comptes de l'année N-1,",
    "une attestation de régularité sociale,",
    "un bilan de la mise en œuvre de la présente convention.",
]


def convention_template(out: Path) -> None:
    doc = K.new_document("Convention de partenariat", "Convention de partenariat")
    K.page_header(doc, "{{ convention.titre_court }}")
    K.page_footer(doc, "{{ convention.titre }}")
    K.para(doc, "CONVENTION DE PARTENARIAT 2025-2027", "Title")
    K.para(doc, "Entre :")
    K.para(
        doc,
        "La Métropole Exemple-sur-Mer, Etablissement Public de Coopération Intercommunale sise Hôtel de "
        "la Métropole, 1 place de l'Exemple 99000 Exemple-sur-Mer, représentée par sa Présidente, dûment "
        f"habilitée par {DELIBERATION}",
        align="justify",
    )
    K.para(doc, "d'une part,")
    K.para(
        doc,
        "et l'Association Régionale Hlm Exemple (ARH Exemple), association loi 1901, sise Maison de "
        "l'Habitat, 12, rue des Exemples 99100 Exemple-sur-Mer, représentée par sa Présidente Madame "
        "Claire EXEMPLE-DURAND,",
        align="justify",
    )
    K.para(doc, "d'autre part,")
    K.para(doc, "Il a été convenu ce qui suit :")

    K.para(doc, "PREAMBULE", "Heading 1")
    K.para(
        doc,
        "La Métropole Exemple-sur-Mer et l’ARH Exemple partagent l’ambition d’un habitat « abordable & "
        "durable » ; la présente convention, rédigée à titre d’exemple, organise leur partenariat pour "
        "les années 2025 à 2027.",
        align="justify",
    )

    K.para(doc, "ARTICLE 1 - OBJET DE LA CONVENTION", "Heading 1")
    K.para(
        doc,
        "La présente convention a pour objet de mobiliser le savoir-faire partenarial de l'ARH Exemple "
        "et l'expertise des bailleurs sociaux en faveur du projet métropolitain, pour les trois années "
        "2025-2027, sur 3 axes de travail déclinés en 5 chantiers opérationnels :",
        align="justify",
    )
    number = 0
    for axe, chantiers in AXES:
        K.para(doc, axe, "Heading 2")
        for text in chantiers:
            number += 1
            numbered(doc, number, text)

    K.para(doc, "ARTICLE 2 – PROGRAMME D’ACTIONS", "Heading 1")
    K.para(
        doc,
        "Pour chacun des 5 chantiers opérationnels présentés, l’ARH Exemple pourra être sollicitée par la Métropole pour :",
        align="justify",
    )
    for i, text in enumerate(MODALITES, 1):
        numbered(doc, i, text)

    K.para(doc, "ARTICLE 3 – DUREE DE LA CONVENTION - CONTRIBUTION FINANCIERE DE LA METROPOLE", "Heading 1")
    K.para(doc, "La présente convention aura une durée de trois ans à compter du 1er janvier 2025.", align="justify")
    K.para(
        doc,
        "Elle donnera lieu au versement d'une participation de la Métropole Exemple-sur-Mer au bénéfice "
        "de l'Association Régionale Hlm Exemple de Douze mille trois cent quarante-cinq euros et "
        "soixante-sept centimes (12 345,67 €) par an.",
        align="justify",
    )
    K.para(
        doc,
        "L'Association appellera chaque année cette participation auprès de la Métropole, qui "
        "s'engagera à y répondre. A l'appui de sa demande, l'ARH Exemple fournira les documents "
        "suivants :",
        align="justify",
    )
    for text in PIECES:
        K.para(doc, text, "List Bullet", align="justify")

    K.para(doc, "ARTICLE 4 – DISPOSITIF PARTENARIAL", "Heading 1")
    K.para(doc, "Deux instances assureront le suivi de ce partenariat :")
    K.para(
        doc,
        "un comité stratégique (CS) composé de l'élue de la Métropole déléguée à l'Habitat & au "
        "Logement, de la Présidente de l'ARH Exemple, de la Directrice de l'ARH Exemple et des "
        "services techniques de la Métropole, qui se réunira une fois par an pour arrêter le programme "
        "de travail de l'année sur la base des propositions de l'article 2,",
        "List Bullet",
        align="justify",
    )
    K.para(
        doc,
        "un comité technique (CT) composé de la Direction de l'Habitat & du Logement de la Métropole et "
        "de la Direction de l'ARH Exemple, qui se réunira au moins deux fois par an pour organiser "
        "l'animation du programme arrêté en comité stratégique.",
        "List Bullet",
        align="justify",
    )

    K.para(doc, "ARTICLE 5 – EVALUATION DE LA REALISATION DES ACTIONS", "Heading 1")
    K.para(
        doc,
        "L'Association établira chaque année, au début de l'année suivante, un bilan des actions mises "
        "en œuvre au titre de la présente convention, que le comité stratégique examine lors de sa "
        "réunion annuelle.",
        align="justify",
    )

    K.para(
        doc,
        "Fait à Exemple-sur-Mer, le{% if convention.date_signature %} {{ convention.date_signature|date_fr }}{% endif %}",
        keep_next=True,
        before=12,
        after=12,
    )
    K.convention_signatures(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    K.slim(out)
    print(f"écrit : {out}")


def numbered(doc, number: int, text: str) -> None:
    p = doc.add_paragraph(style="Liste numérotée")
    p.paragraph_format.alignment = 3  # justify
    K.add_rich(p, f"{number}.\t", raw=True)
    K.add_rich(p, text)


def pieces(root: Path) -> None:
    """One-page SPÉCIMEN PDFs for each year that sends a call, named as its year.yaml cites them."""
    conv = yaml.safe_load((root / "convention.yaml").read_text(encoding="utf-8"))
    assoc = conv["association"]
    who, sigle, rep = assoc["nom"], assoc["sigle"], assoc["representant"]
    for out, data in calling_years(root):
        year_dir, year = out.parent, data["annee"]
        for old in out.glob("*.pdf"):
            old.unlink()  # re-runnable: only what the data cites remains
        rib(out, data["banque"], who)
        specimen(
            out / "statuts.pdf",
            f"Statuts de l'{sigle}",
            [
                [
                    who,
                    *assoc["adresse"],
                    "",
                    "Article 1 – Dénomination …",
                    "Article 2 – Objet …",
                    f"Mise à jour approuvée par l'assemblée générale de {year - 1}.",
                ]
            ],
            who,
        )
        specimen(
            out / "bureau-ca.pdf",
            "Membres du Bureau et du Conseil d'Administration",
            [
                [
                    f"{rep['qualite']} : {rep['prenom']} {rep['nom']}",
                    "Vice-président(e) : (exemple)",
                    "Trésorier(e) : (exemple)",
                    "Secrétaire : (exemple)",
                    "",
                    "Conseil d'Administration : (liste d'exemple)",
                ]
            ],
            who,
        )
        specimen(
            out / f"rapport-activite-{year - 1}.pdf",
            f"Rapport d'activité {year - 1}",
            [
                [
                    f"Rapport d'activité de l'{sigle} pour l'année {year - 1}.",
                    "1. Vie du réseau …",
                    "2. Partenariats & territoires …",
                    "3. Perspectives …",
                ]
            ],
            who,
        )
        specimen(
            out / f"comptes-{year - 1}.pdf",
            f"Comptes de l'exercice {year - 1}",
            [
                [
                    f"Bilan et compte de résultat de l'exercice {year - 1} (exemple).",
                    "Total des produits : … €",
                    "Total des charges : … €",
                    "Annexe aux comptes …",
                ]
            ],
            who,
        )
        specimen(
            out / "attestation-urssaf.pdf",
            "Attestation de régularité sociale",
            [
                [
                    f"Raison sociale : {who}",
                    *assoc["adresse"],
                    "",
                    "L'organisme de recouvrement atteste que l'association est à jour de ses obligations",
                    f"déclaratives et de paiement au 31 décembre {year - 1} (exemple).",
                ]
            ],
            who,
        )
        print(f"{year_dir.name}: pièces d'exemple écrites dans {out}")


def main(root: Path) -> None:
    convention_template(root / "templates" / "convention.docx")
    pieces(root)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE)
