"""Write the SPÉCIMEN attachments shipped in inputs/ (RIB, statuts, Bureau/CA, rapport, comptes; and
those the compte rendu financier's sending encloses: approved accounts, auditor's report, rapport).

Run once by a developer: `python -m tools.make_specimens inputs/amp-arhlm-2022-2024`.
They stand in for the real PDFs the AR Hlm provides, and say SPÉCIMEN on every page.
The text comes from the inputs (names, addresses, bank details), not from this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
pdfmetrics.registerFont(TTFont("Sans", FONT_DIR / "LiberationSans-Regular.ttf"))
pdfmetrics.registerFont(TTFont("Sans-Bold", FONT_DIR / "LiberationSans-Bold.ttf"))


def specimen(path: Path, title: str, pages: list[list[str]], author: str) -> None:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, initialFontName="Sans")
    c.setTitle(f"{title} (SPÉCIMEN)")
    c.setAuthor(author)
    width, height = A4
    for lines in pages:
        c.saveState()
        c.setFillGray(0.85)
        c.setFont("Sans-Bold", 90)
        c.translate(width / 2, height / 2)
        c.rotate(45)
        c.drawCentredString(0, 0, "SPÉCIMEN")
        c.restoreState()
        c.setFont("Sans-Bold", 16)
        c.drawString(60, height - 80, title)
        c.setFont("Sans", 11)
        y = height - 120
        for line in lines:
            c.drawString(60, y, line)
            y -= 18
        c.setFont("Sans", 8)
        c.drawString(60, 40, "Spécimen sans valeur : document d'exemple à remplacer par la pièce réelle.")
        c.showPage()
    c.save()


def calling_years(root: Path):
    """(year's pieces folder, year's data) of each year that sends a call: the closing year has
    no call, hence no pieces."""
    for year_dir in sorted(p for p in root.iterdir() if (p / "year.yaml").is_file()):
        data = yaml.safe_load((year_dir / "year.yaml").read_text(encoding="utf-8"))
        if data.get("banque"):
            out = year_dir / "pieces"
            out.mkdir(exist_ok=True)
            yield out, data


def rib(out: Path, bank: dict, who: str) -> None:
    """The RIB specimen, with the very bank details the year's data gives the letter."""
    specimen(
        out / "rib.pdf",
        "Relevé d'identité bancaire",
        [
            [
                f"Titulaire : {bank['titulaire']}",
                f"Domiciliation : {bank['domiciliation']}",
                f"IBAN : {bank['iban']}",
                f"BIC : {bank['bic']}",
            ]
        ],
        who,
    )


def main(root: Path) -> None:
    conv = yaml.safe_load((root / "convention.yaml").read_text(encoding="utf-8"))
    assoc = conv["association"]
    who = assoc["nom"]
    for out, data in calling_years(root):
        year_dir, year = out.parent, data["annee"]
        rib(out, data["banque"], who)
        specimen(
            out / "statuts.pdf",
            f"Statuts de l'{assoc['sigle']}",
            [
                [who, *assoc["adresse"], "", "Article 1 – Dénomination …", "Article 2 – Objet …"],
                ["Article 3 – Siège …", "Article 4 – Membres …"],
                ["Article 12 – Dissolution …", "", f"Mise à jour approuvée par l'assemblée générale de {year - 1}."],
            ],
            who,
        )
        specimen(
            out / "bureau-ca.pdf",
            "Membres du Bureau et du Conseil d'Administration",
            [
                [
                    f"{assoc['representant']['qualite']} : {assoc['representant']['prenom']} {assoc['representant']['nom']}",
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
                [f"Rapport d'activité de l'{assoc['sigle']} pour l'année {year - 1}.", "1. Vie du réseau …"],
                ["2. Partenariats territoriaux …"],
                ["3. Perspectives …"],
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
                ],
                ["Annexe aux comptes …"],
            ],
            who,
        )
        print(f"{year_dir.name}: pièces d'exemple écrites dans {out}")
    for year_dir, data in crf_years(root):
        year, approved = data["annee"], data["crf"]["comptes_approuves_le"]
        titles = {
            "comptes": (
                f"Comptes annuels de l'exercice {year}",
                [
                    [
                        f"Bilan et compte de résultat de l'exercice {year} (exemple).",
                        "Total des produits : … €",
                        "Total des charges : … €",
                    ],
                    ["Annexe aux comptes …", "", f"Comptes approuvés par l'assemblée générale du {approved:%d/%m/%Y}."],
                ],
            ),
            "rapport_cac": (
                f"Rapport du commissaire aux comptes – exercice {year}",
                [["Opinion sur les comptes annuels …", "Fondement de l'opinion …", "Justification des appréciations …"]],
            ),
            "rapport_activite": (
                f"Rapport d'activité {year}",
                [
                    [f"Rapport d'activité de l'{assoc['sigle']} pour l'année {year}.", "1. Vie du réseau …"],
                    ["2. Partenariats territoriaux …"],
                    ["3. Perspectives …"],
                ],
            ),
        }
        for piece in data["crf"].get("pieces") or []:
            if piece.get("specimen") and piece["code"] in titles:
                (year_dir / piece["fichier"]).parent.mkdir(exist_ok=True)
                specimen(year_dir / piece["fichier"], *titles[piece["code"]], who)
        print(f"{year_dir.name}: pièces d'exemple du compte rendu financier écrites")


def crf_years(root: Path):
    """(year's folder, year's data) of each year whose compte rendu financier lists its pieces."""
    for year_dir in sorted(p for p in root.iterdir() if (p / "year.yaml").is_file()):
        data = yaml.safe_load((year_dir / "year.yaml").read_text(encoding="utf-8"))
        if isinstance(data.get("crf"), dict) and data["crf"].get("pieces"):
            yield year_dir, data


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "inputs/amp-arhlm-2022-2024"))
