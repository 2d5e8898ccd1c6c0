"""A new convention's folder in minutes: from an existing convention (a renewal, another
métropole) or from a short questionnaire.

The folder gets a convention.yaml to complete and a templates/ folder; its text (convention.docx)
is the approved one, which only the juriste can give: a renewal starts from the previous text,
a new convention has none until it is dropped there (``check`` says so). No year folder is made.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.convention import crf, cycle, model
from pipeline.convention.catalogue import piece_label
from pipeline.convention.sheet import COLUMNS
from pipeline.errors import InputError
from pipeline.french import de
from pipeline.yamlsource import LineDict, LineList

PLACEHOLDER = "À COMPLÉTER"  # what staff must replace; « check » warns of it, --final refuses it


def new_convention(target: Path, *, source: Path | None = None, answers: dict[str, str] | None = None) -> list[str]:
    """Create ``target``; return what is left to do, for staff. Never overwrites a folder."""
    target = Path(target)
    if target.exists():
        raise InputError(
            f"{target} existe déjà : rien n'a été écrit",
            hint="choisissez un autre nom de dossier, ou effacez celui-ci s'il est à refaire",
        )
    if source is not None:
        if not (Path(source) / "convention.yaml").is_file():
            raise InputError(
                f"{source} n'est pas une convention (pas de convention.yaml)",
                hint="indiquez avec --depuis le dossier d'une convention existante",
            )
        text = renewed((Path(source) / "convention.yaml").read_text(encoding="utf-8"))
    else:
        text = from_answers(answers or {})
    (target / "templates").mkdir(parents=True)
    (target / "signes").mkdir()  # where the documents signed apart come back (README, « Signer »)
    (target / "convention.yaml").write_text(text, encoding="utf-8")
    todo = [f"complétez {target / 'convention.yaml'} (chaque valeur « À COMPLÉTER » ou « null »)"]
    own = Path(source) / "templates" if source is not None else None
    if own is not None and own.is_dir():
        for path in sorted(own.glob("*.docx")):
            shutil.copy2(path, target / "templates" / path.name)
        todo.append(
            f"remplacez {target / 'templates' / 'convention.docx'} par le texte approuvé de la nouvelle "
            "convention (c'est pour l'instant celui de la précédente)"
        )
    else:
        todo.append(f"déposez le texte approuvé de la convention, en Word, dans {target / 'templates' / 'convention.docx'}")
    period = cycle.peek_period(target)
    year = period[0] if period else "<première année>"
    todo.append(
        f"créez le dossier de la première année : make new-year YEAR={year} CONVENTION={target.name} "
        "(voir docs/guide-nouvelle-convention.md), puis lancez « make check »"
    )
    return todo


def renewed(text: str) -> str:
    """The next period's convention.yaml: same parties, chantiers and committees; the period moved
    on; the blanks (signature, deliberation) blank again. Staff's comments and layout stay as
    they are: the YAML parser finds each value to change and the emitter writes its new one in
    its place; the period's name (« 2022-2024 ») moves on wherever it is written."""
    try:
        terms = _child(yaml.compose(text), "convention")
        start_node = _child(terms, "date_debut")
        start, length = _value(start_node), int(str(_value(_child(terms, "duree_annees"))))
        if not isinstance(start, dt.date):
            raise ValueError(start)
    except (yaml.YAMLError, TypeError, ValueError):
        raise InputError(
            "la convention source n'a pas de « date_debut » et de « duree_annees » lisibles sous « convention: »",
            hint="lancez « make check » sur la convention source",
        ) from None
    before, after = cycle.period(start.year, length), cycle.period(start.year + length, length)
    moved = start.replace(year=after[0], day=28) if (start.month, start.day) == (2, 29) else start.replace(year=after[0])
    changes: dict[yaml.Node, dt.date | None] = {start_node: moved}  # start_node is a scalar: _value read it
    deliberation = _child(terms, "deliberation")
    blanks = [_child(terms, "date_signature"), _child(deliberation, "numero"), _child(deliberation, "date")]
    changes.update((node, None) for node in blanks if node is not None and node.tag != "tag:yaml.org,2002:null")
    for node in sorted(changes, key=lambda n: n.start_mark.index, reverse=True):  # from the end: places stay right
        text = text[: node.start_mark.index] + _inline(changes[node]) + text[node.end_mark.index :]
    old, new = f"{before[0]}-{before[-1]}", f"{after[0]}-{after[-1]}"
    text = text.replace(old, new)
    return (
        f"# Renouvellement {new} préparé à partir de la convention {old} : vérifiez chaque valeur\n"
        f"# (montant, chantiers, modalités, pièces, comités) contre le texte de la nouvelle convention.\n" + text
    )


def _child(node: yaml.Node | None, key: str) -> yaml.ScalarNode | yaml.MappingNode | None:
    """The value node under ``key`` in a mapping node (with its place in the text), or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key), None)


def _value(node: yaml.Node | None) -> object:
    """A scalar node's value, typed as YAML reads it (« 2022-01-01 » a date)."""
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError("not a value")
    return yaml.SafeLoader("").construct_object(node)


def _inline(value) -> str:
    """One value as the emitter writes it after a key (« null », « 2025-01-01 », quoted if needed)."""
    return dump_yaml({"v": value})[len("v: ") :].rstrip("\n")


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    read: Callable[[str, dict], object]  # the answer made a value, or ValueError saying what to type


def _text(answer: str, _answers: dict) -> str:
    if not answer:
        raise ValueError("une réponse est nécessaire")
    return answer


def _optional(answer: str, _answers: dict) -> str | None:
    return answer or None


def _year(answer: str, _answers: dict) -> int:
    if not re.fullmatch(r"\d{4}", answer) or not 1990 <= int(answer) <= 2100:
        raise ValueError(f"« {answer} » n'est pas une année : écrivez-la en quatre chiffres (ex. 2025)")
    return int(answer)


def _count(low: int, high: int, what: str) -> Callable[[str, dict], int]:
    def read(answer: str, _answers: dict) -> int:
        if not re.fullmatch(r"\d+", answer) or not low <= int(answer) <= high:
            raise ValueError(f"« {answer} » n'est pas {what} : un nombre entier de {low} à {high}")
        return int(answer)

    return read


def french_amount(answer: str, _answers: dict | None = None) -> Decimal:
    """« 12 345,67 », « 12345,67 », « 12345.67 » or « 12 345 € »: the amount in euros, as staff
    write it in French or as the data files do."""
    text = re.sub(r"[\s\u00a0\u202f]*€$", "", answer.strip())
    grouped = re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d{1,2})?", text)
    plain = re.fullmatch(r"\d+(?:[.,]\d{1,2})?", text)
    if not (grouped or plain):
        raise ValueError(f"« {answer} » n'est pas un montant en euros : écrivez-le comme 12 345,67 (au plus deux décimales)")
    amount = Decimal(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))
    if amount <= 0:
        raise ValueError("la participation annuelle doit être supérieure à zéro")
    return amount.quantize(Decimal("0.01"))


def _civility(answer: str, _answers: dict) -> str:
    word = answer.strip().rstrip(".").lower()
    if word in ("madame", "mme"):
        return "Madame"
    if word in ("monsieur", "m"):
        return "Monsieur"
    raise ValueError(f"« {answer} » : répondez Madame ou Monsieur")


def _other_sigle(answer: str, answers: dict) -> str:
    if not answer:
        raise ValueError("une réponse est nécessaire")
    if answer == answers.get("copil_sigle"):
        raise ValueError(f"« {answer} » est déjà le sigle de l'autre comité : chaque comité a le sien")
    return answer


def _person(party: str, who: str) -> list[Question]:
    return [
        Question(f"{party}_civilite", f"Qui représente {who} et signe pour elle : Madame ou Monsieur ?", _civility),
        Question(f"{party}_prenom", "  son prénom (laissez vide s'il n'est pas encore connu)", _optional),
        Question(f"{party}_nom", "  son nom de famille (laissez vide s'il n'est pas encore connu)", _optional),
        Question(
            f"{party}_qualite",
            "  sa fonction, telle que la convention l'écrit (ex. Président, Vice-Présidente déléguée au logement)",
            _text,
        ),
    ]


QUESTIONS = [
    Question("metropole", "Nom officiel de la Métropole", _text),
    *_person("metropole", "la Métropole"),
    Question("association", "Nom officiel de l'association", _text),
    Question("sigle", "Sigle de l'association", _text),
    *_person("association", "l'association"),
    Question("debut", "Année de prise d'effet (quatre chiffres)", _year),
    Question("duree", "Durée en années", _count(1, 10, "une durée en années")),
    Question("montant", "Participation annuelle en euros (ex. 12 345,67)", french_amount),
    Question("lieu", "Lieu de signature de la convention (la ville)", _text),
    Question("copil_nom", "Article 4 : nom du comité qui arrête chaque année le programme de travail", _text),
    Question("copil_sigle", "  son sigle", _text),
    Question("copil_reunions", "  nombre minimal de réunions par an", _count(0, 12, "un nombre de réunions")),
    Question("cotech_nom", "Article 4 : nom du comité technique", _text),
    Question("cotech_sigle", "  son sigle", _other_sigle),
    Question("cotech_reunions", "  nombre minimal de réunions par an", _count(0, 12, "un nombre de réunions")),
]


def questionnaire(ask: Callable[[str], str], tell: Callable[[str], None]) -> dict:
    """Ask each question until its answer is right: a wrong year found only at the end would
    lose every answer (and used to end in a Python error)."""
    answers: dict = {}
    for question in QUESTIONS:
        while True:
            try:
                answers[question.key] = question.read(ask(question.text).strip(), answers)
                break
            except ValueError as exc:
                tell(f"réponse refusée : {exc} — recommencez")
    return answers


def _representative(a: dict, party: str) -> dict:
    person = {"qualite": a[f"{party}_qualite"], "civilite": a[f"{party}_civilite"]}
    for key in ("prenom", "nom"):
        if a.get(f"{party}_{key}"):
            person[key] = a[f"{party}_{key}"]
    return person


def _article(name: str) -> str:
    """« l' » before a vowel or a mute h, else « la »: a guess that the guide asks to check."""
    letters = re.sub(r"[^\w]", "", name, flags=re.UNICODE)
    return "l'" if letters[:1].lower() in "aeiouyhàâéèêîôû" else "la"


def _title(a: dict, party: str) -> str:
    return f"{'La' if a[f'{party}_civilite'] == 'Madame' else 'Le'} {a[f'{party}_qualite']}"


def convention_data(a: dict) -> dict:
    """convention.yaml's content from the questionnaire's answers; what it does not ask is
    marked « À COMPLÉTER », never taken from another convention."""
    start, length = a["debut"], a["duree"]
    period = f"{start}-{start + length - 1}"
    parties = {}
    for party, name in (("metropole", a["metropole"]), ("association", a["association"])):
        parties[party] = {"nom": name}
        if party == "association":
            parties[party]["sigle"] = a["sigle"]
        parties[party].update(
            {
                "article": _article(a["sigle"] if party == "association" else name),
                "forme": "Etablissement Public de Coopération Intercommunale" if party == "metropole" else "association loi 1901",
                "adresse": [PLACEHOLDER],
                "representant": _representative(a, party),
                "titre_signature": [_title(a, party), name],
            }
        )
    members = [
        {
            "role": f"representant_{party}",
            "libelle": f"{_title(a, party)[:2].lower()}{_title(a, party)[2:]} {de(_with_article(parties[party]))}",
            "signe_pour": party,
        }
        for party in ("metropole", "association")
    ]
    return {
        "convention": {
            "titre": f"Convention de partenariat {period}",
            "titre_court": f"Convention {a['metropole']} – {a['sigle']} {period}",
            "date_debut": dt.date(start, 1, 1),
            "duree_annees": length,
            "montant_annuel": a["montant"],
            "lieu_signature": a["lieu"],
            "date_signature": None,
            "deliberation": {"numero": None, "date": None, "organe": "Conseil de la Métropole"},
        },
        **parties,
        "chantiers": [{"code": "CHANTIER1", "axe": PLACEHOLDER, "titre": PLACEHOLDER}],
        "modalites": [{"code": "MODALITE1", "titre": PLACEHOLDER}],
        "pieces_requises": [
            {"code": "rib", "libelle": "Un relevé d'identité bancaire (RIB)"},
            {"code": "bilan", "libelle": "Un bilan de la mise en œuvre de la convention", "document": "bilan"},
        ],
        "copil": {
            "nom": a["copil_nom"],
            "sigle": a["copil_sigle"],
            "reunions_min_par_an": a["copil_reunions"],
            "membres": members,
        },
        "cotech": {
            "nom": a["cotech_nom"],
            "sigle": a["cotech_sigle"],
            "reunions_min_par_an": a["cotech_reunions"],
            "membres": [],
        },
    }


def _with_article(party: dict) -> str:
    article = party["article"]
    return (
        f"{article}{party.get('sigle') or party['nom']}"
        if article.endswith("'")
        else f"{article} {party.get('sigle') or party['nom']}"
    )


# what staff read above each part of the file: where in the convention's text its values are
SECTION_NOTES = {
    "convention": "Article 3 : période, participation annuelle ; les blancs (null) se remplissent une fois "
    "la convention délibérée et signée.",
    "metropole": "Les parties : adresse et bloc de signature tels que la convention les écrit.",
    "chantiers": "Article 1 : un élément par chantier opérationnel (code court, axe, intitulé).",
    "modalites": "Article 2 : un élément par modalité d'intervention.",
    "pieces_requises": "Article 3 : une pièce par élément, dans l'ordre du texte (le bilan est produit par la chaîne).",
    "copil": "Article 4 : les comités ; « membres » : la composition, et qui signe le procès-verbal "
    "pour chaque partie (signe_pour).",
}


def from_answers(a: dict) -> str:
    """convention.yaml's text: written by a YAML emitter, so that a name with « # », « : », « & »
    or « < » is kept as typed; a comment above each part says where its values come from."""
    data = convention_data(a)
    period = data["convention"]["titre"].rsplit(" ", 1)[-1]
    text = (
        f"# Convention {period} : créée par « new-convention ». Remplacez chaque « {PLACEHOLDER} » "
        "(« make check » les signale,\n# une version définitive les refuse) ; voir "
        "docs/guide-nouvelle-convention.md.\n"
    )
    for key, value in data.items():
        note = SECTION_NOTES.get(key)
        text += "\n" + (f"# {note}\n" if note else "") + dump_yaml({key: value})
    return text


class _Plain(yaml.SafeDumper):
    """Every value written out (no anchors), amounts as plain numbers."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):  # lists indented under their key, as staff write them
        return super().increase_indent(flow, False)


_Plain.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)))
_Plain.add_representer(LineDict, _Plain.represent_dict)  # a previous year's values, as ``cycle.peek`` read them
_Plain.add_representer(LineList, _Plain.represent_list)


def dump_yaml(data) -> str:
    """YAML as staff read it: keys in order, accents as written, every value quoted where YAML needs."""
    return yaml.dump(data, Dumper=_Plain, allow_unicode=True, sort_keys=False, width=100)


def new_year(convention: Path, year: int) -> list[str]:
    """Create the year's folder from the previous one: what carries over (bank details, people,
    committee members, the meetings the last minutes announced), an empty actions.xlsx with
    the convention's lists, and the pieces to provide. Never overwrites a year."""
    folder = Path(convention) / str(year)
    if folder.exists():
        raise InputError(f"{folder} existe déjà : rien n'a été écrit", hint="une année existante se complète à la main")
    conv, _ = model.load_convention(Path(convention))
    period, closing = conv.convention.annees, cycle.closing_year(conv.convention.annees)
    if year not in cycle.dossier_years(period):
        raise InputError(
            f"l'année {year} est hors de la convention ({conv.convention.periode})",
            hint=f"choisissez {', '.join(map(str, period))} ou {closing} (clôture)",
        )
    # what carries over, read as it is (the previous year may still be incomplete); none if unreadable
    previous = cycle.peek(Path(convention) / str(year - 1) / "year.yaml") or {}
    before = previous.get("copil") or {}
    announced = [r for r in before.get("prochaines_reunions") or [] if str(r.get("date", ""))[:4] == str(year)]
    copil_meeting: dict = next((r for r in announced if r.get("instance") == conv.copil.sigle), {})
    first = cycle.is_first(year, period)  # nothing to carry over: the convention's own members and the payee's name
    members = [
        {"civilite": None, "prenom": None, "nom": None, "qualite": None, "organisme": None, "role": m.role}
        for m in conv.copil.membres
    ]
    copil = {
        "date": copil_meeting.get("date"),
        "lieu": copil_meeting.get("lieu") or before.get("lieu"),
        "heure": before.get("heure"),
        "heure_fin": before.get("heure_fin"),
        "presidence": before.get("presidence"),
        "secretariat": before.get("secretariat"),
        "presents": before.get("presents") or (members if first else []),
        "excuses": before.get("excuses") or [],
        "examen_bilan": "",
        "decisions": [],
        "questions_diverses": "",
        "prochaines_reunions": [],
    }
    if year != closing:
        copil["programme"] = []
    data: dict = {"annee": year, "donnees_exemple": bool(previous.get("donnees_exemple", False))}
    todo = []
    if year == closing:
        data["copil"] = copil
        data["reunions"] = [{k: v for k, v in r.items()} for r in announced]
        data["bilan_final"] = {"date": None, "lieu": conv.convention.lieu_signature}
        appel = previous.get("appel") or {}
        data["transmission"] = {
            "date": None,
            "reference": None,
            "lieu": appel.get("lieu") or conv.convention.lieu_signature,
            "dossier_suivi_par": appel.get("dossier_suivi_par"),
        }
    else:
        appel = previous.get("appel") or {}
        data["appel"] = {
            "date": None,
            "reference": None,
            "lieu": appel.get("lieu") or conv.convention.lieu_signature,
            "montant": conv.convention.montant_annuel,
            "dossier_suivi_par": appel.get("dossier_suivi_par"),
        }
        data["banque"] = previous.get("banque") or {
            "titulaire": conv.association.nom,
            "domiciliation": None,
            "iban": None,
            "bic": None,
        }
        data["copil"] = copil
        data["pieces"] = []
        for piece in conv.pieces_requises:
            if piece.document is None:
                name = f"pieces/{piece.code.replace('_', '-')}.pdf"
                data["pieces"].append({"code": piece.code, "fichier": name})
                todo.append(f"pièce à déposer : {folder / name} — {piece_label(piece.libelle, year)}")
        data["reunions"] = [{k: v for k, v in r.items()} for r in announced]
        data["finances"] = {"montant_recu": Decimal("0.00"), "date_reception": None}
    carried = _still_examples(previous, data)
    if carried:  # an example value copied from the previous year is still one
        data = {"annee": data.pop("annee"), "donnees_exemple": data.pop("donnees_exemple"), "a_remplacer": carried, **data}
    folder.mkdir(parents=True)
    (folder / "pieces").mkdir(exist_ok=year == closing)
    origin = (
        f"la première année de la convention : les membres du {conv.copil.sigle} viennent de convention.yaml"
        if first
        else f"à partir de {year - 1} : les réunions sont celles que le dernier procès-verbal annonçait"
    )
    header = (
        f"# Année {year} : créée par « new-year », {origin}.\n# Complétez chaque valeur vide (null). Les actions "
        "se saisissent dans actions.xlsx. Voir docs/guide-donnees.md.\n"
    )
    (folder / "year.yaml").write_text(header + dump_yaml(data), encoding="utf-8")
    if year != closing:
        actions_sheet(folder / "actions.xlsx", conv)
        todo.insert(0, f"actions de {year} à saisir dans {folder / 'actions.xlsx'} (listes des chantiers et modalités)")
        crf_sheet(folder / "compte-rendu-financier.xlsx", conv)
        todo.append(
            f"budget prévisionnel {year} à saisir dans {folder / 'compte-rendu-financier.xlsx'} (colonne "
            f"« Prévu ») ; le réalisé et « crf: » dans year.yaml en {year + 1}, une fois les comptes approuvés"
        )
    todo.insert(
        0,
        f"complétez {folder / 'year.yaml'} (dates de l'appel et du {conv.copil.sigle} — sous la clé "
        "« copil: » —, référence, programme…)",
    )
    return todo


def actions_sheet(path: Path, conv) -> None:
    """An empty actions.xlsx: French headers frozen at the top, the convention's chantiers and
    modalités as drop-down lists (from a sheet « Listes »), dates shown as 15/03/2023."""

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
        lists.append(
            [
                conv.chantiers[i].titre if i < len(conv.chantiers) else None,
                conv.modalites[i].titre if i < len(conv.modalites) else None,
            ]
        )
    for column, source, count in (("B", "A", len(conv.chantiers)), ("C", "B", len(conv.modalites))):
        rule = DataValidation(
            type="list",
            formula1=f"=Listes!${source}$2:${source}${count + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Valeur inconnue",
            error="Choisissez dans la liste de la convention.",
        )
        sheet.add_data_validation(rule)
        rule.add(f"{column}2:{column}1000")
    dates = DataValidation(type="date", allow_blank=True, showErrorMessage=True, error="Une date, ex. 15/03/2024.")
    sheet.add_data_validation(dates)
    dates.add("A2:A1000")
    for row in range(2, 1001):
        sheet[f"A{row}"].number_format = "DD/MM/YYYY"
    book.save(path)


def crf_sheet(path: Path, conv, figures: dict | None = None) -> None:
    """The compte rendu financier's spreadsheet: one row per heading of the cerfa n° 15059 (the
    participation naming the convention's payer), its nature beside it, amounts as « 20 000,00 € »;
    ``figures``: code → (forecast, actual, explanation), for the example data."""

    book = Workbook()
    sheet = book.active
    sheet.title = "Compte rendu financier"
    sheet.append([*crf.COLUMNS, "Nature"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (70, 16, 16, 60, 40)):
        sheet.column_dimensions[letter].width = width
    for rubrique in crf.RUBRIQUES:
        prevu, realise, explication = (figures or {}).get(rubrique.code, (None, None, None))
        sheet.append([crf.label(rubrique, conv), prevu, realise, explication, crf.SECTIONS[rubrique.section]])
        row = sheet.max_row
        for column in "BC":
            sheet[f"{column}{row}"].number_format = '#,##0.00 "€"'
        sheet[f"D{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)


def _still_examples(previous: dict, data: dict) -> list[str]:
    """The previous year's ``a_remplacer`` keys whose value the new year copies unchanged."""

    def value(tree, dotted):
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
            if part.startswith("["):
                index = int(part[1:-1]) - 1
                if not isinstance(tree, list) or not 0 <= index < len(tree):
                    return None
                tree = tree[index]
            elif isinstance(tree, dict) and part in tree:
                tree = tree[part]
            else:
                return None
        return tree

    listed = previous.get("a_remplacer") or []
    return [str(k) for k in listed if isinstance(k, str) and value(data, k) is not None and value(data, k) == value(previous, k)]
