"""A new convention's folder in minutes: from an existing convention (a renewal, another
métropole) or from a short questionnaire.

The folder gets a convention.yaml to complete and a templates/ folder; its text (convention.docx)
is the approved one, which only the juriste can give: a renewal starts from the previous text,
a new convention has none until it is dropped there (``check`` says so). No year folder is made.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from pipeline.convention import model
from pipeline.convention.catalogue import piece_label
from pipeline.convention.sheet import COLUMNS
from pipeline.errors import InputError

QUESTIONS = [
    ("metropole", "Nom officiel de la Métropole (ex. « Métropole Aix-Marseille-Provence »)"),
    ("association", "Nom officiel de l'association"),
    ("sigle", "Sigle de l'association (ex. « AR Hlm »)"),
    ("debut", "Année de prise d'effet (ex. 2025)"),
    ("duree", "Durée en années"),
    ("montant", "Participation annuelle en euros (ex. 20000.00)"),
    ("lieu", "Lieu de signature (ex. Marseille)"),
]


def new_convention(target: Path, *, source: Path | None = None, answers: dict[str, str] | None = None) -> list[str]:
    """Create ``target``; return what is left to do, for staff. Never overwrites a folder."""
    target = Path(target)
    if target.exists():
        raise InputError(f"{target} existe déjà : rien n'a été écrit",
                         hint="choisissez un autre nom de dossier, ou effacez celui-ci s'il est à refaire")
    if source is not None:
        if not (Path(source) / "convention.yaml").is_file():
            raise InputError(f"{source} n'est pas une convention (pas de convention.yaml)",
                             hint="indiquez avec --depuis le dossier d'une convention existante")
        text = renewed((Path(source) / "convention.yaml").read_text(encoding="utf-8"))
    else:
        text = from_answers(answers or {})
    (target / "templates").mkdir(parents=True)
    (target / "convention.yaml").write_text(text, encoding="utf-8")
    todo = [f"complétez {target / 'convention.yaml'} (chaque valeur « À COMPLÉTER » ou « null »)"]
    own = Path(source) / "templates" if source is not None else None
    if own is not None and own.is_dir():
        for path in sorted(own.glob("*.docx")):
            shutil.copy2(path, target / "templates" / path.name)
        todo.append(f"remplacez {target / 'templates' / 'convention.docx'} par le texte approuvé de la nouvelle "
                    "convention (c'est pour l'instant celui de la précédente)")
    else:
        todo.append(f"déposez le texte approuvé de la convention, en Word, dans {target / 'templates' / 'convention.docx'}")
    todo.append("créez le dossier de la première année (voir docs/guide-donnees.md), puis lancez « make check »")
    return todo


def renewed(text: str) -> str:
    """The next period's convention.yaml: same parties, chantiers and committees; the period moved
    on; the blanks (signature, deliberation) blank again."""
    start = int(re.search(r"^\s*date_debut:\s*(\d{4})", text, re.M).group(1))
    length = int(re.search(r"^\s*duree_annees:\s*(\d+)", text, re.M).group(1))
    old, new = f"{start}-{start + length - 1}", f"{start + length}-{start + 2 * length - 1}"
    text = text.replace(old, new)
    text = re.sub(r"^(\s*date_debut:\s*)\d{4}", lambda m: f"{m.group(1)}{start + length}", text, flags=re.M)
    text = re.sub(r"^(\s*date_signature:).*$", r"\1 null", text, flags=re.M)
    text = re.sub(r"^(\s*deliberation:\s*\n\s*numero:).*$", r"\1 null", text, flags=re.M)
    text = re.sub(r"^(\s*deliberation:\s*\n\s*numero:.*\n\s*date:).*$", r"\1 null", text, flags=re.M)
    return (f"# Renouvellement {new} préparé à partir de la convention {old} : vérifiez chaque valeur\n"
            f"# (montant, chantiers, modalités, pièces, comités) contre le texte de la nouvelle convention.\n" + text)


def from_answers(a: dict[str, str]) -> str:
    """A convention.yaml from the questionnaire, its other parts marked « À COMPLÉTER »."""
    start, length = int(a["debut"]), int(a["duree"])
    period = f"{start}-{start + length - 1}"
    return f"""# Convention {period} : créée par « new-convention ». Complétez chaque « À COMPLÉTER ».
convention:
  titre: Convention de partenariat {period}
  titre_court: Convention {a['metropole']} – {a['sigle']} {period}
  date_debut: {start}-01-01
  duree_annees: {length}
  montant_annuel: {a['montant']}
  lieu_signature: {a['lieu']}
  date_signature: null
  deliberation:
    numero: null
    date: null
    organe: Conseil de la Métropole

metropole:
  nom: {a['metropole']}
  article: la
  forme: Etablissement Public de Coopération Intercommunale
  adresse: [À COMPLÉTER]
  representant:
    qualite: Présidente
    civilite: Madame
  titre_signature: [La Présidente de la Métropole, À COMPLÉTER]

association:
  nom: {a['association']}
  sigle: {a['sigle']}
  article: "l'"
  forme: association loi 1901
  adresse: [À COMPLÉTER]
  representant:
    qualite: Président
    civilite: Monsieur
  titre_signature: [Le Président de l'{a['sigle']}]

chantiers:
  - code: CHANTIER1
    axe: À COMPLÉTER
    titre: À COMPLÉTER

modalites:
  - code: MODALITE1
    titre: À COMPLÉTER

pieces_requises:
  - code: rib
    libelle: Un relevé d'identité bancaire (RIB)
  - code: bilan
    libelle: Un bilan de la mise en œuvre de la convention
    document: bilan

copil:
  nom: Comité de pilotage
  sigle: COPIL
  reunions_min_par_an: 1
  membres:
    - role: elu_metropole
      libelle: À COMPLÉTER
      signe_pour: metropole
    - role: president_association
      libelle: À COMPLÉTER
      signe_pour: association

cotech:
  nom: Comité technique
  sigle: COTECH
  reunions_min_par_an: 2
  membres: []
"""


def new_year(convention: Path, year: int) -> list[str]:
    """Create the year's folder from the previous one: what carries over (bank details, people,
    committee members, the meetings the last minutes announced), an empty actions.xlsx with
    the convention's lists, and the pieces to provide. Never overwrites a year."""
    import yaml

    folder = Path(convention) / str(year)
    if folder.exists():
        raise InputError(f"{folder} existe déjà : rien n'a été écrit", hint="une année existante se complète à la main")
    conv, _ = model.load_convention(Path(convention))
    period, closing = conv.convention.annees, model.closing_year(conv)
    if year not in period and year != closing:
        raise InputError(f"l'année {year} est hors de la convention ({conv.convention.periode})",
                         hint=f"choisissez {', '.join(map(str, period))} ou {closing} (clôture)")
    previous_file = Path(convention) / str(year - 1) / "year.yaml"
    previous = yaml.safe_load(previous_file.read_text(encoding="utf-8")) if previous_file.is_file() else {}
    before = previous.get("copil") or {}
    announced = [r for r in before.get("prochaines_reunions") or [] if str(r.get("date", ""))[:4] == str(year)]
    copil_meeting = next((r for r in announced if r.get("instance") == conv.copil.sigle), {})
    copil = {"date": copil_meeting.get("date"), "lieu": copil_meeting.get("lieu") or before.get("lieu"),
             "heure": before.get("heure"), "heure_fin": before.get("heure_fin"), "presidence": before.get("presidence"),
             "secretariat": before.get("secretariat"), "presents": before.get("presents") or [],
             "excuses": before.get("excuses") or [],
             "examen_bilan": "", "decisions": [], "questions_diverses": "", "prochaines_reunions": []}
    if year != closing:
        copil["programme"] = []
    data: dict = {"annee": year, "donnees_exemple": bool(previous.get("donnees_exemple", False))}
    todo = []
    if year == closing:
        data["copil"] = copil
        data["reunions"] = [{k: v for k, v in r.items()} for r in announced]
        data["bilan_final"] = {"date": None, "lieu": conv.convention.lieu_signature}
        appel = previous.get("appel") or {}
        data["transmission"] = {"date": None, "reference": None, "lieu": appel.get("lieu") or conv.convention.lieu_signature,
                                "dossier_suivi_par": appel.get("dossier_suivi_par")}
    else:
        appel = previous.get("appel") or {}
        data["appel"] = {"date": None, "reference": None, "lieu": appel.get("lieu") or conv.convention.lieu_signature,
                         "montant": f"{conv.convention.montant_annuel:.2f}", "dossier_suivi_par": appel.get("dossier_suivi_par")}
        if previous.get("banque"):
            data["banque"] = previous["banque"]
        data["copil"] = copil
        data["pieces"] = []
        for piece in conv.pieces_requises:
            if piece.document is None:
                name = f"pieces/{piece.code.replace('_', '-')}.pdf"
                data["pieces"].append({"code": piece.code, "fichier": name})
                todo.append(f"pièce à déposer : {folder / name} — {piece_label(piece.libelle, year)}")
        data["reunions"] = [{k: v for k, v in r.items()} for r in announced]
        data["finances"] = {"montant_recu": "0.00", "date_reception": None}
    folder.mkdir(parents=True)
    (folder / "pieces").mkdir(exist_ok=year == closing)
    header = (f"# Année {year} : créée par « new-year » à partir de {year - 1}. Complétez chaque valeur vide\n"
              f"# (null) ; les réunions sont celles que le dernier procès-verbal annonçait. Les actions se\n"
              f"# saisissent dans actions.xlsx. Voir docs/guide-donnees.md.\n")
    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data):  # staff read the file: every value written out, no YAML anchors
            return True

    (folder / "year.yaml").write_text(header + yaml.dump(data, Dumper=Plain, allow_unicode=True, sort_keys=False,
                                                         width=100), encoding="utf-8")
    if year != closing:
        actions_sheet(folder / "actions.xlsx", conv)
        todo.insert(0, f"actions de {year} à saisir dans {folder / 'actions.xlsx'} (listes des chantiers et modalités)")
    todo.insert(0, f"complétez {folder / 'year.yaml'} (dates de l'appel et du COPIL, référence, programme…)")
    return todo


def actions_sheet(path: Path, conv) -> None:
    """An empty actions.xlsx: French headers frozen at the top, the convention's chantiers and
    modalités as drop-down lists (from a sheet « Listes »), dates shown as 15/03/2023."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (12, 40, 34, 50, 36, 12, 40)):
        sheet.column_dimensions[letter].width = width
    lists = book.create_sheet("Listes")
    lists.append(["Chantiers", "Modalités"])
    for i in range(max(len(conv.chantiers), len(conv.modalites))):
        lists.append([conv.chantiers[i].titre if i < len(conv.chantiers) else None,
                      conv.modalites[i].titre if i < len(conv.modalites) else None])
    for column, source, count in (("B", "A", len(conv.chantiers)), ("C", "B", len(conv.modalites))):
        rule = DataValidation(type="list", formula1=f"=Listes!${source}$2:${source}${count + 1}", allow_blank=True,
                              showErrorMessage=True, errorTitle="Valeur inconnue",
                              error="Choisissez dans la liste de la convention.")
        sheet.add_data_validation(rule)
        rule.add(f"{column}2:{column}1000")
    dates = DataValidation(type="date", allow_blank=True, showErrorMessage=True, error="Une date, ex. 15/03/2024.")
    sheet.add_data_validation(dates)
    dates.add("A2:A1000")
    for row in range(2, 1001):
        sheet[f"A{row}"].number_format = "DD/MM/YYYY"
    book.save(path)
