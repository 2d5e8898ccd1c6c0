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
