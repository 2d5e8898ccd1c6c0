"""Next year in one command: what carries over, the actions sheet with the convention's lists,
the pieces to provide; never an existing year overwritten."""

import shutil

import openpyxl
import pytest
from helpers import cli

from pipeline.convention import model
from pipeline.errors import InputError


def test_next_year_from_the_previous_one(inputs_copy):
    shutil.rmtree(inputs_copy / "2024")
    result = cli("--inputs", str(inputs_copy), "new-year", "2024")
    assert result.returncode == 0, result.stderr
    assert "pièce à déposer" in result.stdout and "Le rapport d'activité de l'année 2023" in result.stdout
    folder = inputs_copy / "2024"
    sheet = openpyxl.load_workbook(folder / "actions.xlsx")
    actions = sheet["Actions"]
    assert [c.value for c in actions[1]] == ["Date", "Chantier", "Modalité", "Action", "Partenaires", "Participants", "Résultat"]
    assert actions.freeze_panes == "A2"
    lists = {str(rule.formula1) for rule in actions.data_validations.dataValidation if rule.type == "list"}
    assert lists == {"=Listes!$A$2:$A$8", "=Listes!$B$2:$B$8"}
    assert sheet["Listes"]["A2"].value == "Le PLH métropolitain"
    # staff complete the call and drop the pieces: the year then loads, with what carried over
    text = (folder / "year.yaml").read_text(encoding="utf-8")
    (folder / "year.yaml").write_text(
        text.replace("  date: null\n  reference: null", "  date: 2024-03-26\n  reference: AR-2024-012", 1), encoding="utf-8"
    )
    for source, target in (
        ("rib", "rib"),
        ("statuts", "statuts"),
        ("bureau-ca", "instances"),
        ("rapport-activite-2022", "rapport-activite"),
        ("comptes-2022", "comptes"),
    ):
        shutil.copy(inputs_copy / "2023" / "pieces" / f"{source}.pdf", folder / "pieces" / f"{target}.pdf")
    loaded = model.load(inputs_copy, 2024)
    before = model.load(inputs_copy, 2023).year
    assert loaded.year.banque == before.banque and loaded.year.copil.presents == before.copil.presents
    assert {(r.instance, r.date) for r in loaded.year.reunions} == {
        (r.instance, r.date) for r in before.copil.prochaines_reunions if r.date.year == 2024
    }
    assert loaded.year.actions == []
    again = cli("--inputs", str(inputs_copy), "new-year", "2024")
    assert again.returncode == 2 and "existe déjà" in again.stderr


def test_the_closing_year_gets_the_closing_copil(inputs_copy):
    shutil.rmtree(inputs_copy / "2025")
    result = cli("--inputs", str(inputs_copy), "new-year", "2025")
    assert result.returncode == 0, result.stderr
    text = (inputs_copy / "2025" / "year.yaml").read_text(encoding="utf-8")
    assert "bilan_final:" in text and "appel:" not in text and "date: 2025-03-11" in text
    assert "transmission:" in text and "dossier_suivi_par: Mme Claire EXEMPLE, chargée de mission" in text


# the questionnaire's answers, in its order: names with the characters YAML treats apart
HOSTILE = {
    "metropole": "Métropole du Levant #ML",
    "metropole_civilite": "M.",
    "metropole_prenom": "Hugo",
    "metropole_nom": "DURAND",
    "metropole_qualite": "Président",
    "association": "Union : régionale <Hlm> & Îles",
    "sigle": "&UR Hlm",
    "association_civilite": "mme",
    "association_prenom": "Anne-Laure",
    "association_nom": "D'ARCY & Cie",
    "association_qualite": "Présidente",
    "debut": "2031",
    "duree": "4",
    "montant": "12 345,67",
    "lieu": "Port-Levant",
    "copil_nom": "Comité stratégique",
    "copil_sigle": "COSTRAT",
    "copil_reunions": "1",
    "cotech_nom": "Comité de suivi technique",
    "cotech_sigle": "CST",
    "cotech_reunions": "2",
}


def answer(replies: list[str]):
    """A staff member typing ``replies`` one after the other; what they are told is kept."""
    told: list[str] = []
    feed = iter(replies)
    return (lambda question: next(feed)), told.append, told


def test_the_questionnaire_asks_again_until_each_answer_is_right():
    from pipeline.convention import scaffold

    replies = []
    for key, value in HOSTILE.items():
        if key == "debut":
            replies += ["3", "20311", value]  # the duration's answer typed one line too early, then a typo
        elif key == "montant":
            replies += ["12.345,67", "-5", "douze mille", value]
        elif key == "metropole_civilite":
            replies += ["Mademoiselle X", value]
        elif key == "cotech_sigle":
            replies += ["COSTRAT", value]  # the other committee's sigle
        else:
            replies.append(value)
    ask, tell, told = answer(replies)
    answers = scaffold.questionnaire(ask, tell)
    assert answers["debut"] == 2031 and answers["duree"] == 4 and str(answers["montant"]) == "12345.67"
    assert answers["metropole_civilite"] == "Monsieur" and answers["association_civilite"] == "Madame"
    assert len(told) == 7 and all(line.startswith("réponse refusée : ") for line in told)
    assert "Madame ou Monsieur" in told[0] and "« 3 » n'est pas une année" in told[1] and "12 345,67" in told[3]
    assert "déjà le sigle de l'autre comité" in told[-1]


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("12 345,67", "12345.67"),
        ("12\u202f345,67 €", "12345.67"),
        ("20000.00", "20000.00"),
        ("20 000", "20000.00"),
        ("7,5", "7.50"),
    ],
)
def test_an_amount_is_read_as_staff_write_it(typed, amount):
    from pipeline.convention import scaffold

    assert str(scaffold.french_amount(typed)) == amount


def test_hostile_names_reach_convention_yaml_as_typed(tmp_path):
    """« # » once cut a name, « : » broke the file, a sigle starting with « & » became empty."""
    from pipeline.convention import scaffold

    ask, tell, told = answer(list(HOSTILE.values()))
    answers = scaffold.questionnaire(ask, tell)
    assert told == []
    todo = scaffold.new_convention(tmp_path / "conv", answers=answers)
    assert (tmp_path / "conv" / "signes").is_dir()  # where the signed originals come back
    assert "make new-year YEAR=2031 CONVENTION=conv" in todo[-1]
    conv, _ = model.load_convention(tmp_path / "conv")
    assert conv.metropole.nom == HOSTILE["metropole"] and conv.association.nom == HOSTILE["association"]
    assert conv.association.sigle == "&UR Hlm" and conv.association.representant.nom == "D'ARCY & Cie"
    assert conv.convention.titre_court == "Convention Métropole du Levant #ML – &UR Hlm 2031-2034"
    assert str(conv.convention.montant_annuel) == "12345.67" and conv.convention.annees == [2031, 2032, 2033, 2034]
    # who represents each party is what was answered, nothing taken from another convention
    assert conv.metropole.representant.appellation == "Monsieur le Président"
    assert conv.association.representant.appellation == "Madame la Présidente"
    assert conv.metropole.titre_signature == ["Le Président", HOSTILE["metropole"]]
    assert (conv.copil.nom, conv.copil.sigle, conv.cotech.sigle) == ("Comité stratégique", "COSTRAT", "CST")
    assert [m.signe_pour for m in conv.copil.membres] == ["metropole", "association"]
    text = (tmp_path / "conv" / "convention.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Convention 2031-2034") and "# Article 4" in text  # the comments staff read


def test_the_questionnaire_from_the_command_line(tmp_path):
    replies = list(HOSTILE.values())
    replies[replies.index("2031")] = "deux mille\n2031"
    result = cli("--inputs", str(tmp_path), "new-convention", "levant", input="\n".join(replies) + "\n")
    assert result.returncode == 0, result.stderr
    assert "réponse refusée : « deux mille » n'est pas une année" in result.stderr
    assert model.load_convention(tmp_path / "levant")[0].convention.date_debut.year == 2031


def test_placeholders_are_said_by_check_and_refused_by_final(tmp_path):
    from helpers import INPUTS, cli

    from pipeline.convention import scaffold

    ask, tell, _ = answer(list(HOSTILE.values()))
    scaffold.new_convention(tmp_path / "conv", answers=scaffold.questionnaire(ask, tell))
    shutil.copy(INPUTS / "templates" / "convention.docx", tmp_path / "conv" / "templates")
    draft = cli("--inputs", str(tmp_path / "conv"), "check")
    assert "avertissement : " in draft.stderr and "chantiers[1].titre: « À COMPLÉTER » reste à remplir" in draft.stderr
    assert "convention.yaml:" in draft.stderr
    final = cli("--inputs", str(tmp_path / "conv"), "check", "--final")
    assert final.returncode == 2
    assert "erreur : " in final.stderr and "metropole.adresse[1]: « À COMPLÉTER » reste à remplir" in final.stderr


def test_new_year_makes_a_convention_s_first_year(inputs_copy):
    """Nothing to carry over: the committee's members come from convention.yaml, the bank block
    is there to fill, and the header does not speak of a year before the convention."""
    for year in ("2022", "2023", "2024", "2025"):
        shutil.rmtree(inputs_copy / year)
    result = cli("--inputs", str(inputs_copy), "new-year", "2022")
    assert result.returncode == 0, result.stderr
    text = (inputs_copy / "2022" / "year.yaml").read_text(encoding="utf-8")
    assert "première année de la convention" in text and "2021" not in text
    assert "banque:\n  titulaire: Association Régionale" in text and "  iban: null" in text
    conv, _ = model.load_convention(inputs_copy)
    assert [line.split(": ")[1] for line in text.splitlines() if line.strip().startswith("role:")] == [
        m.role for m in conv.copil.membres
    ]
    assert "  montant: 20000.00\n" in text  # an amount, as staff write it, not a quoted text


def test_the_ambiguity_names_each_dossier_and_gives_both_commands(tmp_path):
    """Two conventions cover 2025: the closing of one, the first year of the other."""
    from helpers import INPUTS, ROOT

    from pipeline import places
    from pipeline.errors import InputError

    shutil.copytree(INPUTS, tmp_path / INPUTS.name)
    other = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"
    shutil.copytree(other, tmp_path / other.name)
    with pytest.raises(InputError) as info:
        places.choose(tmp_path, None, 2025)
    message = str(info.value)
    assert f"« make dossier YEAR=2025 CONVENTION={INPUTS.name} » pour le dossier de clôture de 2022-2024" in message
    assert f"« make dossier YEAR=2025 CONVENTION={other.name} » pour la première année de 2025-2027" in message


def test_the_variables_default_year_is_the_one_its_help_names():
    result = cli("variables", "--help")
    assert "par défaut la deuxième, la première qui joint un bilan" in " ".join(result.stdout.split())
    listing = cli("variables", "appel")
    assert listing.returncode == 0 and listing.stdout.startswith("Variables (valeurs de l'année 2023)")


def test_a_renewal_keeps_staff_s_comments_and_blanks_what_the_new_text_has_not_yet():
    """The renewal edits the values the YAML parser finds, through the emitter: the comments,
    the layout and the values that carry over stay as staff wrote them."""
    from pipeline.convention import scaffold

    text = (
        "# Convention 2022-2024 : nos notes\nconvention:\n  titre: Convention 2022-2024  # du texte\n"
        "  date_debut: 2022-01-01\n  duree_annees: 3\n  date_signature: 2022-02-28  # signée au Pharo\n"
        "  deliberation: {numero: '22-0456', date: 2022-02-17, organe: Conseil}\n"
        "association:\n  nom: 'date_signature: 2022 & Cie'  # un nom qui ressemble à une clé\n"
    )
    renewed = scaffold.renewed(text)
    body = renewed.split("\n", 2)[2]
    assert body == (
        "# Convention 2025-2027 : nos notes\nconvention:\n  titre: Convention 2025-2027  # du texte\n"
        "  date_debut: 2025-01-01\n  duree_annees: 3\n  date_signature: null  # signée au Pharo\n"
        "  deliberation: {numero: null, date: null, organe: Conseil}\n"
        "association:\n  nom: 'date_signature: 2022 & Cie'  # un nom qui ressemble à une clé\n"
    )
    assert renewed.startswith("# Renouvellement 2025-2027 préparé à partir de la convention 2022-2024")
    with pytest.raises(InputError, match="date_debut"):
        scaffold.renewed("convention:\n  titre: sans dates\n")
