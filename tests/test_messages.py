"""Template and data messages that point the right way, all in one round: the full path of a
name that exists deeper, the new name of a renamed one, the empty first-year bilan, a missing
signe_pour blamed on convention.yaml. No LibreOffice: templates are only filled."""

import shutil

import docx
import pytest
from builder import convention
from helpers import INPUTS, TEMPLATES

from pipeline import checks, templates
from pipeline.convention import model
from pipeline.errors import InputError


@pytest.fixture(scope="module")
def loaded():
    return [model.load(INPUTS, year) for year in model.dossier_years(INPUTS)]


def template(tmp_path, *paragraphs: str, name: str = "essai.docx"):
    """A template as a juriste writes one in Word: one paragraph per text."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(tmp_path / name)
    return tmp_path / name


OLDER = "ce modèle est écrit pour une version antérieure : "


@pytest.mark.parametrize(
    "tag, expected",
    [
        ("{{ actions|length }}", f"variable « actions » inconnue — {OLDER}« actions » s'écrit maintenant « bilan.actions »"),
        ("{{ modalites }}", f"variable « modalites » inconnue — {OLDER}« modalites » s'écrit maintenant « bilan.modalites »"),
        (
            "{{ montant_appele|montant }}",
            f"variable « montant_appele » inconnue — {OLDER}« montant_appele » s'écrit maintenant « appel.montant",
        ),
        (
            "{{ copil_sigle }}",
            f"variable « copil_sigle » inconnue — {OLDER}« copil_sigle » s'écrit maintenant « instances.copil.sigle »",
        ),
        (
            "{{ bilan.finances.reste|montant }}",
            f"« bilan.finances.reste » n'existe pas — {OLDER}« bilan.finances.reste » s'écrit maintenant "
            "« bilan.finances.en_attente »",
        ),
        (
            "{{ destinataire.appellation_adresse }}",
            f"« destinataire.appellation_adresse » n'existe pas — {OLDER}« destinataire.appellation_adresse » s'écrit "
            "maintenant « destinataire.adresse »",
        ),
        (
            "{% for point in copil.ordre_du_jour %}{{ point }}{% endfor %}",
            f"« copil.ordre_du_jour » n'existe pas — {OLDER}« copil.ordre_du_jour » s'écrit maintenant « ordre_du_jour",
        ),
        (
            "{{ copresidents.metropole.qualite }}",
            f"variable « copresidents » inconnue — {OLDER}« copresidents » s'écrit maintenant « signataires",
        ),
        ("{{ anne }}", "variable « anne » inconnue — vouliez-vous dire « annee » ?"),
        (
            "{{ bilan.finances.en_atente }}",
            "« bilan.finances.en_atente » n'existe pas — vouliez-vous dire « bilan.finances.en_attente » ?",
        ),
        # a juriste's word is looked up by meaning before spelling (« comite » is not « cloture »)
        (
            "{{ comite }}",
            "variable « comite » inconnue — écrivez « instances.copil.nom » ou « instances.copil.sigle » "
            "pour le COPIL, « instances.cotech.nom » ou « instances.cotech.sigle » pour le COTECH, "
            "« copil.date » ou « copil.lieu » pour la réunion du COPIL de l'année",
        ),
        ("{{ somme|montant }}", "variable « somme » inconnue — écrivez « appel.montant » pour le montant appelé"),
        ("{{ copil.president }}", "« copil.president » n'existe pas — écrivez « seance.president » pour qui préside"),
    ],
)
def test_a_wrong_name_gets_the_right_one(tmp_path, loaded, tag, expected):
    found = templates.check_template(template(tmp_path, f"Texte {tag}"), loaded)
    problems = [str(p) for p in found]
    assert len(problems) == 1 and expected in problems[0], problems
    assert problems[0].startswith(f"modèle essai.docx (corps du document, paragraphe « Texte {tag} »)")
    if "actions" in tag:
        assert "association" not in problems[0]  # the close spelling that used to be suggested for « actions »


def test_names_a_loop_defines_are_the_template_s_own(tmp_path, loaded):
    path = template(
        tmp_path,
        "{% if bilan %}{% for a in bilan.actions %}{{ a.titre }}{% endfor %}"
        "{{ bilan.actions|length }}{% endif %}{{ dates['pv-copil'] }}",
    )
    assert templates.check_template(path, loaded) == []


def test_every_wrong_name_of_a_template_at_once(tmp_path, loaded):
    path = template(tmp_path, "{{ actions }}", "{{ copil_sigle }}", "{{ bilan.finances.reste }}", "{{ periode }}")
    problems = templates.check_template(path, loaded)
    assert len(problems) == 4, problems


def test_wrong_names_are_found_even_when_the_data_do_not_load(tmp_path):
    problems = templates.check_template(template(tmp_path, "{{ actions }}"), [])
    assert problems and "« bilan.actions »" in str(problems[0])


def test_the_empty_first_year_bilan_says_so(tmp_path, loaded):
    path = template(tmp_path, "Le bilan compte {{ bilan.actions|length }} actions.")
    problems = [str(p) for p in templates.check_template(path, loaded)]
    assert problems == [
        "modèle essai.docx (paragraphe « Le bilan compte {{ bilan.actions|length }} actions. ») : "
        "le bilan est vide la première année : entourez ce passage de {% if bilan %} … {% endif %} "
        "(données 2022)"
    ]


def test_every_template_s_errors_come_in_one_round(tmp_path):
    """Errors of two templates, and in one of them two kinds, reported by one « check »."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    for name, tag in (("appel.docx", "{{ copil_sigle }}"), ("bilan.docx", "{{ actions }}")):
        document = docx.Document(folder / name)
        document.add_paragraph(tag)
        document.add_paragraph("{{ bilan.finances.reste }}")
        document.save(folder / name)
    lines = [line for _code, line in checks.check_all(INPUTS, folder).problems]
    assert any("appel.docx" in line and "copil_sigle" in line for line in lines)
    assert any("bilan.docx" in line and "« bilan.actions »" in line for line in lines)
    assert sum("bilan.finances.reste" in line for line in lines) == 2, lines


def test_a_missing_signe_pour_is_blamed_on_convention_yaml(inputs_copy):
    convention(
        copil={
            "membres": lambda members: [{k: v for k, v in m.items() if (k, v) != ("signe_pour", "metropole")} for m in members]
        }
    ).write(inputs_copy)
    lines = [text for _code, text in checks.check_all(inputs_copy, TEMPLATES).problems]
    assert any(
        "convention.yaml:" in text
        and "copil.membres: aucun membre du COPIL ne signe le procès-verbal pour la "
        "partie « metropole » : ajoutez « signe_pour: metropole »"
        in text
        for text in lines
    ), lines
    assert not any("modèle" in text for text in lines)  # no template the user never touched is blamed


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            dict(finances={"montant_appele": 20000.0}),
            "finances.montant_appele: clé retirée — le montant appelé est celui de la lettre d'appel (appel.montant)",
        ),
        (
            dict(copil={"ordre_du_jour": ["Accueil"]}),
            "copil.ordre_du_jour: clé retirée — l'ordre du jour est maintenant établi d'après les données",
        ),
    ],
)
def test_a_retired_data_key_says_what_replaced_it(inputs_copy, change, expected):
    convention().year(2023, **change).write(inputs_copy)
    with pytest.raises(InputError) as info:
        model.load(inputs_copy, 2023)
    assert expected in str(info.value) and "montant_recu »" not in str(info.value)


def test_a_committee_is_named_by_the_convention_s_sigle(tmp_path):
    """For a convention whose committees are the CS and the CT, a hint says « le CS », never
    « le COPIL », and a template that writes the sigle where templates write « copil » is told so."""
    from helpers import ROOT

    fixture = ROOT / "tests" / "fixtures" / "mex-arhlm-2025-2027"
    loaded = [model.load(fixture, year) for year in model.dossier_years(fixture)]
    found = [
        str(p)
        for p in templates.check_template(
            template(tmp_path, "{{ comite }}", "{{ cs.date|date_fr }}", "{{ instances.ct.nom }}"), loaded
        )
    ]
    assert any("pour le CS" in p and "pour le CT" in p for p in found), found
    assert any("le CS s'appelle « copil » quelle que soit la convention : écrivez « copil »" in p for p in found)
    assert any("écrivez « instances.cotech »" in p for p in found), found
    assert not any("COPIL" in p or "COTECH" in p for p in found), found
